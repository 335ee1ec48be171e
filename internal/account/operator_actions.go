package account

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/apperr"
)

// Operator actions on accounts. Each runs in the caller's transaction, so
// the back office records the audit row beside the change, and returns the
// state before and after for it.

// errDeactivatedAccount refuses operator changes to a closed account.
var errDeactivatedAccount = apperr.New(apperr.CodeInvalidState).WithDetails("the account is closed")

// SetFrozenTx freezes or unfreezes a user. A frozen user still signs in and
// reads, but cannot move money or change cards (API.md §1.3). Freezing a
// frozen account (or unfreezing an active one) changes nothing and is no
// error: the operator's intent holds.
func (s *Service) SetFrozenTx(ctx context.Context, tx *sql.Tx, userID int64, frozen bool) (before, after Status, err error) {
	u, err := s.userByIDForUpdate(ctx, tx, userID)
	if err != nil {
		return "", "", fmt.Errorf("account: set frozen %d: %w", userID, notFound(err, ErrUserNotFound))
	}
	if u.Status == StatusDeactivated {
		return "", "", errDeactivatedAccount
	}
	after = StatusActive
	if frozen {
		after = StatusFrozen
	}
	if u.Status != after {
		if err := s.setStatus(ctx, tx, userID, after, s.Now()); err != nil {
			return "", "", fmt.Errorf("account: set frozen %d: %w", userID, err)
		}
	}
	return u.Status, after, nil
}

// RevokeSessionsTx ends every session of a user: their tokens stop working
// on the next request, on every replica.
func (s *Service) RevokeSessionsTx(ctx context.Context, tx *sql.Tx, userID int64, reason string) error {
	if _, err := s.userByIDForUpdate(ctx, tx, userID); err != nil {
		return fmt.Errorf("account: revoke sessions of %d: %w", userID, notFound(err, ErrUserNotFound))
	}
	if err := s.revokeUserSessions(ctx, tx, userID, "", reason, s.Now()); err != nil {
		return fmt.Errorf("account: revoke sessions of %d: %w", userID, err)
	}
	return nil
}
