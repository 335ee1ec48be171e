package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Operators' side of deposits: the ones the custody callback could not
// credit (unmatched address, below the minimum) wait here for an operator,
// who attributes them to a user and credits them by hand.

// ErrDepositNotFound answers an unknown deposit id.
var ErrDepositNotFound = apperr.New(apperr.CodeNotFound).WithDetails("No such deposit")

var errDepositState = apperr.New(apperr.CodeInvalidState)

// custodyConfirmed is the custody status of a transfer the chain confirmed
// (API.md §2.11.1): the only one whose money has arrived.
const custodyConfirmed = 3

// Deposit is a deposit record as operators see it.
type Deposit struct {
	ID            int64
	TradeID       string
	UserID        int64 // 0: no user (unmatched and not yet assigned)
	Currency      Currency
	Address       string
	Amount        money.Amount
	TxID          string
	Status        DepositStatus
	CustodyStatus int
	LedgerTxID    int64 // 0 until credited
	CreatedAt     time.Time
	UpdatedAt     time.Time
	CreditedAt    *time.Time
}

// Creditable refuses a deposit an operator may not credit by hand: only
// money custody confirmed, attributed to a user, and not credited already
// (an unmatched deposit once assigned, or one below the minimum).
func (d Deposit) Creditable() error {
	switch {
	case d.Status != DepositUnmatched && d.Status != DepositBelowMinimum:
		return errDepositState.WithDetails("Only an unmatched or below-minimum deposit can be credited by an operator; this one is " +
			string(d.Status))
	case d.UserID == 0:
		return errDepositState.WithDetails("Assign the deposit to a user before crediting it")
	case d.CustodyStatus != custodyConfirmed:
		return errDepositState.WithDetails("Custody has not confirmed this transfer (status " + strconv.Itoa(d.CustodyStatus) + ")")
	}
	return nil
}

const depositColumns = `id, trade_id, user_id, currency, address, amount, tx_id, status, custody_status, ledger_tx_id,
	created_at, updated_at, credited_at`

func (s *Service) scanDeposit(row interface{ Scan(...any) error }) (Deposit, error) {
	var (
		d                Deposit
		userID, ledgerID sql.NullInt64
		cur              string
		credited         time.Time
	)
	if err := row.Scan(&d.ID, &d.TradeID, &userID, &cur, &d.Address, &d.Amount, &d.TxID, &d.Status, &d.CustodyStatus, &ledgerID,
		store.TimeInto(&d.CreatedAt), store.TimeInto(&d.UpdatedAt), store.TimeInto(&credited)); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Deposit{}, ErrDepositNotFound
		}
		return Deposit{}, err
	}
	d.UserID, d.LedgerTxID = userID.Int64, ledgerID.Int64
	c, ok := s.Currencies.Get(cur)
	if !ok {
		c = Currency{Name: cur, Decimals: 6}
	}
	d.Currency = c
	if !credited.IsZero() {
		d.CreditedAt = &credited
	}
	return d, nil
}

// DepositFilter selects deposits for operators; zero values match all.
type DepositFilter struct {
	Status DepositStatus
	UserID int64
}

// ListDeposits returns the deposits matching f, newest first, and how many match.
func (s *Service) ListDeposits(ctx context.Context, f DepositFilter, limit, offset int) ([]Deposit, int, error) {
	var c store.Conds
	c.Eq("status", f.Status, f.Status != "")
	c.Eq("user_id", f.UserID, f.UserID != 0)
	where, args := c.Where()
	out, total, err := store.Page(ctx, s.DB.SQL, depositColumns, `FROM deposits`+where, args, `id DESC`, limit, offset, s.scanDeposit)
	if err != nil {
		return nil, 0, fmt.Errorf("wallet: list deposits: %w", err)
	}
	return out, total, nil
}

// Deposit returns one deposit.
func (s *Service) Deposit(ctx context.Context, id int64) (Deposit, error) {
	d, err := s.scanDeposit(s.DB.SQL.QueryRowContext(ctx, `SELECT `+depositColumns+` FROM deposits WHERE id = $1`, id))
	if err != nil {
		return Deposit{}, fmt.Errorf("wallet: deposit %d: %w", id, err)
	}
	return d, nil
}

func (s *Service) depositForUpdate(ctx context.Context, tx *sql.Tx, id int64) (Deposit, error) {
	return s.scanDeposit(tx.QueryRowContext(ctx, `SELECT `+depositColumns+` FROM deposits WHERE id = $1`+s.DB.ForUpdate(), id))
}

