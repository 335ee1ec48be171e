package backoffice

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/money"
)

// Policy is the back office's rules.
type Policy struct {
	// FourEyesAboveUSDCents: a money-affecting action (manual credit or
	// adjustment, refund, withdrawal approval) whose amount is worth more
	// than this needs a second operator. 0 means every such action does.
	FourEyesAboveUSDCents money.Amount
}

// DefaultPolicy asks a second operator above 1 000 USD.
var DefaultPolicy = Policy{FourEyesAboveUSDCents: 100_000}

// hkdPerUSD is the low end of the Hong Kong dollar's band against the US
// dollar (7.75–7.85): converting at it overstates an HKD amount's USD worth
// slightly, so a borderline amount asks for the second operator.
var hkdPerUSD = big.NewRat(775, 100)

// usdCents values amount (minor units with decimals places) of currency in
// US cents: stablecoins at par, HKD at the band's low end, rounded up.
func usdCents(currency string, decimals int, amount money.Amount) money.Amount {
	v := new(big.Rat).SetFrac(big.NewInt(int64(amount)), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil))
	if strings.EqualFold(currency, "HKD") {
		v.Quo(v, hkdPerUSD)
	}
	v.Mul(v, big.NewRat(100, 1))
	q, r := new(big.Int).QuoRem(v.Num(), v.Denom(), new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return money.Amount(q.Int64())
}

// NeedsSecondOperator reports whether a money action on amount (minor
// units with decimals places) of currency goes through four-eyes: the rule
// moneyAction applies, for screens that say so before the click.
func (s *Service) NeedsSecondOperator(currency string, decimals int, amount money.Amount) bool {
	return usdCents(currency, decimals, max(amount, -amount)) > s.Policy.FourEyesAboveUSDCents
}

// MoneyAction is a money-affecting operator action.
type MoneyAction struct {
	Kind       approval.Kind // also the audit action
	TargetType string
	TargetID   string
	Currency   string
	Decimals   int
	Amount     money.Amount // absolute value in minor units
	Payload    any          // replayed to the executor on approval
	Reason     string
}

// Outcome is what a money action did: executed now, or waiting for a
// second operator.
type Outcome struct {
	Executed bool
	Request  approval.Request // set when it waits
}

// moneyAction executes act at once when it is within the four-eyes
// threshold, or submits it for approval. run is the action's work in its
// transaction; the same function (through the group's executor, from the
// payload) runs on approval.
func (s *Service) moneyAction(ctx context.Context, act MoneyAction, run change) (Outcome, error) {
	if act.Reason == "" {
		return Outcome{}, errReasonRequired
	}
	if usdCents(act.Currency, act.Decimals, act.Amount) > s.Policy.FourEyesAboveUSDCents {
		req, err := s.Approvals.Submit(ctx, approval.New{Kind: act.Kind, TargetType: act.TargetType, TargetID: act.TargetID,
			Amount: act.Amount, Currency: act.Currency, Payload: act.Payload, Reason: act.Reason})
		if err != nil {
			return Outcome{}, fmt.Errorf("backoffice: %s: %w", act.Kind, err)
		}
		return Outcome{Request: req}, nil
	}
	err := s.audited(ctx, audit.Entry{Action: string(act.Kind), TargetType: act.TargetType, TargetID: act.TargetID,
		Reason: act.Reason}, run)
	return Outcome{Executed: err == nil}, err
}

// moneyOnRow is a money action on one stored row (crediting a deposit by
// hand, approving a withdrawal): a reason is required, the row must allow
// it (check), the action goes through moneyAction (four-eyes above the
// threshold) and, once executed, the row is read again for the answer.
// action fills the action's kind, target type, amount and payload.
func moneyOnRow[T any](ctx context.Context, s *Service, id int64, reason string, read func(context.Context, int64) (T, error),
	check func(T) error, action func(T) MoneyAction, run change) (T, Outcome, error) {
	var zero T
	if reason = strings.TrimSpace(reason); reason == "" {
		return zero, Outcome{}, errReasonRequired
	}
	x, err := read(ctx, id)
	if err != nil {
		return zero, Outcome{}, err
	}
	if err := check(x); err != nil {
		return x, Outcome{}, err
	}
	act := action(x)
	act.TargetID, act.Reason = strconv.FormatInt(id, 10), reason
	out, err := s.moneyAction(ctx, act, run)
	if err != nil || !out.Executed {
		return x, out, err
	}
	x, err = read(ctx, id)
	return x, out, err
}

// executor adapts a group's action to approval: decode the payload into P
// and run the same work the direct path runs.
func executor[P any](run func(ctx context.Context, tx *sql.Tx, p P) (before, after any, err error)) approval.Executor {
	return func(ctx context.Context, tx *sql.Tx, r approval.Request) (any, any, error) {
		var p P
		if err := jsonUnmarshal(r.Payload, &p); err != nil {
			return nil, nil, fmt.Errorf("backoffice: %s payload: %w", r.Kind, err)
		}
		return run(ctx, tx, p)
	}
}
