package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Flow timings of API.md §2.1–2.2.
const (
	otpLength        = 5
	pendingLifetime  = 30 * time.Minute
	txPasswordTTL    = 10 * time.Minute
	refreshGrace     = 60 * time.Second
	txPasswordLock   = 30 * time.Minute
	txPasswordTries  = 5
	maxReferralTries = 8
)

// Login limits of API.md §1.14.
var (
	loginPerEmail = ratelimit.Rule{Max: 5, Window: 15 * time.Minute}
	loginPerIP    = ratelimit.Rule{Max: 50, Window: 15 * time.Minute}
)

// Deps are the collaborators of the Service.
type Deps struct {
	DB      *store.DB
	OTP     *otp.Service
	Limiter *ratelimit.Counter
	Mailer  Mailer
	// Notifier tells the user about security events in-app.
	Notifier Notifier
	Wallets  Wallets
	KYC      KYCStatuses
	Guard    DeactivationGuard
	Devices  PushDevices
	Signer   *Signer
	Hasher   *secret.Hasher
	Hash     HashProfile
	Now      func() time.Time
	// EchoOTP returns codes in responses (sandbox mode only, API.md §1.11).
	EchoOTP bool
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("account", deps.Wired{
		"DB": d.DB != nil, "OTP": d.OTP != nil, "Limiter": d.Limiter != nil,
		"Mailer": d.Mailer != nil, "Notifier": d.Notifier != nil, "Wallets": d.Wallets != nil, "KYC": d.KYC != nil,
		"Guard": d.Guard != nil, "Devices": d.Devices != nil, "Signer": d.Signer != nil, "Hasher": d.Hasher != nil,
		"Now": d.Now != nil,
	})
}

// Service implements the account use cases.
type Service struct {
	Deps
	// dummyHash is verified against when an e-mail is unknown, so a login for
	// an unknown address costs the same time as one with a wrong password.
	dummyHash string
	// txPasswords keys the transaction-password hashes (txpassword_hash.go)
	// with a key of their own, derived from the data key.
	txPasswords *secret.Hasher
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	s := &Service{Deps: d, dummyHash: hashSecret(d.Hash, secret.Hex(16))}
	if d.Hasher != nil { // Check names a missing Hasher
		s.txPasswords = txPasswordHasher(d.Hasher)
	}
	return s
}

func (s *Service) echo(code string) string {
	if s.EchoOTP {
		return code
	}
	return ""
}

func (s *Service) sendCode(ctx context.Context, tx *sql.Tx, to, subject, code string) error {
	return s.Mailer.EnqueueTx(ctx, tx, mail.Message{
		To:      to,
		Subject: subject,
		Body:    fmt.Sprintf("Your ComeComePay verification code is %s. It is valid for 10 minutes. If you did not request it, ignore this message and do not share the code with anyone.", code),
		OTP:     code,
	})
}

func (s *Service) sendNotice(ctx context.Context, tx *sql.Tx, to, subject, body string) error {
	return s.Mailer.EnqueueTx(ctx, tx, mail.Message{To: to, Subject: subject, Body: body})
}

// Profile returns the User object of a user.
func (s *Service) Profile(ctx context.Context, userID int64) (Profile, error) {
	return s.profile(ctx, s.DB.SQL, userID)
}

// ProfileOf returns the User object of the request's own user, built on
// the account row its authentication read in the same request.
func (s *Service) ProfileOf(ctx context.Context, p Principal) (Profile, error) {
	if p.own == nil || p.own.user.ID != p.UserID {
		return s.Profile(ctx, p.UserID)
	}
	return s.profileOf(ctx, s.DB.SQL, p.own.user, p.own.walletID)
}

func (s *Service) profile(ctx context.Context, q store.Querier, userID int64) (Profile, error) {
	u, err := s.userByID(ctx, q, userID)
	if errors.Is(err, store.ErrNotFound) {
		return Profile{}, ErrUserNotFound
	}
	if err != nil {
		return Profile{}, err
	}
	return s.profileOf(ctx, q, u, "")
}

