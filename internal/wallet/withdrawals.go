package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
)

// WithdrawalStatus is the state of a withdrawal (API.md §3.4.6).
type WithdrawalStatus string

// Withdrawal statuses.
const (
	WithdrawalPending   WithdrawalStatus = "pending"
	WithdrawalApproved  WithdrawalStatus = "approved"
	WithdrawalCompleted WithdrawalStatus = "completed"
	WithdrawalRejected  WithdrawalStatus = "rejected"
	WithdrawalFailed    WithdrawalStatus = "failed"
)

// Withdrawal errors.
var (
	ErrInvalidAddress     = apperr.New("INVALID_ADDRESS")
	ErrInternalAddress    = apperr.New("INTERNAL_ADDRESS")
	ErrLimitExceeded      = apperr.New("LIMIT_EXCEEDED")
	ErrWithdrawalNotFound = apperr.New(apperr.CodeNotFound)
	ErrWithdrawalState    = apperr.New(apperr.CodeInvalidState)
)

// WithdrawalOrder is what the custody provider is asked to send on chain.
type WithdrawalOrder struct {
	BusinessID string // our withdrawal id: the provider's idempotency key
	Currency   Currency
	Address    string
	Amount     money.Amount // what arrives on chain (gross − fee)
}

// Withdrawal is a withdrawal record.
type Withdrawal struct {
	ID           int64
	UserID       int64
	Currency     Currency
	Amount       money.Amount // gross, debited from the balance
	Fee          money.Amount
	Address      string
	Status       WithdrawalStatus
	TxHash       string
	RejectReason string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CompletedAt  *time.Time
}

// ActualAmount is what the chain transfer carries.
func (w Withdrawal) ActualAmount() money.Amount { return w.Amount - w.Fee }

// FeeQuote is the answer of GET /wallet/withdrawal-fee-info.
type FeeQuote struct {
	Currency  Currency
	Amount    money.Amount
	Fee       money.Amount
	Actual    money.Amount
	MinAmount money.Amount
	MaxAmount money.Amount
	// Rule is the currency's fee rule (API.md §3.3: fixed 1 unit by
	// default, or a percentage with a minimum).
	Rule settings.WithdrawalFee
}

func feeQuote(v settings.Values, c Currency, amount money.Amount) FeeQuote {
	rule := v.WithdrawalFee(c.Name)
	fee := rule.For(amount)
	return FeeQuote{Currency: c, Amount: amount, Fee: fee, Actual: max(amount-fee, 0), Rule: rule,
		MinAmount: settings.Units(v.WithdrawalMin, c.Decimals), MaxAmount: settings.Units(v.WithdrawalMax, c.Decimals)}
}

// WithdrawalInput is a parsed withdrawal request.
type WithdrawalInput struct {
	UserID     int64
	Currency   Currency
	Amount     money.Amount
	Address    string
	TxPassword string // "" = not sent
}

