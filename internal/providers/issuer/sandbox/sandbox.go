// Package sandbox is the offline card issuer: a simulated external system
// with its own tables (sim_issuer_*). It issues VISA cards in HKD with
// Luhn-valid PANs on a test BIN (never a real one) and keeps PAN and CVV
// itself; the platform only ever sees the handle and the masked number.
package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Issuer simulates the card issuer.
type Issuer struct {
	db  *store.DB
	bin string
	now func() time.Time
	// IssueDelay is how long issuance takes (API.md §4: 2 s by default).
	IssueDelay time.Duration
	// FailureRate is the share of issuance calls that fail (0–1).
	FailureRate float64
	// Deliver sends one card event to the platform the way the real issuer
	// does (signed, through /webhooks/issuer) and returns once processed.
	Deliver func(ctx context.Context, body []byte) error

	mu       sync.Mutex
	failures map[string]int
}

// New returns a simulator using db for its own tables.
func New(db *store.DB, bin string, now func() time.Time) *Issuer {
	return &Issuer{db: db, bin: bin, now: now, IssueDelay: 2 * time.Second, failures: map[string]int{}}
}

// FailNext makes the next n calls of an operation fail (sandbox helper).
func (i *Issuer) FailNext(operation string, n int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.failures[operation] += n
}

func (i *Issuer) injectedFailure(operation string) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.failures[operation] > 0 {
		i.failures[operation]--
		return true
	}
	return false
}

// IssueCard implements card.Issuer; a repeated reference returns the card
// already issued for it.
func (i *Issuer) IssueCard(ctx context.Context, req card.IssueRequest) (card.IssuedCard, error) {
	if existing, err := i.byReference(ctx, req.Reference); err == nil {
		return existing, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return card.IssuedCard{}, fmt.Errorf("sandbox issuer: issue_card %s: %w", req.Reference, err)
	}
	select {
	case <-time.After(i.IssueDelay):
	case <-ctx.Done():
		return card.IssuedCard{}, fmt.Errorf("sandbox issuer: issue_card %s: %w", req.Reference, ctx.Err())
	}
	if i.injectedFailure("issue_card") || (i.FailureRate > 0 && randomFloat() < i.FailureRate) {
		return card.IssuedCard{}, errors.New("sandbox issuer: injected issue_card failure")
	}
	pan := LuhnPAN(i.bin, 16)
	expiry := i.now().UTC().AddDate(3, 0, 0).Truncate(time.Second)
	for range 5 {
		token := secret.Digits(9)
		if token[0] == '0' {
			continue
		}
		_, err := i.db.SQL.ExecContext(ctx, `INSERT INTO sim_issuer_cards (public_token, reference, pan, cvv, expiry, status, created_at)
			VALUES ($1, $2, $3, $4, $5, 'active', $6) ON CONFLICT DO NOTHING`, token, req.Reference, pan, secret.Digits(3),
			expiry.Format(time.DateTime), store.At(i.now()))
		if err != nil {
			return card.IssuedCard{}, fmt.Errorf("sandbox issuer: issue_card %s: %w", req.Reference, err)
		}
		issued, err := i.byReference(ctx, req.Reference)
		if err != nil {
			return card.IssuedCard{}, fmt.Errorf("sandbox issuer: issue_card %s: %w", req.Reference, err)
		}
		return issued, nil
	}
	return card.IssuedCard{}, errors.New("sandbox issuer: no free card handle")
}

func (i *Issuer) byReference(ctx context.Context, ref string) (card.IssuedCard, error) {
	var token, pan, expiry string
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT public_token, pan, expiry FROM sim_issuer_cards WHERE reference = $1`, ref).
		Scan(&token, &pan, &expiry); err != nil {
		return card.IssuedCard{}, err
	}
	at, _ := time.Parse(time.DateTime, expiry)
	return card.IssuedCard{PublicToken: token, MaskedPAN: Mask(pan), Expiry: at}, nil
}

// randomFloat returns a uniform number in [0, 1).
func randomFloat() float64 {
	n, _ := strconv.ParseUint(secret.Digits(9), 10, 64)
	return float64(n) / 1e9
}

// Mask keeps the first six and last four digits of a PAN.
func Mask(pan string) string {
	if len(pan) < 10 {
		return "****"
	}
	return pan[:6] + "******" + pan[len(pan)-4:]
}

// LuhnPAN returns a random PAN of length digits starting with bin whose
// last digit makes it Luhn-valid.
func LuhnPAN(bin string, length int) string {
	body := bin + secret.Digits(length-len(bin)-1)
	return body + strconv.Itoa(luhnCheckDigit(body))
}

func luhnCheckDigit(body string) int {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// LuhnValid reports whether pan passes the Luhn check.
func LuhnValid(pan string) bool {
	if len(pan) < 2 {
		return false
	}
	return fmt.Sprint(luhnCheckDigit(pan[:len(pan)-1])) == pan[len(pan)-1:]
}
