package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/swap"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// CommissionArgs is the job that pays the commissions of one event. It
// carries the event's facts, so the job needs nothing of the card or swap
// domains; the beneficiaries and their tiers are read when it runs.
type CommissionArgs struct {
	Type      CommissionType `json:"type"`
	SourceID  int64          `json:"source_id"`
	RefereeID int64          `json:"referee_id"` // the paying user
	// Amount is the commission base: card opening, the fee payment's
	// actual_payment (USD cents); transaction, the swap fee (HKD cents).
	Amount int64 `json:"amount"`
	// Rate and Direction (transaction only) are the swap's: HKD per USD in
	// both directions (10^8 scale).
	Rate      int64          `json:"rate,omitempty"`
	Direction swap.Direction `json:"direction,omitempty"`
}

// Kind implements river.JobArgs.
func (CommissionArgs) Kind() string { return "referral.commission" }

// InsertOpts retries a failed computation with River's backoff.
func (CommissionArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 25} }

// CommissionWorker pays commissions. Running a job again pays nothing
// twice: every commission has a unique reference per (event, level,
// beneficiary) in the commissions table and on the ledger.
type CommissionWorker struct {
	river.WorkerDefaults[CommissionArgs]
	s *Service
}

// NewCommissionWorker returns the worker for CommissionArgs.
func NewCommissionWorker(s *Service) *CommissionWorker { return &CommissionWorker{s: s} }

// Work implements river.Worker.
func (w *CommissionWorker) Work(ctx context.Context, job *river.Job[CommissionArgs]) error {
	return w.s.Pay(ctx, job.Args)
}

// QueueCardOpening queues the card-opening commissions of an issuance task
// that completed in tx (API.md §3.2 step 7); paid is the consumed fee
// payment's actual_payment in USD cents.
func (s *Service) QueueCardOpening(ctx context.Context, tx *sql.Tx, userID, taskID int64, paid money.Amount) error {
	return s.queue(ctx, tx, CommissionArgs{Type: TypeCardOpening, SourceID: taskID, RefereeID: userID, Amount: int64(paid)})
}

// QueueTransaction queues the transaction commissions of a swap that
// completed in tx: its fee (HKD cents), its rate (HKD per USD) and its
// direction ("recharge" or "withdraw").
func (s *Service) QueueTransaction(ctx context.Context, tx *sql.Tx, userID, swapID int64, feeHKD money.Amount, rate money.Rate, direction swap.Direction) error {
	return s.queue(ctx, tx, CommissionArgs{Type: TypeTransaction, SourceID: swapID, RefereeID: userID, Amount: int64(feeHKD),
		Rate: int64(rate), Direction: direction})
}

// queue inserts the job in the event's transaction, so the commission
// exists exactly when the event committed. Users nobody referred (most)
// cost no job.
func (s *Service) queue(ctx context.Context, tx *sql.Tx, a CommissionArgs) error {
	if a.Amount <= 0 {
		return nil
	}
	referrer, err := s.Accounts.ReferrerOf(ctx, tx, a.RefereeID)
	if err != nil {
		return fmt.Errorf("referral: queue %s commission of %d: referrer: %w", a.Type, a.SourceID, err)
	}
	if referrer == 0 {
		return nil
	}
	if _, err := s.Jobs.InsertTx(ctx, tx, a, nil); err != nil {
		return fmt.Errorf("referral: queue %s commission of %d: %w", a.Type, a.SourceID, err)
	}
	return nil
}