// RequestWithdrawal holds amount (gross) on the ledger and records a pending
// withdrawal, in the caller's transaction. With auto-approval it is
// approved and queued for the custody provider at once.
func (s *Service) RequestWithdrawal(ctx context.Context, tx *sql.Tx, jobs Inserter, in WithdrawalInput) (Withdrawal, error) {
	// Fee, limits and approval rule in force for this user, read in this
	// transaction.
	v, err := s.valuesFor(ctx, tx, in.UserID)
	if err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: request withdrawal for user %d: %w", in.UserID, err)
	}
	q := feeQuote(v, in.Currency, in.Amount)
	if in.Amount < q.MinAmount || in.Amount > q.MaxAmount {
		return Withdrawal{}, amountOutOfRange("amount", q.MinAmount, q.MaxAmount, in.Currency.Decimals)
	}
	if in.Amount <= q.Fee {
		return Withdrawal{}, apperr.Validation(map[string]string{"amount": "must exceed the fee of " + q.Fee.Format(in.Currency.Decimals)})
	}
	if !chain.Valid(in.Currency.Network, in.Address) {
		return Withdrawal{}, ErrInvalidAddress.WithDetails("Not a valid " + string(in.Currency.Network) + " address")
	}
	var internal bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deposit_addresses WHERE network = $1 AND canonical = $2)`,
		string(in.Currency.Network), chain.Canonical(in.Currency.Network, in.Address)).Scan(&internal); err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: request withdrawal for user %d: address lookup: %w", in.UserID, err)
	}
	if internal {
		return Withdrawal{}, ErrInternalAddress.WithDetails("This is a ComeComePay deposit address: use transfer-by-uid")
	}
	if err := s.ensureSenderActive(ctx, tx, in.UserID); err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: request withdrawal for user %d: %w", in.UserID, err)
	}
	if in.TxPassword != "" || v.WithdrawalRequiresTxPassword {
		if err := s.TxPasswords.CheckTxPassword(ctx, tx, in.UserID, in.TxPassword); err != nil {
			return Withdrawal{}, fmt.Errorf("wallet: request withdrawal for user %d: %w", in.UserID, err)
		}
	}
	if err := s.checkWithdrawalLimits(ctx, tx, v, in); err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: request withdrawal for user %d: %w", in.UserID, err)
	}
	if err := s.Quotas.Take(ctx, tx, "withdrawals", in.UserID,
		ratelimit.Rule{Max: WithdrawalsPerHour, Window: time.Hour}, ratelimit.Rule{Max: WithdrawalsPerDay, Window: 24 * time.Hour}); err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: request withdrawal for user %d: %w", in.UserID, err)
	}
	now := s.Now()
	w := Withdrawal{UserID: in.UserID, Currency: in.Currency, Amount: in.Amount, Fee: q.Fee, Address: in.Address,
		Status: WithdrawalPending, CreatedAt: now, UpdatedAt: now}
	if err := tx.QueryRowContext(ctx, `INSERT INTO withdrawals (user_id, currency, network, amount, fee, address, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, w.UserID, in.Currency.Name, string(in.Currency.Network),
		int64(w.Amount), int64(w.Fee), w.Address, w.Status, store.At(now)).Scan(&w.ID); err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: request withdrawal for user %d: insert: %w", in.UserID, err)
	}
	ref := withdrawalRef(w.ID)
	if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "withdrawal-hold:" + strconv.FormatInt(w.ID, 10), Kind: "withdrawal_hold",
		Entries: []ledger.Entry{
			{Account: ledger.UserAccount(w.UserID, ledger.Available, in.Currency.Name), Amount: -w.Amount},
			{Account: ledger.UserAccount(w.UserID, ledger.WithdrawalHold, in.Currency.Name), Amount: w.Amount},
		}}); err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: withdrawal %s: hold: %w", ref, err)
	}
	activityID, err := s.RecordActivity(ctx, tx, Activity{UserID: w.UserID, Type: ActivityWithdraw, Status: ActivityPending,
		Amount: -w.Amount, Currency: in.Currency.Name, Fee: w.Fee, Description: "Withdrawal", Address: w.Address, Reference: ref,
		SourceTable: "withdrawals", SourceID: w.ID})
	if err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: withdrawal %s: %w", ref, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE withdrawals SET activity_id = $1 WHERE id = $2`, activityID, w.ID); err != nil {
		return Withdrawal{}, fmt.Errorf("wallet: withdrawal %s: link history row: %w", ref, err)
	}
	if s.Limits.AutoApproveWithdrawals || autoApproved(v, in) {
		if err := s.approve(ctx, tx, jobs, w.ID); err != nil {
			return Withdrawal{}, fmt.Errorf("wallet: withdrawal %s: auto-approve: %w", ref, err)
		}
		w.Status = WithdrawalApproved
	}
	return w, nil
}

func withdrawalRef(id int64) string { return "WDR" + strconv.FormatInt(id, 10) }

