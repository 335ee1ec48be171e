package app

import "github.com/comecomepay/comecomepay/internal/approval"

// approvalExecutors maps each four-eyes kind to the action it executes on
// approval (docs/operators.md lists which actions need a second operator).
func (w wiring) approvalExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{}
}
