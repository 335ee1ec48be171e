package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// SignupResult is returned by Signup.
type SignupResult struct {
	Email string
	OTP   string
}

// Signup starts (or restarts) a registration and sends the e-mail code.
func (s *Service) Signup(ctx context.Context, email, referral string) (SignupResult, error) {
	code, present, ok := ParseReferralCode(referral)
	if !ok {
		return SignupResult{}, ErrInvalidReferralCode.WithDetails("Referral codes are 8 letters or digits")
	}
	var res SignupResult
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.ensureEmailFree(ctx, tx, email); err != nil {
			return err
		}
		if present {
			if err := s.ensureReferralExists(ctx, tx, code); err != nil {
				return err
			}
		}
		now := s.Now()
		pending, err := s.pendingRegistration(ctx, tx, email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if errors.Is(err, store.ErrNotFound) || now.Sub(pending.UpdatedAt) > pendingLifetime {
			pending = PendingRegistration{Email: email, CreatedAt: now}
		}
		pending.ReferralCode, pending.VerifiedAt, pending.UpdatedAt = code, nil, now
		issued, err := s.OTP.Issue(ctx, tx, otp.Signup, email, otpLength)
		if err != nil {
			return err
		}
		if err := s.putPendingRegistration(ctx, tx, pending); err != nil {
			return err
		}
		res = SignupResult{Email: email, OTP: s.echo(issued.Code)}
		return s.sendCode(ctx, tx, email, "Your ComeComePay sign-up code", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: signup: %w", err)
	}
	return res, nil
}

// VerifySignup checks the sign-up code; referral, when given and valid,
// replaces the code given at signup. It returns the referral code attached.
func (s *Service) VerifySignup(ctx context.Context, email, code, referral string) (string, error) {
	ref, present, ok := ParseReferralCode(referral)
	if !ok {
		return "", ErrInvalidReferralCode.WithDetails("Referral codes are 8 letters or digits")
	}
	var attached string
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		pending, err := s.openRegistration(ctx, tx, email)
		if err != nil {
			return err
		}
		if err := s.ensureEmailFree(ctx, tx, email); err != nil {
			return err
		}
		if present {
			if err := s.ensureReferralExists(ctx, tx, ref); err != nil {
				return err
			}
			pending.ReferralCode = ref
		}
		if err := s.OTP.Check(ctx, tx, otp.Signup, email, code, true); err != nil {
			return err
		}
		now := s.Now()
		pending.VerifiedAt, pending.UpdatedAt = &now, now
		attached = pending.ReferralCode
		return s.putPendingRegistration(ctx, tx, pending)
	})
	if err != nil {
		return attached, fmt.Errorf("account: verify signup: %w", err)
	}
	return attached, nil
}

// Registered is the result of SetPassword.
type Registered struct {
	Tokens  TokenPair
	Profile Profile
}