// AssignDepositTx attributes an unmatched deposit to a user in tx; it can be
// reassigned until it is credited. It returns the deposit before and after.
func (s *Service) AssignDepositTx(ctx context.Context, tx *sql.Tx, id, userID int64) (before, after Deposit, err error) {
	fail := func(err error) (Deposit, Deposit, error) {
		return before, after, fmt.Errorf("wallet: assign deposit %d to user %d: %w", id, userID, err)
	}
	if before, err = s.depositForUpdate(ctx, tx, id); err != nil {
		return fail(err)
	}
	if before.Status != DepositUnmatched {
		return fail(errDepositState.WithDetails("Only an unmatched deposit can be assigned; this one is " + string(before.Status)))
	}
	if err := s.ensureCreditable(ctx, tx, userID); err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deposits SET user_id = $1, updated_at = $2 WHERE id = $3`,
		userID, store.At(s.Now()), id); err != nil {
		return fail(err)
	}
	if after, err = s.depositForUpdate(ctx, tx, id); err != nil {
		return fail(err)
	}
	return before, after, nil
}

// ensureCreditable refuses money for a user who does not exist or whose
// account is closed (the money would be stranded).
func (s *Service) ensureCreditable(ctx context.Context, tx *sql.Tx, userID int64) error {
	status, err := s.Users.AccountStatus(ctx, tx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return account.ErrUserNotFound
	}
	if err != nil {
		return err
	}
	if status == account.StatusDeactivated {
		return errDepositState.WithDetails("The user's account is closed")
	}
	return nil
}

// CreditDepositTx credits a deposit custody confirmed but the callback could
// not credit (see Deposit.Creditable), in tx, exactly once: the row is
// locked and re-checked, and the ledger transaction carries the deposit's
// reference ("deposit:" + trade id), which cannot be booked twice.
func (s *Service) CreditDepositTx(ctx context.Context, tx *sql.Tx, id int64) (before, after Deposit, err error) {
	fail := func(err error) (Deposit, Deposit, error) {
		return before, after, fmt.Errorf("wallet: credit deposit %d: %w", id, err)
	}
	if before, err = s.depositForUpdate(ctx, tx, id); err != nil {
		return fail(err)
	}
	if err := before.Creditable(); err != nil {
		return fail(err)
	}
	if err := s.ensureCreditable(ctx, tx, before.UserID); err != nil {
		return fail(err)
	}
	// The same on-chain transfer credited under another trade id.
	if before.TxID != "" {
		var dup bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deposits WHERE currency = $1 AND tx_id = $2 AND address = $3
			AND status = $4 AND id <> $5)`, before.Currency.Name, before.TxID, before.Address, DepositCompleted, id).Scan(&dup); err != nil {
			return fail(fmt.Errorf("duplicate check: %w", err))
		}
		if dup {
			return fail(errDepositState.WithDetails("This on-chain transfer was already credited under another deposit"))
		}
	}
	d := before
	ledgerID, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "deposit:" + d.TradeID, Kind: "deposit",
		Description: "Deposit credited by an operator", Entries: []ledger.Entry{
			{Account: ledger.HouseAccount(ledger.Custody, d.Currency.Name), Amount: -d.Amount},
			{Account: ledger.UserAccount(d.UserID, ledger.Available, d.Currency.Name), Amount: d.Amount},
		}})
	if errors.Is(err, ledger.ErrDuplicate) {
		return fail(errDepositState.WithDetails("The deposit was already credited"))
	}
	if err != nil {
		return fail(err)
	}
	now := store.At(s.Now())
	if _, err := tx.ExecContext(ctx, `UPDATE deposits SET status = $1, ledger_tx_id = $2, updated_at = $3, credited_at = $3 WHERE id = $4`,
		DepositCompleted, ledgerID, now, id); err != nil {
		return fail(fmt.Errorf("mark completed: %w", err))
	}
	if _, err := s.RecordActivity(ctx, tx, Activity{UserID: d.UserID, Type: ActivityDeposit, Status: ActivityCompleted, Amount: d.Amount,
		Currency: d.Currency.Name, Address: d.Address, TxHash: d.TxID, Reference: "DEP" + strconv.FormatInt(id, 10),
		Description: "Deposit", SourceTable: "deposits", SourceID: id, Completed: true}); err != nil {
		return fail(err)
	}
	if err := s.notifyDeposit(ctx, tx, d.UserID, d.Currency, d.Amount, d.TxID); err != nil {
		return fail(err)
	}
	if after, err = s.depositForUpdate(ctx, tx, id); err != nil {
		return fail(err)
	}
	return before, after, nil
}
