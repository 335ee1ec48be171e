// Package wallet is the user's multi-currency wallet: the wallet record and
// its deposit addresses, balances read from the ledger, deposits reported by
// the custody provider, and internal transfers.
package wallet

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Custody is the custody provider port: it owns on-chain addresses.
type Custody interface {
	// DepositAddress asks the provider for a new deposit address of the
	// user on cur's chain (cur is the first enabled currency of that
	// network). A real provider makes a new address on every call: the
	// wallet calls it once per user and chain (ensureAddresses).
	DepositAddress(ctx context.Context, userID int64, cur Currency) (string, error)
	AddressChecker
}

// Rates gives the current USD-stablecoin → HKD rate.
type Rates interface {
	USDTHKD(ctx context.Context) (money.Rate, error)
}

// TxPasswords verifies a transaction password inside the caller's
// transaction (attempt-limited; failures are committed).
type TxPasswords interface {
	CheckTxPassword(ctx context.Context, tx *sql.Tx, userID int64, password string) error
	// LockPayer locks the paying user's row, refusing a frozen account; the
	// Payer then checks the password on that one read.
	LockPayer(ctx context.Context, tx *sql.Tx, userID int64) (*account.Payer, error)
}

// Users tells the wallet about account states.
type Users interface {
	// AccountStatus returns the account's status, or store.ErrNotFound.
	AccountStatus(ctx context.Context, q store.Querier, userID int64) (account.Status, error)
	// StatusAndLanguage is AccountStatus with the user's language, for a
	// recipient about to be notified.
	StatusAndLanguage(ctx context.Context, q store.Querier, userID int64) (account.Status, i18n.Lang, error)
	// EnsureWritable refuses writes of a frozen account (ACCOUNT_FROZEN).
	EnsureWritable(ctx context.Context, q store.Querier, userID int64) error
	// Overrides returns the user's operator-set limits and fee exemption.
	Overrides(ctx context.Context, q store.Querier, userID int64) (account.Overrides, error)
}

// CardBalances gives the sum of a user's card balances (HKD cents), the
// wallet's read-only HKD entry.
type CardBalances interface {
	TotalBalance(ctx context.Context, q store.Querier, userID int64) (money.Amount, error)
}

// Limits are the wallet's deployment rules; the figures of API.md §3.3
// (fees, amounts, limits, the auto-approval threshold) are operator
// settings, read when used (package settings).
type Limits struct {
	// AutoApproveWithdrawals approves every withdrawal without an operator
	// (sandbox mode), whatever the auto-approval threshold.
	AutoApproveWithdrawals bool
}

// Deps are the collaborators of the Service.
type Deps struct {
	DB          *store.DB
	Ledger      *ledger.Ledger
	Currencies  *Currencies
	Custody     Custody
	Rates       Rates
	TxPasswords TxPasswords
	Users       Users
	Cards       CardBalances
	Notifier    Notifier
	Limits      Limits
	// Settings give the withdrawal, transfer and deposit figures.
	Settings *settings.Service
	// Quotas counts each user's withdrawal requests (WithdrawalsPerHour,
	// WithdrawalsPerDay).
	Quotas *ratelimit.Counter
	// FXSpread is taken off the mid rate on each side (a fraction, 8 decimals).
	FXSpread money.Rate
	Log      *slog.Logger
	Now      func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("wallet", deps.Wired{
		"DB": d.DB != nil, "Ledger": d.Ledger != nil, "Currencies": d.Currencies != nil, "Custody": d.Custody != nil,
		"Rates": d.Rates != nil, "TxPasswords": d.TxPasswords != nil, "Users": d.Users != nil, "Cards": d.Cards != nil,
		"Notifier": d.Notifier != nil, "Quotas": d.Quotas != nil, "Settings": d.Settings != nil, "Log": d.Log != nil, "Now": d.Now != nil,
	})
}

// Service implements the wallet use cases.
type Service struct{ Deps }

// NewService returns a Service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// NewWalletID derives the public wallet id "CCP" + 14 digits: the opening
// date (yyMMdd, UTC) and the user id modulo 10^8. It is unique as long as
// fewer than 10^8 users register on one day, and it never changes.
func NewWalletID(userID int64, opened time.Time) string {
	return fmt.Sprintf("CCP%s%08d", opened.UTC().Format("060102"), userID%100_000_000)
}

// OpenTx creates the wallet of a new user in the caller's transaction.
func (s *Service) OpenTx(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) (string, error) {
	id := NewWalletID(userID, now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO wallets (user_id, wallet_id, status, created_at) VALUES ($1, $2, 'active', $3)`,
		userID, id, store.At(now)); err != nil {
		return "", fmt.Errorf("wallet: open for user %d: %w", userID, err)
	}
	return id, nil
}

// WalletID returns the public id of a user's wallet, or store.ErrNotFound.
func (s *Service) WalletID(ctx context.Context, q store.Querier, userID int64) (string, error) {
	var id string
	if err := q.QueryRowContext(ctx, `SELECT wallet_id FROM wallets WHERE user_id = $1`, userID).Scan(&id); err != nil {
		return "", fmt.Errorf("wallet: id of user %d: %w", userID, store.NotFound(err))
	}
	return id, nil
}

// record is a wallet row.
type record struct {
	UserID    int64
	WalletID  string
	Status    string
	CreatedAt time.Time
}

// wallet reads a user's wallet row; store.ErrNotFound when there is none.
func (s *Service) wallet(ctx context.Context, q store.Querier, userID int64) (record, error) {
	var r record
	err := q.QueryRowContext(ctx, `SELECT user_id, wallet_id, status, created_at FROM wallets WHERE user_id = $1`, userID).
		Scan(&r.UserID, &r.WalletID, &r.Status, store.TimeInto(&r.CreatedAt))
	return r, store.NotFound(err)
}
