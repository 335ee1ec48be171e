package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// opReveal is the failure-injection operation of every secret call (API.md
// §4 `reveal`): reveals, PIN queries and PIN sets.
const opReveal = "reveal"

var _ card.SecretsIssuer = (*Issuer)(nil)

// errUnknownCard is the simulator's refusal of a handle it never issued.
var errUnknownCard = errors.New("sandbox issuer: unknown card")

// RevealCard implements card.SecretsIssuer.
func (i *Issuer) RevealCard(ctx context.Context, publicToken string) (card.CardSecrets, error) {
	if i.injectedFailure(opReveal) {
		return card.CardSecrets{}, errors.New("sandbox issuer: injected reveal failure")
	}
	var pan, cvv, expiry string
	err := i.db.SQL.QueryRowContext(ctx, `SELECT pan, cvv, expiry FROM sim_issuer_cards WHERE public_token = $1`, publicToken).
		Scan(&pan, &cvv, &expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return card.CardSecrets{}, errUnknownCard
	}
	if err != nil {
		return card.CardSecrets{}, fmt.Errorf("sandbox issuer: read card: %w", err)
	}
	at, err := time.Parse(time.DateTime, expiry)
	if err != nil {
		return card.CardSecrets{}, fmt.Errorf("sandbox issuer: stored expiry is malformed")
	}
	return card.CardSecrets{PAN: card.Revealed(pan), CVV: card.Revealed(cvv), Expiry: at.Format("01/06")}, nil
}

// PIN implements card.SecretsIssuer. Like a real issuer, a card has a PIN
// from the start: the first query assigns a random 4-digit one.
func (i *Issuer) PIN(ctx context.Context, publicToken string) (card.Revealed, error) {
	if i.injectedFailure(opReveal) {
		return "", errors.New("sandbox issuer: injected PIN query failure")
	}
	if err := i.knownCard(ctx, publicToken); err != nil {
		return "", err
	}
	if _, err := i.db.SQL.ExecContext(ctx, `INSERT INTO sim_issuer_pins (public_token, pin, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (public_token) DO NOTHING`, publicToken, secret.Digits(4), store.At(i.now())); err != nil {
		return "", fmt.Errorf("sandbox issuer: assign PIN: %w", err)
	}
	var pin string
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT pin FROM sim_issuer_pins WHERE public_token = $1`, publicToken).Scan(&pin); err != nil {
		return "", fmt.Errorf("sandbox issuer: read PIN: %w", err)
	}
	return card.Revealed(pin), nil
}

// SetPIN implements card.SecretsIssuer.
func (i *Issuer) SetPIN(ctx context.Context, publicToken string, pin card.Revealed) error {
	if i.injectedFailure(opReveal) {
		return errors.New("sandbox issuer: injected PIN set failure")
	}
	if !card.ValidPIN(pin.Value()) {
		return errors.New("sandbox issuer: PIN format rejected")
	}
	if err := i.knownCard(ctx, publicToken); err != nil {
		return err
	}
	_, err := i.db.SQL.ExecContext(ctx, `INSERT INTO sim_issuer_pins (public_token, pin, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (public_token) DO UPDATE SET pin = excluded.pin, updated_at = excluded.updated_at`,
		publicToken, pin.Value(), store.At(i.now()))
	if err != nil {
		return fmt.Errorf("sandbox issuer: store PIN: %w", err)
	}
	return nil
}

func (i *Issuer) knownCard(ctx context.Context, publicToken string) error {
	var n int
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM sim_issuer_cards WHERE public_token = $1`, publicToken).Scan(&n); err != nil {
		return fmt.Errorf("sandbox issuer: read card: %w", err)
	}
	if n == 0 {
		return errUnknownCard
	}
	return nil
}
