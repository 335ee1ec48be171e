package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// DepositStatus is the state of a deposit the custody provider reported.
type DepositStatus string

// Deposit statuses.
const (
	DepositPending      DepositStatus = "pending"
	DepositCompleted    DepositStatus = "completed"
	DepositFailed       DepositStatus = "failed"
	DepositBelowMinimum DepositStatus = "below_minimum"
	DepositUnmatched    DepositStatus = "unmatched"
	DepositDuplicate    DepositStatus = "duplicate"
	DepositFlagged      DepositStatus = "flagged"
)

// custodyProcessor applies custody callbacks; it is the wallet's
// webhook.Processor for provider "custody".
type custodyProcessor struct{ s *Service }

// CustodyProcessor returns the processor of custody events.
func (s *Service) CustodyProcessor() webhook.Processor { return custodyProcessor{s} }

// Process implements webhook.Processor.
func (p custodyProcessor) Process(ctx context.Context, tx *sql.Tx, payload []byte) (string, error) {
	ev, err := ParseCustodyEvent(payload)
	if err != nil {
		// A signed but malformed event can never succeed: park it for operators.
		p.s.Log.WarnContext(ctx, "custody event rejected", "error", err)
		return webhook.StateIgnored, nil
	}
	if ev.TradeType == 2 {
		return p.s.applyWithdrawalEvent(ctx, tx, ev)
	}
	state, err := p.s.applyDeposit(ctx, tx, ev)
	if err != nil {
		return state, fmt.Errorf("wallet: deposit of trade %s: %w", ev.TradeID, err)
	}
	return state, nil
}

