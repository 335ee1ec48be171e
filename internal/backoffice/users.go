package backoffice

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
)

// errReasonRequired: actions that restrict a user say why, for the user's
// later complaint and the auditor.
var errReasonRequired = apperr.Validation(map[string]string{"reason": "is required"})

type statusState struct {
	Status account.Status `json:"status"`
}

// FreezeUser freezes (frozen=true) or unfreezes a user. A reason is
// required to freeze.
func (s *Service) FreezeUser(ctx context.Context, userID int64, frozen bool, reason string) (account.Status, error) {
	if frozen && reason == "" {
		return "", errReasonRequired
	}
	action := "user.unfreeze"
	if frozen {
		action = "user.freeze"
	}
	var status account.Status
	err := s.audited(ctx, audit.Entry{Action: action, TargetType: "user", TargetID: strconv.FormatInt(userID, 10), Reason: reason},
		func(tx *sql.Tx) (any, any, error) {
			before, after, err := s.Accounts.SetFrozenTx(ctx, tx, userID, frozen)
			status = after
			return statusState{before}, statusState{after}, err
		})
	return status, err
}

// RevokeUserSessions signs a user out everywhere.
func (s *Service) RevokeUserSessions(ctx context.Context, userID int64, reason string) error {
	return s.audited(ctx, audit.Entry{Action: "user.revoke_sessions", TargetType: "user", TargetID: strconv.FormatInt(userID, 10),
		Reason: reason}, func(tx *sql.Tx) (any, any, error) {
		err := s.Accounts.RevokeSessionsTx(ctx, tx, userID, "revoked by an operator")
		return nil, map[string]any{"sessions": "revoked"}, err
	})
}