// profileOf adds to u what other domains know about the user; walletID is
// the wallet id when already known ("": ask the wallets).
func (s *Service) profileOf(ctx context.Context, q store.Querier, u User, walletID string) (Profile, error) {
	p := Profile{User: u, WalletID: walletID}
	var err error
	if p.WalletID == "" {
		if p.WalletID, err = s.Wallets.WalletID(ctx, q, u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return Profile{}, err
		}
	}
	if p.KYCStatus, p.KYCLevel, err = s.KYC.UserKYC(ctx, q, u.ID); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// newSession creates a session and its first token pair inside tx.
func (s *Service) newSession(ctx context.Context, tx *sql.Tx, u User, ip, ua string) (TokenPair, error) {
	now := s.Now()
	sess := Session{ID: secret.Hex(16), UserID: u.ID, CreatedAt: now, IP: ip, UserAgent: text.Truncate(ua, 256)}
	if err := s.insertSession(ctx, tx, sess); err != nil {
		return TokenPair{}, err
	}
	return s.issuePair(ctx, tx, u.ID, u.Email, sess.ID, now)
}

func (s *Service) issuePair(ctx context.Context, q store.Querier, userID int64, email, sid string, now time.Time) (TokenPair, error) {
	spec := pairSpec{UserID: userID, Email: email, SID: sid, JTI: newJTI(), IssuedAt: now.Truncate(time.Second)}
	if err := s.insertRefreshToken(ctx, q, RefreshToken{JTI: spec.JTI, SessionID: sid, IssuedAt: spec.IssuedAt,
		ExpiresAt: spec.IssuedAt.Add(s.Signer.refreshTTL)}); err != nil {
		return TokenPair{}, err
	}
	return s.Signer.pair(spec)
}

func notFound(err error, replacement error) error {
	if errors.Is(err, store.ErrNotFound) {
		return replacement
	}
	return err
}

// AccountStatus returns a user's account status for other domains, or
// store.ErrNotFound.
func (s *Service) AccountStatus(ctx context.Context, q store.Querier, userID int64) (Status, error) {
	u, err := s.userByID(ctx, q, userID)
	if err != nil {
		return "", fmt.Errorf("account: account status: %w", err)
	}
	return u.Status, nil
}

// UserIDByEmail finds an account by e-mail (sandbox helpers and operators).
func (s *Service) UserIDByEmail(ctx context.Context, raw string) (int64, error) {
	email, ok := ParseEmail(raw)
	if !ok {
		return 0, ErrUserNotFound
	}
	u, err := s.userByEmail(ctx, s.DB.SQL, email)
	if err != nil {
		return 0, notFound(err, ErrUserNotFound)
	}
	return u.ID, nil
}

// CopyKYCProfile copies the KYC form's address fields to the profile, and
// the names when the profile has none yet (API.md §2.5).
func (s *Service) CopyKYCProfile(ctx context.Context, tx *sql.Tx, userID int64, firstName, lastName, address, city, state, postCode,
	areaCode, billCountry string) error {
	u, err := s.userByIDForUpdate(ctx, tx, userID)
	if err != nil {
		return fmt.Errorf("account: copy kyc profile: %w", notFound(err, ErrUserNotFound))
	}
	upd := ProfileUpdate{Address: &address, City: &city, State: &state, PostCode: &postCode, AreaCode: &areaCode, Bill: &billCountry}
	if deref(u.FirstName) == "" {
		upd.FirstName = &firstName
	}
	if deref(u.LastName) == "" {
		upd.LastName = &lastName
	}
	if err := s.saveProfile(ctx, tx, userID, upd, s.Now()); err != nil {
		return fmt.Errorf("account: copy kyc profile: %w", err)
	}
	return nil
}

// LockUser takes the user's row lock for the rest of tx: card applications
// of one user are serialised on it (API.md §3.2). A closed account is
// refused with ACCOUNT_DEACTIVATED: the deactivation holds the same lock, so
// an application that waited for it reads the status it committed (a
// locking read returns the row's latest version) instead of opening a card
// for the closed account.
func (s *Service) LockUser(ctx context.Context, tx *sql.Tx, userID int64) error {
	u, err := s.userByIDForUpdate(ctx, tx, userID)
	if err != nil {
		return fmt.Errorf("account: lock user: %w", notFound(err, ErrUserNotFound))
	}
	if u.Status == StatusDeactivated {
		return ErrAccountDeactivated.WithDetails("The account is closed")
	}
	return nil
}

// EnsureWritable refuses money-moving and card-changing writes of a frozen
// account with ACCOUNT_FROZEN (API.md §1.3); other domains call it inside
// their transaction.
func (s *Service) EnsureWritable(ctx context.Context, q store.Querier, userID int64) error {
	u, err := s.userByID(ctx, q, userID)
	if err != nil {
		return fmt.Errorf("account: ensure writable: %w", notFound(err, ErrUserNotFound))
	}
	if u.Status == StatusFrozen {
		return ErrAccountFrozen
	}
	return nil
}
