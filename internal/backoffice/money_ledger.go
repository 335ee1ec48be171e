package backoffice

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Decimals is the number of decimals of a currency's minor units (6 for a
// currency the wallet does not know: every crypto currency has 6).
func (s *Service) Decimals(currency string) int {
	if c, ok := s.MoneyDeps.Wallets.Currencies.Get(currency); ok {
		return c.Decimals
	}
	if strings.EqualFold(currency, "HKD") || strings.EqualFold(currency, "USD") {
		return 2
	}
	return 6
}

// LedgerTotals returns the house accounts' balances and the users'
// aggregate balances per account kind and currency.
func (s *Service) LedgerTotals(ctx context.Context) ([]ledger.Total, error) {
	return s.MoneyDeps.Ledger.Totals(ctx, s.DB.SQL)
}

// LedgerPostings returns the postings of one account, newest first.
func (s *Service) LedgerPostings(ctx context.Context, f ledger.PostingFilter, limit, offset int) ([]ledger.Posting, int, error) {
	return s.MoneyDeps.Ledger.Postings(ctx, s.DB.SQL, f, limit, offset)
}

// Keyed is the Idempotency-Key of a money write and the fingerprint of its
// request (API.md §1.12); the zero value means no key was sent.
type Keyed struct {
	Key         string
	Fingerprint string
}

// AdjustmentRequest is a manual adjustment an operator asks for. Amount is
// decimal text, signed: "+12.5" or "12.5" credits the user, "-12.5" debits.
type AdjustmentRequest struct {
	UserID   int64
	Currency string
	Amount   string
	Reason   string
}

// AdjustmentResult is an adjustment booked now, or the four-eyes request it
// waits on (Outcome.Executed false). Replayed says it is the stored answer
// of an earlier request with the same Idempotency-Key.
type AdjustmentResult struct {
	Outcome    Outcome
	Adjustment wallet.Adjustment
	Replayed   bool
}

// The stored answer's status: the HTTP status the admin API answers with.
const (
	storedExecuted = 200
	storedPending  = 202
)

// adjustPayload is a four-eyes adjustment; Reference makes it book once.
type adjustPayload struct {
	UserID    int64  `json:"user_id"`
	Currency  string `json:"currency"`
	Amount    int64  `json:"amount_minor"`
	Reason    string `json:"reason"`
	Reference string `json:"reference"`
}

type balanceState struct {
	UserID       int64  `json:"user_id"`
	Currency     string `json:"currency"`
	Available    string `json:"available"`
	AdjustmentID int64  `json:"adjustment_id,omitempty"`
	Amount       string `json:"amount,omitempty"`
}

// AdjustBalance corrects a user's available balance by a signed amount
// against the house account ledger.Adjustments: one balanced ledger
// transaction that never drives the balance negative (INSUFFICIENT_BALANCE).
// Above the four-eyes threshold (the amount's absolute value) it becomes a
// request for a second operator. With an Idempotency-Key the answer is
// stored (with the booking itself when it executes at once) and a retry
// replays it; the key also names the booking, so even a retry after a
// crash between the two books once.
func (s *Service) AdjustBalance(ctx context.Context, req AdjustmentRequest, key Keyed) (AdjustmentResult, error) {
	p, cur, err := s.parseAdjustment(req)
	if err != nil {
		return AdjustmentResult{}, err
	}
	if _, err := s.MoneyDeps.Wallets.WalletID(ctx, s.DB.SQL, p.UserID); errors.Is(err, store.ErrNotFound) {
		return AdjustmentResult{}, account.ErrUserNotFound
	} else if err != nil {
		return AdjustmentResult{}, fmt.Errorf("backoffice: adjust user %d: %w", p.UserID, err)
	}
	claim, scope, replay, err := s.claimKey(ctx, key)
	if err != nil || replay != nil {
		return s.replayAdjustment(replay, err)
	}
	p.Reference = "adjustment:" + secret.Hex(16)
	if claim != nil {
		p.Reference = "adjustment-key:" + strconv.FormatInt(scope, 10) + ":" + key.Key
	}
	var res AdjustmentResult
	res.Outcome, err = s.moneyAction(ctx, MoneyAction{Kind: KindAdjustBalance, TargetType: "user", TargetID: strconv.FormatInt(p.UserID, 10),
		Currency: cur.Name, Decimals: cur.Decimals, Amount: max(money.Amount(p.Amount), -money.Amount(p.Amount)), Payload: p,
		Reason: p.Reason}, func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.adjust(ctx, tx, p, &res.Adjustment)
		if err != nil || claim == nil {
			return before, after, err
		}
		res.Outcome.Executed = true
		body, err := json.Marshal(res)
		if err != nil {
			return before, after, fmt.Errorf("encode the answer: %w", err)
		}
		return before, after, s.MoneyDeps.Idempotency.Finish(ctx, tx, claim, storedExecuted, body)
	})
	if err != nil {
		if claim != nil {
			_ = s.MoneyDeps.Idempotency.Release(context.WithoutCancel(ctx), claim)
		}
		return AdjustmentResult{}, err
	}
	if claim != nil && !res.Outcome.Executed {
		sctx := context.WithoutCancel(ctx)
		if err := s.DB.InTx(sctx, func(tx *sql.Tx) error {
			body, err := json.Marshal(res)
			if err != nil {
				return err
			}
			return s.MoneyDeps.Idempotency.Finish(sctx, tx, claim, storedPending, body)
		}); err != nil {
			// The request exists; only the stored answer is missing, and a
			// retry is refused while the request is open (APPROVAL_PENDING).
			_ = s.MoneyDeps.Idempotency.Release(sctx, claim)
		}
	}
	return res, nil
}

