package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/store"
)

// ForgotResult is the answer of ForgotPassword; it looks the same for known
// and unknown addresses (but for the sandbox echo of a code really sent).
type ForgotResult struct {
	Email string
	Name  string
	OTP   string
}

// ForgotPassword sends a reset code to a registered, not deactivated address.
// For any other address it records a code that is never sent, so the
// cooldown, the resend and the verify step behave identically for both.
func (s *Service) ForgotPassword(ctx context.Context, email string) (ForgotResult, error) {
	res := ForgotResult{Email: email}
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		u, err := s.userByEmail(ctx, tx, email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		known := err == nil && u.Status != StatusDeactivated
		issued, err := s.OTP.Issue(ctx, tx, otp.ResetPassword, email, otpLength)
		if err != nil {
			return err
		}
		if !known {
			return nil
		}
		res.Name, res.OTP = u.DisplayName(), s.echo(issued.Code)
		return s.sendCode(ctx, tx, email, "Your ComeComePay password reset code", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: forgot password: %w", err)
	}
	return res, nil
}

// VerifyResetCode checks a reset code without using it up (the client sends
// it again with the new password); wrong tries count.
func (s *Service) VerifyResetCode(ctx context.Context, email, code string) error {
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if pending, err := s.OTP.HasCode(ctx, tx, otp.ResetPassword, email); err != nil || !pending {
			if err != nil {
				return err
			}
			return ErrInvalidState.WithDetails("No password reset is pending for this e-mail")
		}
		return s.OTP.Check(ctx, tx, otp.ResetPassword, email, code, false)
	}); err != nil {
		return fmt.Errorf("account: verify reset code: %w", err)
	}
	return nil
}

// ResetPassword sets a new password with a reset code and ends every session.
func (s *Service) ResetPassword(ctx context.Context, email, code, newPassword, confirm string) error {
	if newPassword != confirm {
		return ErrPasswordMismatch.WithDetails("new_password and confirm_password differ")
	}
	if err := checkNewPassword(newPassword); err != nil {
		return fmt.Errorf("account: reset password: %w", err)
	}
	hash := hashSecret(s.Hash, newPassword)
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.OTP.Check(ctx, tx, otp.ResetPassword, email, code, true); err != nil {
			return err
		}
		u, err := s.userByEmail(ctx, tx, email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err != nil || u.Status == StatusDeactivated {
			// Only reachable by guessing a code that was never sent.
			return otp.ErrInvalid.WithDetails("The code is not correct")
		}
		now := s.Now()
		if err := s.setPasswordHash(ctx, tx, u.ID, hash, now); err != nil {
			return err
		}
		if err := s.revokeUserSessions(ctx, tx, u.ID, "", "password reset", now); err != nil {
			return err
		}
		if err := s.Limiter.Reset(ctx, tx, "login:email:"+email); err != nil {
			return err
		}
		return s.sendNotice(ctx, tx, email, "Your ComeComePay password was reset",
			"The password of your ComeComePay account was just reset and every device was signed out. If this was not you, contact support immediately.")
	}); err != nil {
		return fmt.Errorf("account: reset password: %w", err)
	}
	return nil
}
