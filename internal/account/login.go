package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
)

// LoginResult is the first login step's answer.
type LoginResult struct {
	Email string
	Name  string
	OTP   string
}

// Login checks the password and sends (or, within the cooldown, re-uses) a
// login code. Unknown e-mail and wrong password fail alike, in text and in
// time.
func (s *Service) Login(ctx context.Context, email, password, ip string) (LoginResult, error) {
	if err := s.loginAllowed(ctx, email, ip); err != nil {
		return LoginResult{}, fmt.Errorf("account: login: %w", err)
	}
	u, err := s.userByEmail(ctx, s.DB.SQL, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return LoginResult{}, fmt.Errorf("account: login: %w", err)
	}
	hash := s.dummyHash
	if err == nil {
		hash = u.PasswordHash
	}
	if !verifySecret(hash, password) || err != nil {
		return LoginResult{}, s.loginFailed(ctx, email, ip)
	}
	if u.Status == StatusDeactivated {
		return LoginResult{}, ErrAccountDeactivated
	}
	// The plain password is at hand only now: a hash made under an older
	// cost profile is upgraded (hashed before the transaction, being slow).
	rehash := ""
	if needsRehash(u.PasswordHash, s.Hash) {
		rehash = hashSecret(s.Hash, password)
	}
	var res LoginResult
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if rehash != "" {
			if err := s.upgradeHash(ctx, tx, u, rehash); err != nil {
				return err
			}
		}
		issued, err := s.OTP.IssueOrReuse(ctx, tx, otp.Login, email, otpLength)
		if err != nil {
			return err
		}
		res = LoginResult{Email: email, Name: u.DisplayName(), OTP: s.echo(issued.Code)}
		if !issued.Fresh {
			return nil
		}
		return s.sendCode(ctx, tx, email, "Your ComeComePay login code", issued.Code)
	})
	if err != nil {
		return res, fmt.Errorf("account: login: %w", err)
	}
	return res, nil
}

// upgradeHash stores a re-hash of the password just verified, unless the
// password changed meanwhile. updated_at is kept: the user changed nothing.
func (s *Service) upgradeHash(ctx context.Context, tx *sql.Tx, verified User, rehash string) error {
	cur, err := s.userByIDForUpdate(ctx, tx, verified.ID)
	if err != nil {
		return fmt.Errorf("account: rehash: %w", err)
	}
	if cur.PasswordHash != verified.PasswordHash {
		return nil
	}
	return s.setPasswordHash(ctx, tx, cur.ID, rehash, cur.UpdatedAt)
}

func (s *Service) loginAllowed(ctx context.Context, email, ip string) error {
	for _, c := range []struct {
		key  string
		rule ratelimit.Rule
	}{{"login:email:" + email, loginPerEmail}, {"login:ip:" + ip, loginPerIP}} {
		blocked, wait, err := s.Limiter.Exceeded(ctx, s.DB.SQL, c.key, c.rule)
		if err != nil {
			return err
		}
		if blocked {
			return ErrRateLimited.WithDetails("Too many failed logins; try again later").WithRetryAfter(wait.Round(time.Second) + time.Second)
		}
	}
	return nil
}

func (s *Service) loginFailed(ctx context.Context, email, ip string) error {
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.Limiter.Hit(ctx, tx, "login:email:"+email, loginPerEmail); err != nil {
			return err
		}
		_, _, err := s.Limiter.Hit(ctx, tx, "login:ip:"+ip, loginPerIP)
		return err
	})
	if err != nil {
		return err
	}
	return ErrInvalidCredentials.WithDetails("E-mail or password is wrong")
}

// VerifyLogin checks the login code and opens a session.
func (s *Service) VerifyLogin(ctx context.Context, email, code, ip, ua string) (Registered, error) {
	var out Registered
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if pending, err := s.OTP.HasCode(ctx, tx, otp.Login, email); err != nil || !pending {
			if err != nil {
				return err
			}
			return ErrInvalidState.WithDetails("No login is pending for this e-mail")
		}
		u, err := s.userByEmail(ctx, tx, email)
		if err != nil {
			return notFound(err, ErrInvalidState.WithDetails("No login is pending for this e-mail"))
		}
		if err := s.OTP.Check(ctx, tx, otp.Login, email, code, true); err != nil {
			return err
		}
		if u.Status == StatusDeactivated {
			return ErrAccountDeactivated
		}
		now := s.Now()
		if err := s.recordLogin(ctx, tx, u.ID, ip, now); err != nil {
			return err
		}
		if err := s.Limiter.Reset(ctx, tx, "login:email:"+email); err != nil {
			return err
		}
		if out.Tokens, err = s.newSession(ctx, tx, u, ip, ua); err != nil {
			return err
		}
		out.Profile, err = s.profile(ctx, tx, u.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("account: verify login: %w", err)
	}
	return out, nil
}