func (s *Service) parseAdjustment(req AdjustmentRequest) (adjustPayload, wallet.Currency, error) {
	f := apperr.Fields{}
	cur, ok := s.MoneyDeps.Wallets.Currencies.Crypto(req.Currency)
	if !ok {
		return adjustPayload{}, cur, wallet.ErrUnsupportedCurrency.WithDetails("Adjust a wallet currency (HKD lives on cards)")
	}
	text := strings.TrimSpace(req.Amount)
	sign := int64(1)
	if rest, neg := strings.CutPrefix(text, "-"); neg {
		text, sign = rest, -1
	} else {
		text = strings.TrimPrefix(text, "+")
	}
	amount, err := money.ParsePositive(text, cur.Decimals)
	if err != nil {
		f.Add("amount", err.Error()+" (a signed amount: + credits the user, - debits; never 0)")
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" {
		f.Add("reason", "is required")
	}
	if err := f.Err(); err != nil {
		return adjustPayload{}, cur, err
	}
	return adjustPayload{UserID: req.UserID, Currency: cur.Name, Amount: sign * int64(amount), Reason: reason}, cur, nil
}

// adjust books p in tx; into receives the adjustment.
func (s *Service) adjust(ctx context.Context, tx *sql.Tx, p adjustPayload, into *wallet.Adjustment) (any, any, error) {
	cur, ok := s.MoneyDeps.Wallets.Currencies.Crypto(p.Currency)
	if !ok {
		return nil, nil, wallet.ErrUnsupportedCurrency
	}
	a, err := s.MoneyDeps.Wallets.AdjustTx(ctx, tx, wallet.AdjustmentInput{UserID: p.UserID, Currency: cur,
		Amount: money.Amount(p.Amount), Reason: p.Reason, Reference: p.Reference})
	if err != nil {
		return nil, nil, err
	}
	*into = a
	return balanceState{UserID: a.UserID, Currency: cur.Name, Available: (a.BalanceAfter - a.Amount).Format(cur.Decimals)},
		balanceState{UserID: a.UserID, Currency: cur.Name, Available: a.BalanceAfter.Format(cur.Decimals), AdjustmentID: a.ID,
			Amount: a.Amount.Format(cur.Decimals)}, nil
}

// adjustBalance executes an approved adjustment.
func (s *Service) adjustBalance(ctx context.Context, tx *sql.Tx, p adjustPayload) (any, any, error) {
	var a wallet.Adjustment
	return s.adjust(ctx, tx, p, &a)
}

// claimKey claims an Idempotency-Key for the operator on ctx. Operators'
// keys live beside users' in one table, under the negated operator id, so
// the two never meet.
func (s *Service) claimKey(ctx context.Context, key Keyed) (*idempotency.Claim, int64, *idempotency.Stored, error) {
	if key.Key == "" {
		return nil, 0, nil, nil
	}
	actor, ok := audit.ActorFrom(ctx)
	if !ok || actor.Type != audit.ActorOperator || actor.ID == 0 {
		return nil, 0, nil, nil // only signed-in operators send keys
	}
	scope := -actor.ID
	claim, replay, err := s.MoneyDeps.Idempotency.Begin(ctx, scope, key.Key, key.Fingerprint)
	return claim, scope, replay, err
}

func (s *Service) replayAdjustment(replay *idempotency.Stored, err error) (AdjustmentResult, error) {
	if err != nil {
		return AdjustmentResult{}, err
	}
	var res AdjustmentResult
	if err := json.Unmarshal(replay.Body, &res); err != nil {
		return AdjustmentResult{}, fmt.Errorf("backoffice: replay adjustment: %w", err)
	}
	res.Replayed = true
	return res, nil
}