func (s *Service) ensureSenderActive(ctx context.Context, tx *sql.Tx, userID int64) error {
	if err := s.Users.EnsureWritable(ctx, tx, userID); err != nil {
		return err
	}
	w, err := s.wallet(ctx, tx, userID)
	if err != nil {
		return fmt.Errorf("read wallet: %w", err)
	}
	if w.Status != "active" {
		return ErrWalletNotActive
	}
	return nil
}

// autoApproved: within the auto-approval threshold (USD-equivalent,
// stablecoins 1:1, the amount rounded up to the cent so a borderline one
// waits for an operator). A zero threshold approves nothing.
func autoApproved(v settings.Values, in WithdrawalInput) bool {
	if v.WithdrawalAutoApproveMaxUSD <= 0 {
		return false
	}
	cents := in.Amount
	if in.Currency.Decimals > 2 {
		p := money.Amount(pow10(in.Currency.Decimals - 2))
		cents = (in.Amount + p - 1) / p
	}
	return cents <= v.WithdrawalAutoApproveMaxUSD
}

// checkWithdrawalLimits applies the daily and monthly limits (USD
// equivalent; stablecoins count 1:1) over withdrawals not refunded.
func (s *Service) checkWithdrawalLimits(ctx context.Context, tx *sql.Tx, v settings.Values, in WithdrawalInput) error {
	now := s.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, w := range []struct {
		since time.Time
		limit money.Amount
		name  string
	}{{day, v.WithdrawalDailyLimitUSD, "daily"}, {month, v.WithdrawalMonthlyLimitUSD, "monthly"}} {
		var used int64
		// All crypto currencies have 6 decimals; the sum is in micro-units.
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM withdrawals
			WHERE user_id = $1 AND created_at >= $2 AND status NOT IN ($3, $4)`, in.UserID, store.At(w.since),
			WithdrawalRejected, WithdrawalFailed).Scan(&used); err != nil {
			return fmt.Errorf("sum %s withdrawals: %w", w.name, err)
		}
		// The limit (cents) in the currency's minor units: an exact comparison.
		if money.Amount(used)+in.Amount > rescale(w.limit, 2, in.Currency.Decimals) {
			return ErrLimitExceeded.WithDetails("The " + w.name + " withdrawal limit of " + w.limit.Format(2) + " would be exceeded")
		}
	}
	return nil
}

// SubmitArgs is the job that hands an approved withdrawal to custody.
type SubmitArgs struct {
	WithdrawalID int64 `json:"withdrawal_id"`
}

// Kind implements river.JobArgs.
func (SubmitArgs) Kind() string { return "wallet.withdrawal.submit" }

// InsertOpts retries a failing provider for about a day.
func (SubmitArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

func (s *Service) approve(ctx context.Context, tx *sql.Tx, jobs Inserter, id int64) error {
	if _, err := s.withdrawalForUpdate(ctx, tx, id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE withdrawals SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`,
		WithdrawalApproved, store.At(s.Now()), id, WithdrawalPending)
	if err != nil {
		return fmt.Errorf("mark approved: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrWithdrawalState.WithDetails("Only a pending withdrawal can be approved")
	}
	if err := s.setActivityStatus(ctx, tx, id, WithdrawalApproved, false); err != nil {
		return err
	}
	if _, err := jobs.InsertTx(ctx, tx, SubmitArgs{WithdrawalID: id}, nil); err != nil {
		return fmt.Errorf("queue submission: %w", err)
	}
	return nil
}

// ApproveWithdrawal approves a pending withdrawal and queues its submission
// to custody, unaudited: operators go through the back office
// (ApproveWithdrawalTx); this is for tests of the wallet itself.
func (s *Service) ApproveWithdrawal(ctx context.Context, jobs Inserter, id int64) error {
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		_, _, err := s.ApproveWithdrawalTx(ctx, tx, jobs, id)
		return err
	})
}

