package backoffice

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/audit"
)

// SetUserLimits replaces a user's limit overrides (card slots, withdrawal
// limits; nil = the programme's setting). The reason is required: a user
// treated differently from everyone else needs a why on record.
func (s *Service) SetUserLimits(ctx context.Context, userID int64, l account.Limits, reason string) (account.Limits, error) {
	if reason == "" {
		return account.Limits{}, errReasonRequired
	}
	var after account.Limits
	err := s.audited(ctx, audit.Entry{Action: "user.set_limits", TargetType: "user", TargetID: strconv.FormatInt(userID, 10),
		Reason: reason}, func(tx *sql.Tx) (any, any, error) {
		before, next, err := s.Accounts.SetLimitsTx(ctx, tx, userID, l)
		after = next
		return before, next, err
	})
	return after, err
}

// SetFeeExemption replaces which fees a user is exempt from. The reason is
// required.
func (s *Service) SetFeeExemption(ctx context.Context, userID int64, f account.FeeExemption, reason string) (account.FeeExemption, error) {
	if reason == "" {
		return account.FeeExemption{}, errReasonRequired
	}
	var after account.FeeExemption
	err := s.audited(ctx, audit.Entry{Action: "user.set_fee_exemption", TargetType: "user", TargetID: strconv.FormatInt(userID, 10),
		Reason: reason}, func(tx *sql.Tx) (any, any, error) {
		before, next, err := s.Accounts.SetFeeExemptionTx(ctx, tx, userID, f)
		after = next
		return before, next, err
	})
	return after, err
}