// Authenticate validates an access token and returns its principal. Every
// failure is ErrUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	c, err := s.Signer.parse(token, typAccess, s.Now())
	if err != nil {
		return Principal{}, ErrUnauthorized.WithDetails("The access token is invalid or expired")
	}
	u, language, walletID, err := s.sessionUser(ctx, s.DB.SQL, c.SID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (u.ID != c.UserID || u.Status == StatusDeactivated)) {
		return Principal{}, ErrUnauthorized.WithDetails("The session has ended")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("account: authenticate: %w", err)
	}
	return Principal{UserID: c.UserID, Email: c.Email, SessionID: c.SID, Status: u.Status, Language: language,
		own: &ownRow{user: u, walletID: walletID}}, nil
}

// Refresh rotates a refresh token. A token already rotated less than the
// grace period ago yields the very pair its first use got (a retried or
// concurrent request must not log the user out); after the grace, reuse is
// treated as theft and ends the session.
func (s *Service) Refresh(ctx context.Context, token string) (TokenPair, error) {
	now := s.Now()
	c, err := s.Signer.parse(token, typRefresh, now)
	if err != nil {
		return TokenPair{}, ErrUnauthorized.WithDetails("The refresh token is invalid or expired")
	}
	var pair TokenPair
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		rt, err := s.refreshTokenForUpdate(ctx, tx, c.ID)
		if err != nil {
			return notFound(err, ErrUnauthorized.WithDetails("The refresh token is unknown"))
		}
		userID, _, _, err := s.activeSession(ctx, tx, rt.SessionID)
		if err != nil || userID != c.UserID || rt.SessionID != c.SID {
			return notFound(err, ErrUnauthorized.WithDetails("The session has ended"))
		}
		u, err := s.userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Status == StatusDeactivated {
			return ErrUnauthorized.WithDetails("The account is deactivated")
		}
		if rt.UsedAt != nil {
			if now.Sub(*rt.UsedAt) <= refreshGrace && rt.SuccessorJTI != "" {
				next, err := s.refreshTokenForUpdate(ctx, tx, rt.SuccessorJTI)
				if err != nil {
					return err
				}
				pair, err = s.Signer.pair(pairSpec{UserID: u.ID, Email: u.Email, SID: rt.SessionID, JTI: next.JTI, IssuedAt: next.IssuedAt})
				return err
			}
			if err := s.revokeSession(ctx, tx, rt.SessionID, "refresh token reuse", now); err != nil {
				return err
			}
			if err := s.alertTokenReuse(ctx, tx, u); err != nil {
				return err
			}
			return store.CommitThenFail(ErrUnauthorized.WithDetails("The refresh token was already used"))
		}
		spec := pairSpec{UserID: u.ID, Email: u.Email, SID: rt.SessionID, JTI: newJTI(), IssuedAt: now.Truncate(time.Second)}
		if err := s.insertRefreshToken(ctx, tx, RefreshToken{JTI: spec.JTI, SessionID: spec.SID,
			IssuedAt: spec.IssuedAt, ExpiresAt: spec.IssuedAt.Add(s.Signer.refreshTTL)}); err != nil {
			return err
		}
		if err := s.markRefreshUsed(ctx, tx, rt.JTI, spec.JTI, now); err != nil {
			return err
		}
		pair, err = s.Signer.pair(spec)
		return err
	})
	if err != nil {
		return pair, fmt.Errorf("account: refresh: %w", err)
	}
	return pair, nil
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	if err := s.revokeSession(ctx, s.DB.SQL, p.SessionID, "logout", s.Now()); err != nil {
		return fmt.Errorf("account: logout: %w", err)
	}
	return nil
}

func newJTI() string { return secret.Hex(16) }
