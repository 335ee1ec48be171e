package swap

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Input is a parsed POST /wallet/swap.
type Input struct {
	UserID  int64
	Pair    Pair
	Amount  money.Amount
	QuoteID string // "" = price at the current rate
	CardID  int64  // card record id; 0 = none given
	// IdempotencyKey binds the swap to the request's key: a retry finds the
	// swap it made (API.md §1.12), even if its first answer was lost.
	IdempotencyKey string
}

// ErrInProgress is a retried request whose swap is still being resolved.
var ErrInProgress = apperr.New("IDEMPOTENCY_IN_PROGRESS")

// ErrPending answers a swap whose card leg the issuer has not confirmed
// either way; the recovery job resolves it.
var ErrPending = apperr.New("SWAP_PENDING")

// Result is an executed swap.
type Result struct {
	Swap          Record
	PublicToken   string
	CardBalance   money.Amount
	WalletBalance money.Amount // of the stablecoin side
}

// Execute runs a swap in three steps: (1) one transaction uses the quote,
// moves the user's side into swap clearing and queues a recovery job;
// (2) the issuer call, outside any transaction; (3) one transaction settles
// the swap or returns the user's funds. A crash between (1) and (3) is
// finished by the recovery job, which repeats the issuer call under the
// same reference (the issuer applies it once).
func (s *Service) Execute(ctx context.Context, in Input) (Result, error) {
	if in.CardID == 0 {
		return Result{}, ErrCardRequired.WithDetails("card_id is required when a side of the swap is HKD")
	}
	// The client may go away; the money steps must not stop half-way.
	ctx = context.WithoutCancel(ctx)
	var (
		rec Record
		c   card.Card
	)
	if in.IdempotencyKey != "" {
		if existing, ok, err := s.byKey(ctx, in.UserID, in.IdempotencyKey); err != nil || ok {
			if err != nil {
				return Result{}, fmt.Errorf("swap: execute for user %d: %w", in.UserID, err)
			}
			return s.answer(ctx, existing)
		}
	}
	if in.Pair.Direction == Withdraw {
		if err := s.ensureReleasable(ctx, in); err != nil {
			return Result{}, fmt.Errorf("swap: execute for user %d: %w", in.UserID, err)
		}
	}
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		rec, c, err = s.hold(ctx, tx, in)
		return err
	})
	if store.IsUniqueViolation(err) {
		return Result{}, ErrInProgress.WithDetails("A swap with this Idempotency-Key is being made")
	}
	if err != nil {
		return Result{}, fmt.Errorf("swap: execute for user %d: hold: %w", in.UserID, err)
	}
	if err := s.resolve(ctx, rec, c.PublicToken, false); err != nil {
		return Result{}, fmt.Errorf("swap: execute swap %d: %w", rec.ID, err)
	}
	final, err := s.record(ctx, s.DB.SQL, rec.ID)
	if err != nil {
		return Result{}, fmt.Errorf("swap: execute swap %d: %w", rec.ID, err)
	}
	return s.answer(ctx, final)
}

// ensureReleasable refuses a card → wallet swap the issuer would decline
// because it still holds part of the card's balance for an authorisation
// (one our hold expiry released): CARD_BALANCE_PENDING before anything is
// booked, instead of a hold, a refusal and an undo reported as
// CARD_WITHDRAW_FAILED. Whatever else is wrong (an amount out of range, no
// such card, not active, not enough on the ledger) is left to hold, which
// says so: a bad input is refused as such, whatever the card's state.
func (s *Service) ensureReleasable(ctx context.Context, in Input) error {
	v, err := s.Settings.Get(ctx)
	if err != nil {
		return err
	}
	if in.Amount < v.CardWithdrawMin || (v.CardWithdrawMax > 0 && in.Amount > v.CardWithdrawMax) {
		return nil
	}
	c, err := s.Cards.Get(ctx, in.UserID, in.CardID, "")
	if err != nil || c.Status != card.StatusNormal || c.PendingStatus != "" {
		return nil
	}
	booked, err := s.Cards.Balance(ctx, s.DB.SQL, c)
	if err != nil || booked < in.Amount {
		return nil
	}
	return s.Cards.EnsureReleasable(ctx, c, in.Amount)
}

