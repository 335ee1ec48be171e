package apptest

import (
	"context"
	"fmt"
	"sync"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// Issuer operations a test can make fail.
const (
	OpSetStatus = "set_status"
	OpWithdraw  = "withdraw"
	OpRecharge  = "recharge"
	OpVoid      = "void"
)

// Fault is how one scripted issuer call fails.
type Fault int

const (
	// Refuse is a definite refusal: nothing applied (swap.ErrCardDeclined).
	Refuse Fault = iota + 1
	// LoseBefore is a call that got no answer and was not applied.
	LoseBefore
	// LoseAfter is a call the issuer applied whose answer was lost.
	LoseAfter
	// Down is a call the circuit breaker kept from leaving (card.ErrIssuerDown).
	Down
)

// FakeIssuer implements the card issuer ports the domains declare
// (card.StatusIssuer, swap.CardIssuer) for domain tests below HTTP. Like the
// real issuer it keeps each card's balance and status, applies a reference
// once, and answers Void truthfully (cancelling a reference not applied, so
// it never will be). Failures are scripted per operation with Fail.
type FakeIssuer struct {
	mu       sync.Mutex
	balances map[string]money.Amount    // by public token
	statuses map[string]card.IssuerCode // issuer status code by public token
	applied  map[string]bool            // references applied
	voided   map[string]bool            // references cancelled by Void
	faults   map[string][]Fault         // by operation, next first
	calls    []string
}

var (
	_ card.StatusIssuer = (*FakeIssuer)(nil)
	_ swap.CardIssuer   = (*FakeIssuer)(nil)
)

// NewFakeIssuer returns an issuer whose cards are active and empty.
func NewFakeIssuer() *FakeIssuer {
	return &FakeIssuer{balances: map[string]money.Amount{}, statuses: map[string]card.IssuerCode{}, applied: map[string]bool{},
		voided: map[string]bool{}, faults: map[string][]Fault{}}
}

// Fail makes the next calls of op fail with faults, in order.
func (f *FakeIssuer) Fail(op string, faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[op] = append(f.faults[op], faults...)
}

// ClearFaults drops the scripted failures not used up.
func (f *FakeIssuer) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.faults)
}

// Balance is the card's balance at the issuer.
func (f *FakeIssuer) Balance(publicToken string) money.Amount {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.balances[publicToken]
}

// CardBalance implements card.BalanceSource: what the issuer would release.
func (f *FakeIssuer) CardBalance(_ context.Context, publicToken string) (money.Amount, error) {
	return f.Balance(publicToken), nil
}

// Status is the card's issuer status code (card.CodeActive when never set).
func (f *FakeIssuer) Status(publicToken string) card.IssuerCode {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.statuses[publicToken]; ok {
		return s
	}
	return card.CodeActive
}

// Calls lists the calls made so far ("op ref-or-code"), failed ones too.
func (f *FakeIssuer) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// next records a call and returns its scripted fault (0 = none).
func (f *FakeIssuer) next(op, what string) Fault {
	f.calls = append(f.calls, op+" "+what)
	q := f.faults[op]
	if len(q) == 0 {
		return 0
	}
	f.faults[op] = q[1:]
	return q[0]
}

// failure is the error of a fault; apply runs unless the fault keeps the
// call from being applied.
func failure(fault Fault, op string, apply func() error) error {
	switch fault {
	case Refuse:
		return fmt.Errorf("fake issuer: %s: %w", op, swap.ErrCardDeclined)
	case Down:
		return card.ErrIssuerDown
	case LoseBefore:
		return fmt.Errorf("fake issuer: %s: %w", op, card.ErrIssuerNoAnswer)
	case LoseAfter:
		if err := apply(); err != nil {
			return err
		}
		return fmt.Errorf("fake issuer: %s: %w", op, card.ErrIssuerNoAnswer)
	}
	return apply()
}

// SetStatus implements card.StatusIssuer.
func (f *FakeIssuer) SetStatus(_ context.Context, publicToken string, code card.IssuerCode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return failure(f.next(OpSetStatus, string(code)), OpSetStatus, func() error {
		switch {
		case f.statuses[publicToken] == card.CodeCancelled && code == card.CodeCancelled:
			return nil // closing a closed card again: done already
		case f.statuses[publicToken] == card.CodeCancelled:
			return fmt.Errorf("fake issuer: card closed: %w", swap.ErrCardDeclined)
		}
		if code == card.CodeCancelled {
			// Like the processor: the close zeroes what is left on the
			// card, so a close sent before its withdrawal loses it.
			f.balances[publicToken] = 0
		}
		f.statuses[publicToken] = code
		return nil
	})
}

// Withdraw implements card.StatusIssuer and swap.CardIssuer.
func (f *FakeIssuer) Withdraw(_ context.Context, publicToken string, amount money.Amount, reference string) error {
	return f.move(OpWithdraw, publicToken, -amount, reference)
}

// Recharge implements card.StatusIssuer and swap.CardIssuer.
func (f *FakeIssuer) Recharge(_ context.Context, publicToken string, amount money.Amount, reference string) error {
	return f.move(OpRecharge, publicToken, amount, reference)
}

func (f *FakeIssuer) move(op, publicToken string, delta money.Amount, reference string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return failure(f.next(op, reference), op, func() error {
		switch {
		case f.applied[reference]:
			return nil // once per reference
		case f.voided[reference]:
			return fmt.Errorf("fake issuer: %s voided: %w", reference, swap.ErrCardDeclined)
		case f.statuses[publicToken] == card.CodeCancelled:
			return fmt.Errorf("fake issuer: card closed: %w", swap.ErrCardDeclined)
		case f.balances[publicToken]+delta < 0:
			return fmt.Errorf("fake issuer: balance too low: %w", swap.ErrCardDeclined)
		}
		f.balances[publicToken] += delta
		f.applied[reference] = true
		return nil
	})
}

// Void implements card.StatusIssuer and swap.CardIssuer.
func (f *FakeIssuer) Void(_ context.Context, reference string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var applied bool
	err := failure(f.next(OpVoid, reference), OpVoid, func() error {
		applied = f.applied[reference]
		if !applied {
			f.voided[reference] = true
		}
		return nil
	})
	return applied, err
}