// RejectWithdrawal rejects a pending withdrawal and returns the held
// amount, fee included, unaudited: operators go through the back office
// (RejectWithdrawalTx); this is for tests of the wallet itself.
func (s *Service) RejectWithdrawal(ctx context.Context, id int64, reason string) error {
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		_, _, err := s.RejectWithdrawalTx(ctx, tx, id, reason)
		return err
	})
}

// finishWithRefund moves a withdrawal to rejected or failed and returns the
// full held amount to the available balance.
func (s *Service) finishWithRefund(ctx context.Context, tx *sql.Tx, id int64, status WithdrawalStatus, reason string,
	from []WithdrawalStatus) error {
	w, err := s.withdrawalForUpdate(ctx, tx, id)
	if err != nil {
		return err
	}
	if !slices.Contains(from, w.Status) {
		return ErrWithdrawalState.WithDetails("The withdrawal is " + string(w.Status))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE withdrawals SET status = $1, reject_reason = $2, updated_at = $3 WHERE id = $4`,
		status, reason, store.At(s.Now()), id); err != nil {
		return fmt.Errorf("mark %s: %w", status, err)
	}
	if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "withdrawal-refund:" + strconv.FormatInt(id, 10), Kind: "withdrawal_refund",
		Entries: []ledger.Entry{
			{Account: ledger.UserAccount(w.UserID, ledger.WithdrawalHold, w.Currency.Name), Amount: -w.Amount},
			{Account: ledger.UserAccount(w.UserID, ledger.Available, w.Currency.Name), Amount: w.Amount},
		}}); err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	if err := s.setActivityStatus(ctx, tx, id, status, false); err != nil {
		return err
	}
	if _, err := s.RecordActivity(ctx, tx, Activity{UserID: w.UserID, Type: ActivityRefund, Status: ActivityCompleted, Amount: w.Amount,
		Currency: w.Currency.Name, Description: "Withdrawal refund", Address: w.Address, Reference: withdrawalRef(id),
		SourceTable: "withdrawals", SourceID: id, Completed: true}); err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	return nil
}

// completeWithdrawal books a withdrawal the chain confirmed: the hold goes
// out to custody, the fee to revenue.
func (s *Service) completeWithdrawal(ctx context.Context, tx *sql.Tx, id int64, txHash string) error {
	w, err := s.withdrawalForUpdate(ctx, tx, id)
	if err != nil {
		return err
	}
	if w.Status != WithdrawalApproved && w.Status != WithdrawalPending {
		return nil // final already; states only move forward
	}
	now := store.At(s.Now())
	if _, err := tx.ExecContext(ctx, `UPDATE withdrawals SET status = $1, tx_hash = $2, updated_at = $3, completed_at = $3 WHERE id = $4`,
		WithdrawalCompleted, txHash, now, id); err != nil {
		return fmt.Errorf("mark completed: %w", err)
	}
	entries := []ledger.Entry{
		{Account: ledger.UserAccount(w.UserID, ledger.WithdrawalHold, w.Currency.Name), Amount: -w.Amount},
		{Account: ledger.HouseAccount(ledger.Custody, w.Currency.Name), Amount: w.ActualAmount()},
	}
	if w.Fee > 0 {
		entries = append(entries, ledger.Entry{Account: ledger.HouseAccount(ledger.FeeIncome, w.Currency.Name), Amount: w.Fee})
	}
	if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "withdrawal:" + strconv.FormatInt(id, 10), Kind: "withdrawal",
		Entries: entries}); err != nil {
		return fmt.Errorf("book: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE unified_transactions SET status = $1, tx_hash = $2, completed_at = $3
		WHERE source_table = 'withdrawals' AND source_id = $4 AND type = $5`, ActivityCompleted, txHash, now, id,
		ActivityWithdraw); err != nil {
		return fmt.Errorf("history row: %w", err)
	}
	return s.notifyWithdrawal(ctx, tx, id, WithdrawalCompleted)
}