// answer reports a swap from its final state, whoever finished it.
func (s *Service) answer(ctx context.Context, rec Record) (Result, error) {
	switch rec.Status {
	case StatusCompleted:
		return s.result(ctx, rec.ID)
	case StatusPending:
		return Result{}, ErrPending.WithDetails("Swap " + strconv.FormatInt(rec.ID, 10) +
			" is waiting for the card issuer; it completes or its funds come back by themselves").AsInterim()
	}
	if rec.Direction == Recharge {
		return Result{}, ErrRechargeFailed.WithDetails("The card issuer did not accept the top-up; your wallet balance was restored")
	}
	return Result{}, ErrWithdrawFailed.WithDetails("The card issuer did not accept the withdrawal; your card balance was restored")
}

// resolve runs the card leg of a pending swap and books the outcome. A
// definite refusal returns the held funds. Any other failure is ambiguous
// (the issuer may have applied it): the reference is voided at the issuer,
// which says whether it was applied — then the swap settles — or makes sure
// it never will be — then the funds come back. If even that cannot be
// asked, the swap stays pending for the recovery job (retry=true reports
// that as an error so the job tries again).
func (s *Service) resolve(ctx context.Context, rec Record, publicToken string, retry bool) error {
	callCtx, cancel := context.WithTimeout(ctx, issuerCallTimeout)
	err := s.callIssuer(callCtx, rec, publicToken)
	cancel()
	if err == nil {
		return s.settle(ctx, rec.ID)
	}
	if errors.Is(err, ErrCardDeclined) {
		return s.undo(ctx, rec.ID, "issuer refused: "+err.Error())
	}
	// The request's call is the first under this reference: one the
	// breaker kept from leaving was never applied. (A later call may not
	// conclude that: an earlier one may have been.)
	if !retry && errors.Is(err, card.ErrIssuerDown) {
		return s.undo(ctx, rec.ID, "issuer down: not sent")
	}
	voidCtx, cancel := context.WithTimeout(ctx, issuerCallTimeout)
	applied, verr := s.Issuer.Void(voidCtx, issuerRef(rec))
	cancel()
	switch {
	case verr != nil:
		if retry {
			return fmt.Errorf("void at the issuer: %w", verr)
		}
		return nil // stays pending; the recovery job finishes it
	case applied:
		return s.settle(ctx, rec.ID)
	default:
		return s.undo(ctx, rec.ID, "issuer failed: "+err.Error())
	}
}

func issuerRef(rec Record) string { return "swap-" + strconv.FormatInt(rec.ID, 10) }