// baseUnits converts an integer amount in base units with decimals to minor
// units of the currency, truncating precision beyond its scale.
func baseUnits(text string, decimals, scale int) (money.Amount, bool) {
	n, ok := new(big.Int).SetString(strings.TrimSpace(text), 10)
	if !ok || n.Sign() < 0 {
		return 0, false
	}
	if decimals > scale {
		n.Quo(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals-scale)), nil))
	} else if decimals < scale {
		n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-decimals)), nil))
	}
	if !n.IsInt64() || n.Int64() > money.MaxUnits*pow10(scale) {
		return 0, false
	}
	return money.Amount(n.Int64()), true
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// applyDeposit records a deposit event and credits it once when it succeeds.
func (s *Service) applyDeposit(ctx context.Context, tx *sql.Tx, ev CustodyEvent) (string, error) {
	mainCoin, _ := strconv.Atoi(ev.MainCoinType)
	cur, ok := s.Currencies.ByContract(mainCoin, ev.CoinType)
	if !ok {
		return webhook.StateUnmatched, nil
	}
	amount, ok := baseUnits(ev.Amount, ev.Decimals, cur.Decimals)
	if !ok {
		return webhook.StateIgnored, nil
	}
	var userID sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM deposit_addresses WHERE network = $1 AND canonical = $2`,
		string(cur.Network), chain.Canonical(cur.Network, ev.Address)).Scan(&userID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("address lookup: %w", err)
	}
	v, err := s.Settings.Current(ctx, tx)
	if err != nil {
		return "", err
	}
	status := depositStatus(ev.Status)
	if !userID.Valid {
		status = DepositUnmatched
	} else if status == DepositCompleted && amount < settings.Units(v.DepositMin, cur.Decimals) {
		status = DepositBelowMinimum
	}
	now := store.At(s.Now())

	var (
		id      int64
		current DepositStatus
	)
	err = tx.QueryRowContext(ctx, `SELECT id, status FROM deposits WHERE trade_id = $1`+s.DB.ForUpdate(), ev.TradeID).Scan(&id, &current)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.QueryRowContext(ctx, `INSERT INTO deposits (trade_id, user_id, currency, address, amount, tx_id, status, custody_status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`, ev.TradeID, userID, cur.Name, ev.Address, int64(amount), ev.TxID,
			DepositPending, ev.Status, now).Scan(&id); err != nil {
			return "", fmt.Errorf("insert: %w", err)
		}
		current = DepositPending
	case err != nil:
		return "", fmt.Errorf("lock: %w", err)
	}
	if current == DepositUnmatched {
		return s.followUnmatched(ctx, tx, id, ev)
	}
	if current != DepositPending {
		// Final already: statuses only move forward.
		return webhook.StateProcessed, nil
	}
	if status == DepositFlagged {
		// An unknown custody status changes nothing; operators see the event.
		s.Log.WarnContext(ctx, "custody deposit with unknown status", "deposit_id", id, "custody_status", ev.Status)
		return webhook.StateProcessed, nil
	}
	if status != DepositCompleted {
		if _, err := tx.ExecContext(ctx, `UPDATE deposits SET status = $1, custody_status = $2, tx_id = $3, updated_at = $4 WHERE id = $5`,
			status, ev.Status, ev.TxID, now, id); err != nil {
			return "", fmt.Errorf("mark %s: %w", status, err)
		}
		if status == DepositUnmatched {
			return webhook.StateUnmatched, nil
		}
		return webhook.StateProcessed, nil
	}
	// The same on-chain transfer reported under a second trade id is not
	// credited twice.
	if ev.TxID != "" {
		var dup bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deposits WHERE currency = $1 AND tx_id = $2 AND address = $3
			AND status = $4 AND id <> $5)`, cur.Name, ev.TxID, ev.Address, DepositCompleted, id).Scan(&dup); err != nil {
			return "", fmt.Errorf("duplicate check: %w", err)
		}
		if dup {
			if _, err := tx.ExecContext(ctx, `UPDATE deposits SET status = $1, updated_at = $2 WHERE id = $3`, DepositDuplicate, now, id); err != nil {
				return webhook.StateProcessed, fmt.Errorf("mark duplicate: %w", err)
			}
			return webhook.StateProcessed, nil
		}
	}
	ledgerID, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "deposit:" + ev.TradeID, Kind: "deposit",
		Entries: []ledger.Entry{
			{Account: ledger.HouseAccount(ledger.Custody, cur.Name), Amount: -amount},
			{Account: ledger.UserAccount(userID.Int64, ledger.Available, cur.Name), Amount: amount},
		}})
	if err != nil {
		return "", fmt.Errorf("credit: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deposits SET status = $1, custody_status = $2, tx_id = $3, amount = $4, ledger_tx_id = $5,
		updated_at = $6, credited_at = $6 WHERE id = $7`, DepositCompleted, ev.Status, ev.TxID, int64(amount), ledgerID, now, id); err != nil {
		return "", fmt.Errorf("mark completed: %w", err)
	}
	if _, err := s.RecordActivity(ctx, tx, Activity{UserID: userID.Int64, Type: ActivityDeposit, Status: ActivityCompleted, Amount: amount,
		Currency: cur.Name, Address: ev.Address, TxHash: ev.TxID, Reference: "DEP" + strconv.FormatInt(id, 10),
		Description: "Deposit", SourceTable: "deposits", SourceID: id, Completed: true}); err != nil {
		return "", err
	}
	if err := s.notifyDeposit(ctx, tx, userID.Int64, cur, amount, ev.TxID); err != nil {
		return webhook.StateProcessed, err
	}
	return webhook.StateProcessed, nil
}

// followUnmatched keeps an unmatched deposit's custody status current while
// it waits for an operator, who may credit only a transfer custody
// confirmed (Deposit.Creditable). A custody status that is final already
// (2, 3, 4) is kept: a late redelivery of an earlier one does not undo it.
func (s *Service) followUnmatched(ctx context.Context, tx *sql.Tx, id int64, ev CustodyEvent) (string, error) {
	status := DepositUnmatched
	switch depositStatus(ev.Status) {
	case DepositFlagged:
		return webhook.StateUnmatched, nil
	case DepositFailed:
		status = DepositFailed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deposits SET status = $1, custody_status = $2,
		tx_id = CASE WHEN $3 = '' THEN tx_id ELSE $3 END, updated_at = $4
		WHERE id = $5 AND status = $6 AND custody_status NOT IN (2, 3, 4)`,
		status, ev.Status, ev.TxID, store.At(s.Now()), id, DepositUnmatched); err != nil {
		return "", fmt.Errorf("follow unmatched deposit %d: %w", id, err)
	}
	return webhook.StateUnmatched, nil
}

func depositStatus(custodyStatus int) DepositStatus {
	switch custodyStatus {
	case 3:
		return DepositCompleted
	case 0, 1:
		return DepositPending
	case 2, 4:
		return DepositFailed
	default:
		return DepositFlagged
	}
}

// DepositView is a deposit and the owner's balance after it.
type DepositView struct {
	UserID     int64
	Amount     money.Amount
	Status     DepositStatus
	NewBalance money.Amount
}

// DepositByTrade returns a deposit by the provider's trade id.
func (s *Service) DepositByTrade(ctx context.Context, tradeID string) (DepositView, error) {
	var (
		d        DepositView
		userID   sql.NullInt64
		currency string
	)
	err := s.DB.SQL.QueryRowContext(ctx, `SELECT user_id, currency, amount, status FROM deposits WHERE trade_id = $1`, tradeID).
		Scan(&userID, &currency, &d.Amount, &d.Status)
	if err != nil {
		return DepositView{}, fmt.Errorf("wallet: deposit of trade %s: %w", tradeID, err)
	}
	if userID.Valid {
		d.UserID = userID.Int64
		if d.NewBalance, err = s.Ledger.Balance(ctx, s.DB.SQL, ledger.UserAccount(d.UserID, ledger.Available, currency)); err != nil {
			return DepositView{}, fmt.Errorf("wallet: deposit of trade %s: balance: %w", tradeID, err)
		}
	}
	return d, nil
}
