package account

import (
	"context"
	"database/sql"
	"time"

	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Repo is the persistence the account domain needs. Methods return
// store.ErrNotFound for missing rows.
type Repo interface {
	UserByID(ctx context.Context, q store.Querier, id int64) (User, error)
	UserByIDForUpdate(ctx context.Context, tx *sql.Tx, id int64) (User, error)
	UserByEmail(ctx context.Context, q store.Querier, email string) (User, error)
	EmailTaken(ctx context.Context, q store.Querier, email string) (bool, error)
	UserIDByReferralCode(ctx context.Context, q store.Querier, code string) (int64, error)
	CreateUser(ctx context.Context, q store.Querier, u User) (int64, error)
	UpdateProfile(ctx context.Context, q store.Querier, id int64, p ProfileUpdate, now time.Time) error
	SetPasswordHash(ctx context.Context, q store.Querier, id int64, hash string, now time.Time) error
	SetEmail(ctx context.Context, q store.Querier, id int64, email string, now time.Time) error
	SetPhone(ctx context.Context, q store.Querier, id int64, phone string, now time.Time) error
	SetTxPassword(ctx context.Context, q store.Querier, id int64, hash string, now time.Time) error
	SetTxPasswordFailures(ctx context.Context, q store.Querier, id int64, fails int, lockedUntil time.Time) error
	SetStatus(ctx context.Context, q store.Querier, id int64, status Status, now time.Time) error
	RecordLogin(ctx context.Context, q store.Querier, id int64, ip string, now time.Time) error
	SetReferralCode(ctx context.Context, q store.Querier, id int64, code string, now time.Time) error

	// Referral links (users.referred_by): level 1 = referred by the user,
	// level 2 = referred by a level-1 referee; level 0 = both.
	Referees(ctx context.Context, q store.Querier, userID int64, level, limit, offset int) ([]Referee, int, error)
	RefereeCounts(ctx context.Context, q store.Querier, userID int64) (level1, level2 int, err error)
	DirectRefereeIDs(ctx context.Context, q store.Querier, userID int64) ([]int64, error)

	PendingRegistration(ctx context.Context, q store.Querier, email string) (PendingRegistration, error)
	PutPendingRegistration(ctx context.Context, q store.Querier, p PendingRegistration) error
	DeletePendingRegistration(ctx context.Context, q store.Querier, email string) error

	CreateSession(ctx context.Context, q store.Querier, s Session) error
	// ActiveSession returns the owner and status of a session that is not
	// revoked; store.ErrNotFound otherwise.
	ActiveSession(ctx context.Context, q store.Querier, sid string) (userID int64, status Status, language string, err error)
	// Language returns the user's recorded language ("en", "zh", "ar").
	Language(ctx context.Context, q store.Querier, userID int64) (string, error)
	// SetLanguage records the user's language ("en", "zh", "ar").
	SetLanguage(ctx context.Context, q store.Querier, userID int64, language string) error
	RevokeSession(ctx context.Context, q store.Querier, sid, reason string, now time.Time) error
	// RevokeUserSessions revokes every live session of the user except keepSID.
	RevokeUserSessions(ctx context.Context, q store.Querier, userID int64, keepSID, reason string, now time.Time) error
	InsertRefreshToken(ctx context.Context, q store.Querier, t RefreshToken) error
	RefreshTokenForUpdate(ctx context.Context, tx *sql.Tx, jti string) (RefreshToken, error)
	MarkRefreshUsed(ctx context.Context, q store.Querier, jti, successor string, now time.Time) error

	PendingChange(ctx context.Context, q store.Querier, userID int64, kind ChangeKind) (PendingChange, error)
	PutPendingChange(ctx context.Context, q store.Querier, c PendingChange) error
	DeletePendingChange(ctx context.Context, q store.Querier, userID int64, kind ChangeKind) error
}

// Mailer queues an e-mail in the caller's transaction, so it is sent only if
// the change that needs it commits.
type Mailer interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, m mail.Message) error
}

// Wallets opens the wallet of a new user and names it.
type Wallets interface {
	OpenTx(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) (walletID string, err error)
	WalletID(ctx context.Context, q store.Querier, userID int64) (string, error)
}

// KYCStatuses derives the user-level KYC status (API.md §3.4.1).
type KYCStatuses interface {
	UserKYC(ctx context.Context, q store.Querier, userID int64) (status string, level int, err error)
}

// PushDevices forgets a user's push devices (account deactivation).
type PushDevices interface {
	RemoveAll(ctx context.Context, q store.Querier, userID int64) error
}

// DeactivationGuard explains why an account may not be closed yet ("" = ok).
// It runs in the deactivating transaction and may lock what must not change
// until the status flip commits (money arriving).
type DeactivationGuard interface {
	DeactivationBlocker(ctx context.Context, tx *sql.Tx, userID int64) (string, error)
}

// Guards asks each guard in turn; the first objection wins. The wallet's
// comes first: an operation that moves the user's money out of their
// balances (a swap's hold) commits its open record in the same transaction,
// so either the balances or the later check sees it.
type Guards []DeactivationGuard

// DeactivationBlocker implements DeactivationGuard.
func (g Guards) DeactivationBlocker(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	for _, guard := range g {
		if why, err := guard.DeactivationBlocker(ctx, tx, userID); err != nil || why != "" {
			return why, err
		}
	}
	return "", nil
}