// byKey finds the user's swap made with an Idempotency-Key.
func (s *Service) byKey(ctx context.Context, userID int64, key string) (Record, bool, error) {
	rec, err := s.scan(s.DB.SQL.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM swaps WHERE user_id = $1 AND idempotency_key = $2`,
		userID, key))
	if errors.Is(err, store.ErrNotFound) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("swap by Idempotency-Key: %w", err)
	}
	return rec, true, nil
}

// issuerCallTimeout bounds the card leg of a request; it is well inside
// ResolveAfter, so the recovery job never runs while a request still owns
// the swap.
const issuerCallTimeout = 30 * time.Second

func (s *Service) hold(ctx context.Context, tx *sql.Tx, in Input) (Record, card.Card, error) {
	if err := s.Users.EnsureWritable(ctx, tx, in.UserID); err != nil {
		return Record{}, card.Card{}, err
	}
	c, err := s.Cards.ForUpdate(ctx, tx, in.UserID, in.CardID, "")
	if err != nil {
		return Record{}, card.Card{}, err
	}
	if c.Status != card.StatusNormal {
		return Record{}, card.Card{}, ErrCardNotActive.WithDetails("The card is " + string(c.Status))
	}
	if c.PendingStatus != "" {
		return Record{}, card.Card{}, ErrCardNotActive.WithDetails("A change of the card's status is in progress")
	}
	// The settings in force for this swap, read in its transaction.
	v, err := s.Settings.Current(ctx, tx)
	if err != nil {
		return Record{}, card.Card{}, err
	}
	var q Quote
	if in.QuoteID != "" {
		q, err = s.useQuote(ctx, tx, v, in.UserID, in.QuoteID, in.Pair, in.Amount)
	} else {
		q, err = s.currentPrice(ctx, v, in.Pair, in.Amount)
	}
	if err != nil {
		return Record{}, card.Card{}, err
	}
	now := s.Now()
	rec := Record{UserID: in.UserID, CardID: c.ID, QuoteID: q.ID, Direction: in.Pair.Direction, Pair: in.Pair,
		FromAmount: q.FromAmount, ToAmount: q.ToAmount, Rate: q.Rate, FeeRate: q.FeeRate, FeeAmount: q.FeeAmount,
		NetAmount: q.NetAmount, Status: StatusPending, CreatedAt: now}
	if err := tx.QueryRowContext(ctx, `INSERT INTO swaps (user_id, card_id, quote_id, direction, from_currency, to_currency, from_amount,
		to_amount, rate, fee_rate, fee_amount, net_amount, status, created_at, idempotency_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		RETURNING id`, rec.UserID, rec.CardID, rec.QuoteID, rec.Direction, rec.Pair.From.Name, rec.Pair.To.Name, int64(rec.FromAmount),
		int64(rec.ToAmount), int64(rec.Rate), int64(rec.FeeRate), int64(rec.FeeAmount), int64(rec.NetAmount), rec.Status,
		store.At(now), in.IdempotencyKey).Scan(&rec.ID); err != nil {
		return Record{}, card.Card{}, fmt.Errorf("insert swap: %w", err)
	}
	from := ledger.UserAccount(in.UserID, ledger.Available, rec.Pair.From.Name)
	if rec.Direction == Withdraw {
		from = card.BalanceAccount(c)
	}
	if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: rec.reference("hold"), Kind: "swap_hold",
		Entries: []ledger.Entry{
			{Account: from, Amount: -rec.FromAmount},
			{Account: ledger.HouseAccount(ledger.SwapClearing, rec.Pair.From.Name), Amount: rec.FromAmount},
		}}); err != nil {
		return Record{}, card.Card{}, fmt.Errorf("post hold of swap %d: %w", rec.ID, err)
	}
	activity := wallet.Activity{UserID: in.UserID, Type: wallet.ActivitySwap, Status: wallet.ActivityPending, Amount: -rec.FromAmount,
		Currency: rec.Pair.From.Name, Description: "Swap " + rec.Pair.From.Name + " → " + rec.Pair.To.Name,
		Reference: rec.IssuerReference(c.PublicToken), SourceTable: "swaps", SourceID: rec.ID}
	if rec.Direction == Withdraw {
		activity.Amount, activity.Currency = rec.NetAmount, rec.Pair.To.Name
	}
	if _, err := s.Wallets.RecordActivity(ctx, tx, activity); err != nil {
		return Record{}, card.Card{}, fmt.Errorf("wallet activity of swap %d: %w", rec.ID, err)
	}
	// River schedules on the wall clock, whatever clock the service runs on.
	if _, err := s.Jobs.InsertTx(ctx, tx, ResolveArgs{SwapID: rec.ID}, &river.InsertOpts{ScheduledAt: time.Now().Add(s.Policy.ResolveAfter)}); err != nil {
		return Record{}, card.Card{}, fmt.Errorf("queue resolution of swap %d: %w", rec.ID, err)
	}
	return rec, c, nil
}

// callIssuer performs the card leg; the swap id is the issuer's idempotency
// reference.
func (s *Service) callIssuer(ctx context.Context, rec Record, publicToken string) error {
	ref := issuerRef(rec)
	if rec.Direction == Recharge {
		return s.Issuer.Recharge(ctx, publicToken, rec.NetAmount, ref)
	}
	return s.Issuer.Withdraw(ctx, publicToken, rec.FromAmount, ref)
}

// settle books a swap whose card leg succeeded. It does nothing to a swap
// already settled or undone.
func (s *Service) settle(ctx context.Context, id int64) error {
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		rec, ok, err := s.finish(ctx, tx, id, StatusCompleted, "")
		if err != nil || !ok {
			return err
		}
		c, err := s.Cards.ForUpdate(ctx, tx, rec.UserID, rec.CardID, "")
		if err != nil {
			return fmt.Errorf("lock card: %w", err)
		}
		if err := s.Wallets.LockForCredit(ctx, tx, rec.UserID); err != nil {
			return fmt.Errorf("lock wallet: %w", err)
		}
		crypto, hkd := rec.Pair.Crypto.Name, card.Currency
		float := func(cur string) ledger.AccountRef { return ledger.HouseAccount(ledger.CardFloat, cur) }
		var entries []ledger.Entry
		history := card.HistoryEntry{Card: c, Source: "swap:" + strconv.FormatInt(rec.ID, 10), Status: card.HistorySuccess, TradeTime: s.Now()}
		if rec.Direction == Recharge {
			// The stablecoin buys HKD at the issuer: the card gets the net,
			// the platform keeps the fee.
			entries = []ledger.Entry{
				{Account: ledger.HouseAccount(ledger.SwapClearing, crypto), Amount: -rec.FromAmount},
				{Account: float(crypto), Amount: rec.FromAmount},
				{Account: float(hkd), Amount: -rec.ToAmount},
				{Account: card.BalanceAccount(c), Amount: rec.NetAmount},
				{Account: ledger.HouseAccount(ledger.FeeIncome, hkd), Amount: rec.FeeAmount},
			}
			history.TradeType, history.Direction, history.Amount, history.Description = card.HistoryTopUp, card.Credit, rec.NetAmount, "Top-up from wallet"
		} else {
			entries = []ledger.Entry{
				{Account: ledger.HouseAccount(ledger.SwapClearing, hkd), Amount: -rec.FromAmount},
				{Account: ledger.HouseAccount(ledger.FeeIncome, hkd), Amount: rec.FeeAmount},
				{Account: float(hkd), Amount: rec.FromAmount - rec.FeeAmount},
				{Account: float(crypto), Amount: -rec.NetAmount},
				{Account: ledger.UserAccount(rec.UserID, ledger.Available, crypto), Amount: rec.NetAmount},
			}
			history.TradeType, history.Direction, history.Amount, history.Description = card.HistoryWithdrawal, card.Debit, rec.FromAmount, "Withdrawal to wallet"
		}
		entries = ledger.NonZero(entries...)
		if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: rec.reference("settle"), Kind: "swap", Entries: entries}); err != nil {
			return fmt.Errorf("post settlement: %w", err)
		}
		history.Fee = rec.FeeAmount
		if err := s.Cards.RecordHistory(ctx, tx, history); err != nil {
			return err
		}
		if err := s.Cards.SweepCancelled(ctx, tx, c); err != nil {
			return err
		}
		if err := s.Commissions.QueueTransaction(ctx, tx, rec.UserID, rec.ID, rec.FeeAmount, rec.Rate, rec.Direction); err != nil {
			return fmt.Errorf("queue commissions: %w", err)
		}
		if err := s.Wallets.SetActivityStatus(ctx, tx, "swaps", rec.ID, wallet.ActivitySwap, wallet.ActivityCompleted, true); err != nil {
			return fmt.Errorf("wallet activity: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("settle: %w", err)
	}
	return nil
}

// undo returns the held side of a swap whose card leg failed.
func (s *Service) undo(ctx context.Context, id int64, reason string) error {
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		rec, ok, err := s.finish(ctx, tx, id, StatusFailed, reason)
		if err != nil || !ok {
			return err
		}
		to := ledger.UserAccount(rec.UserID, ledger.Available, rec.Pair.From.Name)
		var c card.Card
		if rec.Direction == Withdraw {
			if c, err = s.Cards.ForUpdate(ctx, tx, rec.UserID, rec.CardID, ""); err != nil {
				return fmt.Errorf("lock card: %w", err)
			}
			to = card.BalanceAccount(c)
		}
		if err := s.Wallets.LockForCredit(ctx, tx, rec.UserID); err != nil {
			return fmt.Errorf("lock wallet: %w", err)
		}
		if _, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: rec.reference("undo"), Kind: "swap_refund",
			Entries: []ledger.Entry{
				{Account: ledger.HouseAccount(ledger.SwapClearing, rec.Pair.From.Name), Amount: -rec.FromAmount},
				{Account: to, Amount: rec.FromAmount},
			}}); err != nil {
			return fmt.Errorf("post undo: %w", err)
		}
		if rec.Direction == Withdraw {
			// The card may have been closed meanwhile: its money goes home.
			if err := s.Cards.SweepCancelled(ctx, tx, c); err != nil {
				return err
			}
		}
		if err := s.Wallets.SetActivityStatus(ctx, tx, "swaps", rec.ID, wallet.ActivitySwap, wallet.ActivityFailed, false); err != nil {
			return fmt.Errorf("wallet activity: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	return nil
}

// finish moves a pending swap to its final status; ok is false when another
// path (request or recovery job) has already finished it.
func (s *Service) finish(ctx context.Context, tx *sql.Tx, id int64, status Status, reason string) (Record, bool, error) {
	var completed time.Time // NULL until the swap completes
	if status == StatusCompleted {
		completed = s.Now()
	}
	res, err := tx.ExecContext(ctx, `UPDATE swaps SET status = $1, fail_reason = $2, completed_at = $3 WHERE id = $4 AND status = $5`,
		status, text.Truncate(reason, 200), store.NullAt(completed), id, StatusPending)
	if err != nil {
		return Record{}, false, fmt.Errorf("mark swap %d %s: %w", id, status, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Record{}, false, fmt.Errorf("mark swap %d %s: %w", id, status, err)
	} else if n == 0 {
		return Record{}, false, nil
	}
	rec, err := s.record(ctx, tx, id)
	if err != nil {
		return Record{}, false, err
	}
	return rec, true, nil
}

// ResolveArgs is the recovery job of one swap.
type ResolveArgs struct {
	SwapID int64 `json:"swap_id"`
}

// Kind implements river.JobArgs.
func (ResolveArgs) Kind() string { return "swap.resolve" }

// InsertOpts retries an unreachable issuer with River's backoff.
func (ResolveArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// ResolveWorker finishes swaps left pending by a crash or an unanswered
// issuer: it repeats the card leg under the same reference and settles,
// undoes a refusal, and voids an ambiguous failure.
type ResolveWorker struct {
	river.WorkerDefaults[ResolveArgs]
	s *Service
}

// NewResolveWorker returns the worker for ResolveArgs.
func NewResolveWorker(s *Service) *ResolveWorker { return &ResolveWorker{s: s} }

// Timeout bounds one issuer round trip.
func (w *ResolveWorker) Timeout(*river.Job[ResolveArgs]) time.Duration { return time.Minute }

// Work implements river.Worker.
func (w *ResolveWorker) Work(ctx context.Context, job *river.Job[ResolveArgs]) error {
	rec, err := w.s.record(ctx, w.s.DB.SQL, job.Args.SwapID)
	if err != nil {
		return fmt.Errorf("swap: resolve: %w", err)
	}
	if rec.Status != StatusPending {
		return nil
	}
	c, err := w.s.cardOf(ctx, rec)
	if err != nil {
		return fmt.Errorf("swap: resolve swap %d: %w", rec.ID, err)
	}
	// Never undone blindly: only a definite refusal, or a reference the
	// issuer confirms it voided, returns the funds. A swap the issuer cannot
	// be asked about stays pending and is logged when the job gives up.
	if err := w.s.resolve(ctx, rec, c.PublicToken, true); err != nil {
		return card.WaitIfDown(fmt.Errorf("swap: resolve swap %d: %w", rec.ID, err))
	}
	return nil
}

func (s *Service) cardOf(ctx context.Context, rec Record) (card.Card, error) {
	return s.Cards.Get(ctx, rec.UserID, rec.CardID, "")
}