// setActivityStatus follows a withdrawal's transition in its history row
// and tells the user.
func (s *Service) setActivityStatus(ctx context.Context, tx *sql.Tx, id int64, status WithdrawalStatus, completed bool) error {
	if err := s.SetActivityStatus(ctx, tx, "withdrawals", id, ActivityWithdraw, ActivityStatus(status), completed); err != nil {
		return err
	}
	return s.notifyWithdrawal(ctx, tx, id, status)
}

const withdrawalColumns = `id, user_id, currency, amount, fee, address, status, tx_hash, reject_reason, created_at, updated_at, completed_at`

func (s *Service) scanWithdrawal(row interface{ Scan(...any) error }) (Withdrawal, error) {
	var (
		w         Withdrawal
		cur       string
		completed time.Time
	)
	if err := row.Scan(&w.ID, &w.UserID, &cur, &w.Amount, &w.Fee, &w.Address, &w.Status, &w.TxHash, &w.RejectReason,
		store.TimeInto(&w.CreatedAt), store.TimeInto(&w.UpdatedAt), store.TimeInto(&completed)); err != nil {
		return Withdrawal{}, store.NotFound(err)
	}
	c, ok := s.Currencies.Get(cur)
	if !ok {
		c = Currency{Name: cur, Decimals: 6}
	}
	w.Currency = c
	if !completed.IsZero() {
		w.CompletedAt = &completed
	}
	return w, nil
}

// withdrawalForUpdate reads and locks a withdrawal for the rest of tx.
func (s *Service) withdrawalForUpdate(ctx context.Context, tx *sql.Tx, id int64) (Withdrawal, error) {
	w, err := s.scanWithdrawal(tx.QueryRowContext(ctx, `SELECT `+withdrawalColumns+` FROM withdrawals WHERE id = $1`+s.DB.ForUpdate(), id))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Withdrawal{}, ErrWithdrawalNotFound.WithDetails("No such withdrawal")
	case err != nil:
		return Withdrawal{}, fmt.Errorf("lock withdrawal: %w", err)
	}
	return w, nil
}

// Withdrawal returns one withdrawal.
func (s *Service) Withdrawal(ctx context.Context, id int64) (Withdrawal, error) {
	w, err := s.scanWithdrawal(s.DB.SQL.QueryRowContext(ctx, `SELECT `+withdrawalColumns+` FROM withdrawals WHERE id = $1`, id))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Withdrawal{}, ErrWithdrawalNotFound.WithDetails("No such withdrawal")
	case err != nil:
		return Withdrawal{}, fmt.Errorf("wallet: read withdrawal %s: %w", withdrawalRef(id), err)
	}
	return w, nil
}

// Withdrawals lists a user's withdrawals, newest first; status "" means any.
func (s *Service) Withdrawals(ctx context.Context, userID int64, status WithdrawalStatus, page, limit int) ([]Withdrawal, int, error) {
	where, args := `user_id = $1`, []any{userID}
	if status != "" {
		where += ` AND status = $2`
		args = append(args, status)
	}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM withdrawals WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("wallet: count withdrawals of user %d: %w", userID, err)
	}
	args = append(args, limit, (page-1)*limit)
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+withdrawalColumns+` FROM withdrawals WHERE `+where+
		` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("wallet: list withdrawals of user %d: %w", userID, err)
	}
	out, err := s.scanWithdrawals(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("wallet: list withdrawals of user %d: %w", userID, err)
	}
	return out, total, nil
}

// scanWithdrawals reads and closes rows of withdrawalColumns.
func (s *Service) scanWithdrawals(rows *sql.Rows) ([]Withdrawal, error) {
	defer rows.Close()
	var out []Withdrawal
	for rows.Next() {
		w, err := s.scanWithdrawal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Per-user quota of withdrawal requests, beside the amount limits: each
// request is an operator review or a custody call
// (docs/decisions-hardening.md).
const (
	WithdrawalsPerHour = 20
	WithdrawalsPerDay  = 50
)