// SetPassword completes a verified registration: it creates the user, the
// wallet and a first session in one transaction.
func (s *Service) SetPassword(ctx context.Context, email, password, referral, ip, ua string) (Registered, error) {
	ref, present, ok := ParseReferralCode(referral)
	if !ok {
		return Registered{}, ErrInvalidReferralCode.WithDetails("Referral codes are 8 letters or digits")
	}
	if err := checkNewPassword(password); err != nil {
		return Registered{}, fmt.Errorf("account: set password: %w", err)
	}
	// Hash before the transaction: it is slow and must not hold a connection.
	hash := hashSecret(s.Hash, password)
	var out Registered
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		pending, err := s.pendingRegistration(ctx, tx, email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		now := s.Now()
		if err != nil || pending.VerifiedAt == nil || now.Sub(*pending.VerifiedAt) > pendingLifetime {
			return ErrEmailNotVerified.WithDetails("Verify the e-mail code first")
		}
		if err := s.ensureEmailFree(ctx, tx, email); err != nil {
			return err
		}
		if present {
			pending.ReferralCode = ref
		}
		u := User{Email: email, PasswordHash: hash, AccountType: "personal", Status: StatusActive, CreatedAt: now, UpdatedAt: now}
		if pending.ReferralCode != "" {
			referrer, err := s.userIDByReferralCode(ctx, tx, pending.ReferralCode)
			if err != nil {
				return notFound(err, ErrInvalidReferralCode.WithDetails("No account has this referral code"))
			}
			u.ReferredBy = &referrer
		}
		if u.ReferralCode, err = s.freeReferralCode(ctx, tx); err != nil {
			return err
		}
		if u.ID, err = s.insertUser(ctx, tx, u); err != nil {
			if store.IsUniqueViolation(err) {
				return ErrEmailRegistered
			}
			return err
		}
		walletID, err := s.Wallets.OpenTx(ctx, tx, u.ID, now)
		if err != nil {
			return err
		}
		if err := s.setWalletID(ctx, tx, u.ID, walletID); err != nil {
			return err
		}
		if err := s.deletePendingRegistration(ctx, tx, email); err != nil {
			return err
		}
		if out.Tokens, err = s.newSession(ctx, tx, u, ip, ua); err != nil {
			return err
		}
		out.Profile, err = s.profile(ctx, tx, u.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("account: set password: %w", err)
	}
	return out, nil
}

func (s *Service) openRegistration(ctx context.Context, q store.Querier, email string) (PendingRegistration, error) {
	p, err := s.pendingRegistration(ctx, q, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && s.Now().Sub(p.UpdatedAt) > pendingLifetime) {
		return PendingRegistration{}, ErrInvalidState.WithDetails("No registration is pending for this e-mail")
	}
	return p, err
}

func (s *Service) ensureEmailFree(ctx context.Context, q store.Querier, email string) error {
	taken, err := s.emailTaken(ctx, q, email)
	if err != nil {
		return err
	}
	if taken {
		return ErrEmailRegistered
	}
	return nil
}

func (s *Service) ensureReferralExists(ctx context.Context, q store.Querier, code string) error {
	_, err := s.userIDByReferralCode(ctx, q, code)
	return notFound(err, ErrInvalidReferralCode.WithDetails("No account has this referral code"))
}

// freeReferralCode draws codes until one is unused; with 36^8 codes a second
// draw is already rare.
func (s *Service) freeReferralCode(ctx context.Context, q store.Querier) (string, error) {
	for range maxReferralTries {
		code := secret.Code(8)
		_, err := s.userIDByReferralCode(ctx, q, code)
		if errors.Is(err, store.ErrNotFound) {
			return code, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", apperr.New(apperr.CodeInternal).WithDetails("could not allocate a referral code")
}

// ResendResult is returned by ResendOTP.
type ResendResult struct{ OTP string }

// ResendOTP re-issues the code of the most recently started open flow of the
// e-mail among sign-up, login and password reset.
func (s *Service) ResendOTP(ctx context.Context, email string) (ResendResult, error) {
	var res ResendResult
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		var (
			best    otp.Purpose
			started time.Time
		)
		for _, p := range []otp.Purpose{otp.Signup, otp.Login, otp.ResetPassword} {
			at, ok, err := s.OTP.OpenFlow(ctx, tx, p, email)
			if err != nil {
				return err
			}
			if ok && at.After(started) {
				best, started = p, at
			}
		}
		if best == "" {
			return ErrInvalidState.WithDetails("No verification is in progress for this e-mail")
		}
		issued, err := s.OTP.Resend(ctx, tx, best, email, otpLength)
		if err != nil {
			return err
		}
		// A reset flow of an unknown address exists only so that this
		// endpoint answers alike for every address; nothing is sent for it.
		if best == otp.ResetPassword {
			if taken, err := s.emailTaken(ctx, tx, email); err != nil || !taken {
				return err
			}
		}
		res.OTP = s.echo(issued.Code)
		return s.sendCode(ctx, tx, email, "Your ComeComePay verification code", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: resend otp: %w", err)
	}
	return res, nil
}