// Pay computes and books the commissions of one event for both levels, in
// one transaction.
func (s *Service) Pay(ctx context.Context, a CommissionArgs) error {
	// The payout currency in force when the job runs; each commission
	// records its own.
	v, err := s.Settings.Get(ctx)
	if err != nil {
		return fmt.Errorf("referral: pay %s commission of %d: %w", a.Type, a.SourceID, err)
	}
	payout, ok := s.Wallets.Currencies.Crypto(v.CommissionPayoutCurrency)
	if !ok {
		return errors.New("referral: payout currency " + v.CommissionPayoutCurrency + " is not enabled")
	}
	var b base
	switch a.Type {
	case TypeCardOpening:
		b = cardOpeningBase(money.Amount(a.Amount), payout.Decimals)
	case TypeTransaction:
		var err error
		if b, err = transactionBase(money.Amount(a.Amount), money.Rate(a.Rate), a.Direction, payout.Decimals); err != nil {
			return fmt.Errorf("referral: pay transaction commission of %d: %w", a.SourceID, err)
		}
	default:
		return fmt.Errorf("referral: unknown commission type %q", a.Type)
	}
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		tiers, err := s.tiers(ctx, tx, "")
		if err != nil {
			return err
		}
		var beneficiaries []int64
		for below, level := a.RefereeID, 1; level <= 2; level++ {
			beneficiary, err := s.Accounts.ReferrerOf(ctx, tx, below)
			if err != nil {
				return fmt.Errorf("level %d referrer: %w", level, err)
			}
			if beneficiary == 0 {
				break
			}
			beneficiaries = append(beneficiaries, beneficiary)
			below = beneficiary
		}
		// The levels are booked one after the other, so their accounts are
		// locked together first: a transfer between the two referrers
		// locks them in id order, and so must this job.
		accounts := make([]ledger.AccountRef, len(beneficiaries))
		for i, beneficiary := range beneficiaries {
			accounts[i] = ledger.UserAccount(beneficiary, ledger.Available, payout.Name)
		}
		if err := s.Ledger.LockUserAccounts(ctx, tx, accounts...); err != nil {
			return err
		}
		for i, beneficiary := range beneficiaries {
			if err := s.payLevel(ctx, tx, a, b, payout, tiers, i+1, beneficiary); err != nil {
				return fmt.Errorf("level %d: %w", i+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("referral: pay %s commission of %d: %w", a.Type, a.SourceID, err)
	}
	return nil
}

// Commission is a recorded commission.
type Commission struct {
	ID           int64
	Beneficiary  int64
	RefereeID    int64
	RefereeEmail string // masked
	Level        int
	Type         CommissionType
	SourceTable  string
	SourceID     int64
	SourceAmount money.Amount // USD, payout-currency minor units
	Rate         money.Rate
	TierLevel    int
	Amount       money.Amount // payout-currency minor units
	Currency     string
	Status       CommissionStatus
	Reference    string
}

func sourceTable(typ CommissionType) string {
	if typ == TypeCardOpening {
		return "card_tasks"
	}
	return "swaps"
}

// statusFor maps the beneficiary's account state onto the commission's
// (API.md §3.5): frozen accounts wait, deactivated ones never receive it.
func statusFor(accountStatus account.Status) CommissionStatus {
	switch accountStatus {
	case account.StatusFrozen:
		return StatusPending
	case account.StatusDeactivated:
		return StatusCancelled
	}
	return StatusCredited
}

// payLevel records one beneficiary's commission and, when credited, books
// it: a balanced ledger transaction from the commission expense account,
// the unified history row and the notification.
func (s *Service) payLevel(ctx context.Context, tx *sql.Tx, a CommissionArgs, b base, payout wallet.Currency, tiers []Tier,
	level int, beneficiary int64) error {
	ref := fmt.Sprintf("commission:%s:%d:L%d:%d", a.Type, a.SourceID, level, beneficiary)
	var done bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM commissions WHERE reference = $1)`, ref).Scan(&done); err != nil {
		return fmt.Errorf("%s: look up: %w", ref, err)
	}
	if done {
		return nil
	}
	// The tier is the beneficiary's at the moment of computation.
	qualified, err := s.Qualified(ctx, tx, beneficiary)
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	tier := TierFor(tiers, qualified)
	c := Commission{Beneficiary: beneficiary, RefereeID: a.RefereeID, Level: level, Type: a.Type, SourceTable: sourceTable(a.Type),
		SourceID: a.SourceID, SourceAmount: b.amount(), Rate: tier.Rate(a.Type, level), TierLevel: tier.Level,
		Currency: payout.Name, Reference: ref}
	c.Amount = b.times(c.Rate)
	if c.Amount <= 0 {
		return nil // nothing to pay (rate 0 or a fee below one minor unit)
	}
	// Read under the wallet's credit lock: a deactivation committing now
	// either sees this commission in the balances or is seen here.
	st, err := s.Wallets.CreditStatus(ctx, tx, beneficiary)
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	c.Status = statusFor(st)
	now := s.Now()
	var credited time.Time // NULL unless credited
	if c.Status == StatusCredited {
		credited = now
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO commissions (beneficiary_id, referee_id, level, type, source_table, source_id,
		source_amount, rate, tier_level, commission_amount, currency, status, reference, created_at, credited_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		c.Beneficiary, c.RefereeID, c.Level, c.Type, c.SourceTable, c.SourceID, int64(c.SourceAmount), int64(c.Rate), c.TierLevel,
		int64(c.Amount), c.Currency, c.Status, c.Reference, store.At(now), store.NullAt(credited)).Scan(&c.ID); err != nil {
		return fmt.Errorf("%s: insert: %w", ref, err)
	}
	if c.Status == StatusCredited {
		if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: ref, Kind: "commission",
			Description: "Referral commission (" + string(c.Type) + ", level " + strconv.Itoa(level) + ")",
			Entries: []ledger.Entry{
				{Account: ledger.HouseAccount(ledger.Commissions, c.Currency), Amount: -c.Amount},
				{Account: ledger.UserAccount(beneficiary, ledger.Available, c.Currency), Amount: c.Amount},
			}}); err != nil {
			return fmt.Errorf("%s: book: %w", ref, err)
		}
	}
	if _, err := s.Wallets.RecordActivity(ctx, tx, wallet.Activity{UserID: beneficiary, Type: wallet.ActivityCommission,
		Status: wallet.ActivityStatus(c.Status), Amount: c.Amount, Currency: c.Currency,
		Description: "Referral commission (" + describeCommission(c) + ")", Reference: "COM" + strconv.FormatInt(c.ID, 10),
		SourceTable: "commissions", SourceID: c.ID, Completed: c.Status == StatusCredited}); err != nil {
		return err
	}
	if c.Status != StatusCredited {
		return nil
	}
	if err := s.notifyCredited(ctx, tx, c, payout.Decimals); err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	return nil
}

// notifyCredited tells the beneficiary a commission reached their wallet
// (API.md §3.6 commission_credited).
func (s *Service) notifyCredited(ctx context.Context, tx *sql.Tx, c Commission, decimals int) error {
	_, err := s.Notifier.Create(ctx, tx, notification.New{UserID: c.Beneficiary, Type: NotifyCredited, Title: "Commission credited",
		Body: "Your referral commission (%s) of %s %s has been credited to your wallet.",
		Args: []any{describeCommission(c), c.Amount.Format(decimals), c.Currency},
		Data: struct {
			Type           notification.Type `json:"type"`
			Amount         string            `json:"amount"`
			Currency       string            `json:"currency"`
			Level          int               `json:"level"`
			CommissionType CommissionType    `json:"commission_type"`
		}{NotifyCredited, c.Amount.Format(decimals), c.Currency, c.Level, c.Type}})
	return err
}

func describeCommission(c Commission) string {
	kind := "card opening"
	if c.Type == TypeTransaction {
		kind = "transaction"
	}
	return kind + ", level " + strconv.Itoa(c.Level)
}
