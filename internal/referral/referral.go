// Package referral is the two-level referral programme of API.md §2.10 and
// §3.5: referral codes, the referees of a user, tiers chosen by the number
// of qualified direct referees, and the commissions paid to the two
// referrers above a user when their card is issued (card opening) or a swap
// of theirs completes (transaction). Commissions are computed by a job the
// paying event queues in its own transaction, and credited on the ledger
// from the platform's commission expense account.
package referral

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// CommissionType is what a commission is paid on (API.md §2.10).
type CommissionType string

// Commission types.
const (
	TypeCardOpening CommissionType = "card_opening"
	TypeTransaction CommissionType = "transaction"
)

// CommissionStatus is the state of a commission (API.md §2.10, §3.4.9).
type CommissionStatus string

// Commission statuses.
const (
	StatusCredited  CommissionStatus = "credited"
	StatusPending   CommissionStatus = "pending" // beneficiary frozen: recorded, not paid
	StatusCancelled CommissionStatus = "cancelled"
	StatusFailed    CommissionStatus = "failed"
)

// NotifyCredited is the notification type of a credited commission (§3.6).
const NotifyCredited = notification.TypeCommissionCredited

// Accounts is what the referral programme needs of the account domain,
// which owns the referral links (fixed at registration).
type Accounts interface {
	ReferrerOf(ctx context.Context, q store.Querier, userID int64) (int64, error)
	Person(ctx context.Context, q store.Querier, userID int64) (account.Referee, error)
	Referees(ctx context.Context, userID int64, level, limit, offset int) ([]account.Referee, int, error)
	RefereeCounts(ctx context.Context, q store.Querier, userID int64) (level1, level2 int, err error)
	DirectRefereeIDs(ctx context.Context, q store.Querier, userID int64) ([]int64, error)
	EnsureReferralCode(ctx context.Context, userID int64) (string, error)
}

// FeePayments tells which users have paid a card fee: a referee counts
// towards the referrer's tier once qualified (≥ 1 completed payment).
type FeePayments interface {
	CountPaying(ctx context.Context, q store.Querier, userIDs []int64) (int, error)
}

// Notifier creates in-app notifications in the caller's transaction.
type Notifier interface {
	Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error)
}

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Deps are the collaborators of the Service.
type Deps struct {
	DB       *store.DB
	Ledger   *ledger.Ledger
	Wallets  *wallet.Service
	Accounts Accounts
	Fees     FeePayments
	Notifier Notifier
	Jobs     Inserter
	// Settings give the wallet currency commissions are paid in (a USD
	// stablecoin, 1 USD = 1 unit), read when a commission is paid.
	Settings *settings.Service
	Now      func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("referral", deps.Wired{
		"DB": d.DB != nil, "Ledger": d.Ledger != nil, "Wallets": d.Wallets != nil, "Accounts": d.Accounts != nil,
		"Fees": d.Fees != nil, "Notifier": d.Notifier != nil, "Jobs": d.Jobs != nil, "Settings": d.Settings != nil, "Now": d.Now != nil,
	})
}

// Service implements the referral programme.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service {
	return &Service{Deps: d}
}

// MaskEmail hides an address the way referral screens show it (API.md
// §2.10): the first two characters of the local part, "***", the domain;
// a local part of two characters or fewer keeps one.
func MaskEmail(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return "***"
	}
	local, domain := []rune(email[:at]), email[at:]
	keep := 2
	if len(local) <= 2 {
		keep = 1
	}
	keep = min(keep, len(local))
	return string(local[:keep]) + "***" + domain
}

func masked(p account.Referee) account.Referee {
	p.Email = MaskEmail(p.Email)
	return p
}
