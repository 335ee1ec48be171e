package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Steps of the multi-step change flows.
const (
	stepVerifyNew = "verify_new"
	stepVerifyOld = "verify_old"
)

func userSubject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// ChangePassword replaces the password after checking the current one. A
// wrong current password counts towards the login lockout. Every other
// session ends.
func (s *Service) ChangePassword(ctx context.Context, p Principal, oldPassword, newPassword, confirm string) error {
	if newPassword != confirm {
		return ErrPasswordMismatch.WithDetails("new_password and confirm_password differ")
	}
	if err := checkNewPassword(newPassword); err != nil {
		return fmt.Errorf("account: change password: %w", err)
	}
	u, err := s.userByID(ctx, s.DB.SQL, p.UserID)
	if err != nil {
		return fmt.Errorf("account: change password: %w", notFound(err, ErrUserNotFound))
	}
	if blocked, wait, err := s.Limiter.Exceeded(ctx, s.DB.SQL, "login:email:"+u.Email, loginPerEmail); err != nil || blocked {
		if err != nil {
			return fmt.Errorf("account: change password: %w", err)
		}
		return ErrRateLimited.WithDetails("Too many wrong passwords; try again later").WithRetryAfter(wait.Round(time.Second) + time.Second)
	}
	if !verifySecret(u.PasswordHash, oldPassword) {
		err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
			_, _, err := s.Limiter.Hit(ctx, tx, "login:email:"+u.Email, loginPerEmail)
			return err
		})
		if err != nil {
			return fmt.Errorf("account: change password: %w", err)
		}
		return ErrInvalidCredentials.WithDetails("The current password is wrong")
	}
	hash := hashSecret(s.Hash, newPassword)
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		if err := s.setPasswordHash(ctx, tx, u.ID, hash, now); err != nil {
			return err
		}
		if err := s.revokeUserSessions(ctx, tx, u.ID, p.SessionID, "password changed", now); err != nil {
			return err
		}
		return s.sendNotice(ctx, tx, u.Email, "Your ComeComePay password was changed",
			"The password of your ComeComePay account was just changed and your other devices were signed out. If this was not you, contact support immediately.")
	}); err != nil {
		return fmt.Errorf("account: change password: %w", err)
	}
	return nil
}

// pendingStep loads the user's pending change of kind and checks it is at
// step and about target.
func (s *Service) pendingStep(ctx context.Context, q store.Querier, userID int64, kind ChangeKind, step, target string) (PendingChange, error) {
	c, err := s.pendingChange(ctx, q, userID, kind)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!s.Now().Before(c.ExpiresAt) || c.Step != step || c.Target != target)) {
		return PendingChange{}, ErrInvalidState.WithDetails("Start the change again: this step is out of order or has expired")
	}
	return c, err
}

// CodeSent is the answer of a step that sends a code.
type CodeSent struct {
	To  string
	OTP string
}

