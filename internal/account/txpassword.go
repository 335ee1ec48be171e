package account

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// TxPasswordSet reports whether the user has a transaction password.
func (s *Service) TxPasswordSet(ctx context.Context, p Principal) (bool, error) {
	u, err := s.userByID(ctx, s.DB.SQL, p.UserID)
	if err != nil {
		return false, notFound(err, ErrUserNotFound)
	}
	return u.TxPasswordHash != "", nil
}

// TxPasswordRequest is the answer of RequestTxPassword.
type TxPasswordRequest struct {
	Email    string
	TempHash string
	OTP      string
}

// RequestTxPassword keeps the hashed new transaction password server-side
// under an opaque, single-use handle and e-mails a code to confirm it.
func (s *Service) RequestTxPassword(ctx context.Context, p Principal, password, confirm string) (TxPasswordRequest, error) {
	if !IsOTPFormat(password, 6) {
		return TxPasswordRequest{}, apperr.Validation(map[string]string{"transaction_password": "must be exactly 6 digits"})
	}
	if password != confirm {
		return TxPasswordRequest{}, ErrPasswordMismatch.WithDetails("transaction_password and confirm_transaction_password differ")
	}
	hash := s.hashTxPassword(p.UserID, password)
	handle := "tph_" + secret.Base62(40)
	var res TxPasswordRequest
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		u, err := s.userByID(ctx, tx, p.UserID)
		if err != nil {
			return notFound(err, ErrUserNotFound)
		}
		issued, err := s.OTP.Issue(ctx, tx, otp.TxPassword, userSubject(u.ID), otpLength)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := s.putPendingChange(ctx, tx, PendingChange{UserID: u.ID, Kind: ChangeTxPassword, Step: stepVerifyNew,
			Handle: s.Hasher.Sum("tph", handle), SecretHash: hash, CreatedAt: now, ExpiresAt: now.Add(txPasswordTTL)}); err != nil {
			return err
		}
		res = TxPasswordRequest{Email: u.Email, TempHash: handle, OTP: s.echo(issued.Code)}
		return s.sendCode(ctx, tx, u.Email, "Confirm your ComeComePay transaction password", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: request tx password: %w", err)
	}
	return res, nil
}

// CompleteTxPassword confirms a pending transaction password with its code.
func (s *Service) CompleteTxPassword(ctx context.Context, p Principal, code, tempHash string) error {
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.pendingChange(ctx, tx, p.UserID, ChangeTxPassword)
		if err != nil && err != store.ErrNotFound {
			return err
		}
		if err != nil || !s.Now().Before(c.ExpiresAt) || !secret.Equal(c.Handle, s.Hasher.Sum("tph", tempHash)) {
			return ErrInvalidState.WithDetails("The request is unknown or has expired; start again")
		}
		if err := s.OTP.Check(ctx, tx, otp.TxPassword, userSubject(p.UserID), code, true); err != nil {
			return err
		}
		if err := s.setTxPassword(ctx, tx, p.UserID, c.SecretHash, s.Now()); err != nil {
			return err
		}
		return s.deletePendingChange(ctx, tx, p.UserID, ChangeTxPassword)
	}); err != nil {
		return fmt.Errorf("account: complete tx password: %w", err)
	}
	return nil
}

// CheckTxPassword verifies a transaction password inside the caller's
// transaction (API.md §2.2): 5 consecutive wrong entries lock it for 30
// minutes; a correct one resets the count. Failures are committed.
func (s *Service) CheckTxPassword(ctx context.Context, tx *sql.Tx, userID int64, password string) error {
	u, err := s.userByIDForUpdate(ctx, tx, userID)
	if err != nil {
		return fmt.Errorf("account: check tx password: %w", notFound(err, ErrUserNotFound))
	}
	return (&Payer{s: s, user: u}).CheckTxPassword(ctx, tx, password)
}

// Payer is a user about to pay from their own money, read once with their
// row locked for the rest of the transaction: the frozen-account refusal and
// the transaction password are both answered from that read, so a payment
// reads the user row once.
type Payer struct {
	s    *Service
	user User
}

// LockPayer locks the user's row for the rest of tx and refuses a frozen
// account (ACCOUNT_FROZEN) or an unknown user (USER_NOT_FOUND). The lock
// comes before any lock on the user's wallet, as for the deactivation.
func (s *Service) LockPayer(ctx context.Context, tx *sql.Tx, userID int64) (*Payer, error) {
	u, err := s.userByIDForUpdate(ctx, tx, userID)
	if err != nil {
		return nil, fmt.Errorf("account: lock payer: %w", notFound(err, ErrUserNotFound))
	}
	if u.Status == StatusFrozen {
		return nil, ErrAccountFrozen
	}
	return &Payer{s: s, user: u}, nil
}

// CheckTxPassword is Service.CheckTxPassword on the locked row.
func (p *Payer) CheckTxPassword(ctx context.Context, tx *sql.Tx, password string) error {
	s, u := p.s, p.user
	now := s.Now()
	if u.TxPasswordHash == "" {
		return ErrTxPasswordNotSet
	}
	if now.Before(u.TxPasswordLock) {
		return ErrTxPasswordLocked.WithRetryAfter(u.TxPasswordLock.Sub(now).Round(time.Second) + time.Second)
	}
	if s.txPasswordMatches(u.ID, u.TxPasswordHash, password) {
		if txPasswordNeedsUpgrade(u.TxPasswordHash) {
			// Migration on use: the argon2id value becomes the keyed one.
			if err := s.upgradeTxPasswordHash(ctx, tx, u.ID, s.hashTxPassword(u.ID, password)); err != nil {
				return fmt.Errorf("account: check tx password: upgrade hash: %w", err)
			}
			return nil
		}
		if u.TxPasswordFails == 0 {
			return nil
		}
		if err := s.setTxPasswordFailures(ctx, tx, u.ID, 0, time.Time{}); err != nil {
			return fmt.Errorf("account: check tx password: %w", err)
		}
		return nil
	}
	fails, lock := u.TxPasswordFails+1, time.Time{}
	failure := ErrInvalidTxPassword.WithDetails("The transaction password is wrong")
	if fails >= txPasswordTries {
		fails, lock = 0, now.Add(txPasswordLock)
		failure = ErrTxPasswordLocked.WithRetryAfter(txPasswordLock)
	}
	if err := s.setTxPasswordFailures(ctx, tx, u.ID, fails, lock); err != nil {
		return fmt.Errorf("account: check tx password: %w", err)
	}
	return store.CommitThenFail(failure)
}
