package account

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/otp"
)

// RequestDeactivation checks nothing blocks closing the account and e-mails
// a confirmation code.
func (s *Service) RequestDeactivation(ctx context.Context, p Principal) (CodeSent, error) {
	var res CodeSent
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		u, err := s.userByID(ctx, tx, p.UserID)
		if err != nil {
			return notFound(err, ErrUserNotFound)
		}
		if err := s.ensureDeactivatable(ctx, tx, u.ID); err != nil {
			return err
		}
		issued, err := s.OTP.Issue(ctx, tx, otp.Deactivate, userSubject(u.ID), otpLength)
		if err != nil {
			return err
		}
		res = CodeSent{To: u.Email, OTP: s.echo(issued.Code)}
		return s.sendCode(ctx, tx, u.Email, "Confirm closing your ComeComePay account", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: request deactivation: %w", err)
	}
	return res, nil
}

// Deactivate closes the account with the confirmation code: every session
// ends and login is refused from then on. The e-mail stays reserved.
func (s *Service) Deactivate(ctx context.Context, p Principal, code string) error {
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		u, err := s.userByIDForUpdate(ctx, tx, p.UserID)
		if err != nil {
			return notFound(err, ErrUserNotFound)
		}
		if err := s.OTP.Check(ctx, tx, otp.Deactivate, userSubject(u.ID), code, true); err != nil {
			return err
		}
		if err := s.ensureDeactivatable(ctx, tx, u.ID); err != nil {
			return err
		}
		now := s.Now()
		if err := s.setStatus(ctx, tx, u.ID, StatusDeactivated, now); err != nil {
			return err
		}
		if err := s.revokeUserSessions(ctx, tx, u.ID, "", "account deactivated", now); err != nil {
			return err
		}
		if err := s.Devices.RemoveAll(ctx, tx, u.ID); err != nil {
			return err
		}
		return s.sendNotice(ctx, tx, u.Email, "Your ComeComePay account was closed",
			"Your ComeComePay account was deactivated at your request. If this was not you, contact support immediately.")
	}); err != nil {
		return fmt.Errorf("account: deactivate: %w", err)
	}
	return nil
}

func (s *Service) ensureDeactivatable(ctx context.Context, tx *sql.Tx, userID int64) error {
	why, err := s.Guard.DeactivationBlocker(ctx, tx, userID)
	if err != nil {
		return err
	}
	if why != "" {
		return ErrDeactivationBlocked.WithDetails(why)
	}
	return nil
}