// RequestEmailChange starts an e-mail change by sending a code to the new address.
func (s *Service) RequestEmailChange(ctx context.Context, p Principal, newEmail string) (CodeSent, error) {
	var res CodeSent
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		u, err := s.userByID(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if u.Email == newEmail {
			return ErrSameEmail
		}
		if err := s.ensureEmailFree(ctx, tx, newEmail); err != nil {
			return err
		}
		issued, err := s.OTP.Issue(ctx, tx, otp.ChangeEmailNew, userSubject(u.ID), otpLength)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := s.putPendingChange(ctx, tx, PendingChange{UserID: u.ID, Kind: ChangeEmail, Target: newEmail,
			Step: stepVerifyNew, CreatedAt: now, ExpiresAt: now.Add(pendingLifetime)}); err != nil {
			return err
		}
		res = CodeSent{To: newEmail, OTP: s.echo(issued.Code)}
		return s.sendCode(ctx, tx, newEmail, "Confirm your new ComeComePay e-mail", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: request email change: %w", err)
	}
	return res, nil
}

// VerifyNewEmail checks the new address's code and sends one to the current address.
func (s *Service) VerifyNewEmail(ctx context.Context, p Principal, newEmail, code string) (CodeSent, error) {
	var res CodeSent
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.pendingStep(ctx, tx, p.UserID, ChangeEmail, stepVerifyNew, newEmail)
		if err != nil {
			return err
		}
		if err := s.OTP.Check(ctx, tx, otp.ChangeEmailNew, userSubject(p.UserID), code, true); err != nil {
			return err
		}
		u, err := s.userByID(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		issued, err := s.OTP.Issue(ctx, tx, otp.ChangeEmailOld, userSubject(u.ID), otpLength)
		if err != nil {
			return err
		}
		c.Step = stepVerifyOld
		if err := s.putPendingChange(ctx, tx, c); err != nil {
			return err
		}
		res = CodeSent{To: u.Email, OTP: s.echo(issued.Code)}
		return s.sendCode(ctx, tx, u.Email, "Confirm your ComeComePay e-mail change", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: verify new email: %w", err)
	}
	return res, nil
}

// CompleteEmailChange checks the current address's code and switches the address.
func (s *Service) CompleteEmailChange(ctx context.Context, p Principal, newEmail, code string) error {
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.pendingStep(ctx, tx, p.UserID, ChangeEmail, stepVerifyOld, newEmail); err != nil {
			return err
		}
		if err := s.OTP.Check(ctx, tx, otp.ChangeEmailOld, userSubject(p.UserID), code, true); err != nil {
			return err
		}
		u, err := s.userByIDForUpdate(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if err := s.ensureEmailFree(ctx, tx, newEmail); err != nil {
			return err
		}
		now := s.Now()
		if err := s.setEmail(ctx, tx, u.ID, newEmail, now); err != nil {
			if store.IsUniqueViolation(err) {
				return ErrEmailRegistered
			}
			return err
		}
		if err := s.deletePendingChange(ctx, tx, u.ID, ChangeEmail); err != nil {
			return err
		}
		if err := s.revokeUserSessions(ctx, tx, u.ID, p.SessionID, "email changed", now); err != nil {
			return err
		}
		return s.sendNotice(ctx, tx, u.Email, "Your ComeComePay e-mail was changed",
			"The e-mail of your ComeComePay account was changed to "+newEmail+". If this was not you, contact support immediately.")
	}); err != nil {
		return fmt.Errorf("account: complete email change: %w", err)
	}
	return nil
}

// RequestPhoneChange starts a phone change. Without an SMS provider the code
// goes to the account e-mail (API.md §2.2).
func (s *Service) RequestPhoneChange(ctx context.Context, p Principal, newPhone string) (CodeSent, error) {
	var res CodeSent
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		u, err := s.userByID(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if deref(u.Phone) == newPhone {
			return ErrSamePhone
		}
		issued, err := s.OTP.Issue(ctx, tx, otp.ChangePhoneNew, userSubject(u.ID), otpLength)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := s.putPendingChange(ctx, tx, PendingChange{UserID: u.ID, Kind: ChangePhone, Target: newPhone,
			Step: stepVerifyNew, CreatedAt: now, ExpiresAt: now.Add(pendingLifetime)}); err != nil {
			return err
		}
		res = CodeSent{To: newPhone, OTP: s.echo(issued.Code)}
		return s.sendCode(ctx, tx, u.Email, "Confirm your new ComeComePay phone number", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: request phone change: %w", err)
	}
	return res, nil
}

// VerifyNewPhone checks the phone code and sends a code to the account e-mail.
func (s *Service) VerifyNewPhone(ctx context.Context, p Principal, newPhone, code string) (CodeSent, error) {
	var res CodeSent
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.pendingStep(ctx, tx, p.UserID, ChangePhone, stepVerifyNew, newPhone)
		if err != nil {
			return err
		}
		if err := s.OTP.Check(ctx, tx, otp.ChangePhoneNew, userSubject(p.UserID), code, true); err != nil {
			return err
		}
		u, err := s.userByID(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		issued, err := s.OTP.Issue(ctx, tx, otp.ChangePhoneMail, userSubject(u.ID), otpLength)
		if err != nil {
			return err
		}
		c.Step = stepVerifyOld
		if err := s.putPendingChange(ctx, tx, c); err != nil {
			return err
		}
		res = CodeSent{To: u.Email, OTP: s.echo(issued.Code)}
		return s.sendCode(ctx, tx, u.Email, "Confirm your ComeComePay phone change", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: verify new phone: %w", err)
	}
	return res, nil
}

// CompletePhoneChange checks the e-mail code and sets the phone.
func (s *Service) CompletePhoneChange(ctx context.Context, p Principal, newPhone, code string) error {
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.pendingStep(ctx, tx, p.UserID, ChangePhone, stepVerifyOld, newPhone); err != nil {
			return err
		}
		if err := s.OTP.Check(ctx, tx, otp.ChangePhoneMail, userSubject(p.UserID), code, true); err != nil {
			return err
		}
		now := s.Now()
		if err := s.setPhone(ctx, tx, p.UserID, newPhone, now); err != nil {
			return err
		}
		return s.deletePendingChange(ctx, tx, p.UserID, ChangePhone)
	}); err != nil {
		return fmt.Errorf("account: complete phone change: %w", err)
	}
	return nil
}
