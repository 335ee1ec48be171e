package swap

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Quote is a priced swap. Amounts are minor units of their currency; the
// fee is always HKD.
type Quote struct {
	ID         string
	UserID     int64
	Pair       Pair
	FromAmount money.Amount
	ToAmount   money.Amount // gross
	Rate       money.Rate   // HKD per USD-stablecoin, in either direction
	FeeRate    money.Rate
	FeeAmount  money.Amount // HKD cents
	NetAmount  money.Amount // credited: HKD to the card or crypto to the wallet
	ExpiresAt  time.Time
}

// price applies API.md §2.3: amounts credited round down, fees round up.
func (s *Service) price(v settings.Values, p Pair, amount money.Amount, rate, feeRate money.Rate) (Quote, error) {
	q := Quote{Pair: p, FromAmount: amount, Rate: rate, FeeRate: feeRate}
	hkd, crypto := p.To.Decimals, p.Crypto.Decimals
	if p.Direction == Recharge {
		q.ToAmount = money.Convert(amount, crypto, rate, hkd, false)
		q.FeeAmount = money.Convert(q.ToAmount, hkd, feeRate, hkd, true)
		q.NetAmount = q.ToAmount - q.FeeAmount
		if q.NetAmount < v.CardRechargeMin || q.NetAmount > v.CardRechargeMax {
			return Quote{}, apperr.Validation(map[string]string{"amount": "the HKD credited to the card must be between " +
				v.CardRechargeMin.Format(2) + " and " + v.CardRechargeMax.Format(2)})
		}
		return q, nil
	}
	hkd = p.From.Decimals
	q.FeeAmount = money.Convert(amount, hkd, feeRate, hkd, true)
	q.ToAmount = money.Divide(amount, hkd, rate, crypto)
	q.NetAmount = money.Divide(amount-q.FeeAmount, hkd, rate, crypto)
	if amount < v.CardWithdrawMin || (v.CardWithdrawMax > 0 && amount > v.CardWithdrawMax) {
		limit := "at least " + v.CardWithdrawMin.Format(2) + " HKD"
		if v.CardWithdrawMax > 0 {
			limit += " and at most " + v.CardWithdrawMax.Format(2) + " HKD"
		}
		return Quote{}, apperr.Validation(map[string]string{"amount": "must be " + limit})
	}
	if q.NetAmount <= 0 {
		return Quote{}, apperr.Validation(map[string]string{"amount": "is too small to convert"})
	}
	return q, nil
}

// currentPrice prices a swap at the current rate and v's fee rate.
func (s *Service) currentPrice(ctx context.Context, v settings.Values, p Pair, amount money.Amount) (Quote, error) {
	rate, err := s.Wallets.HKDPerDollar(ctx, p.Direction == Withdraw)
	if err != nil {
		return Quote{}, fmt.Errorf("rate: %w", err)
	}
	return s.price(v, p, amount, rate, v.SwapFeeRate)
}

// DisplayRate is the exchange rate shown: units of To per 1 From.
func (q Quote) DisplayRate() money.Rate { return displayRate(q.Pair.Direction, q.Rate) }

func displayRate(direction Direction, hkdPerDollar money.Rate) money.Rate {
	if direction == Withdraw {
		return wallet.Inverse(hkdPerDollar)
	}
	return hkdPerDollar
}

// Preview prices a swap at the fee rate in force and stores the quote for
// the quote lifetime in force. Balances are not checked.
func (s *Service) Preview(ctx context.Context, userID int64, p Pair, amount money.Amount) (Quote, error) {
	v, err := s.Settings.Get(ctx)
	if err != nil {
		return Quote{}, fmt.Errorf("swap: preview %s for user %d: %w", p.Direction, userID, err)
	}
	q, err := s.currentPrice(ctx, v, p, amount)
	if err != nil {
		return Quote{}, fmt.Errorf("swap: preview %s for user %d: %w", p.Direction, userID, err)
	}
	now := s.Now()
	q.ID, q.UserID, q.ExpiresAt = "quote_"+uuid.NewString(), userID, now.Add(v.SwapQuoteTTL)
	_, err = s.DB.SQL.ExecContext(ctx, `INSERT INTO swap_quotes (quote_id, user_id, from_currency, to_currency, from_amount, to_amount,
		rate, fee_rate, fee_amount, net_amount, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		q.ID, userID, p.From.Name, p.To.Name, int64(q.FromAmount), int64(q.ToAmount), int64(q.Rate), int64(q.FeeRate),
		int64(q.FeeAmount), int64(q.NetAmount), store.At(now), store.At(q.ExpiresAt))
	if err != nil {
		return Quote{}, fmt.Errorf("swap: preview %s for user %d: store quote: %w", p.Direction, userID, err)
	}
	return q, nil
}

// useQuote marks the caller's quote used in tx and returns it priced for
// the request: at the quote's own rate and fee rate, within the limits in
// force (v). Only one swap can ever use a quote: the conditional update
// lets exactly one of many concurrent requests through.
func (s *Service) useQuote(ctx context.Context, tx *sql.Tx, v settings.Values, userID int64, id string, p Pair, amount money.Amount) (Quote, error) {
	var (
		from, to             string
		fromAmount, rate, fr int64
		expires, used        time.Time
	)
	err := tx.QueryRowContext(ctx, `SELECT from_currency, to_currency, from_amount, rate, fee_rate, expires_at, used_at
		FROM swap_quotes WHERE quote_id = $1 AND user_id = $2`, id, userID).Scan(&from, &to, &fromAmount, &rate, &fr, store.TimeInto(&expires), store.TimeInto(&used))
	if errors.Is(err, sql.ErrNoRows) {
		return Quote{}, ErrQuoteNotFound.WithDetails("No such quote")
	}
	if err != nil {
		return Quote{}, fmt.Errorf("read quote %s: %w", id, err)
	}
	now := s.Now()
	switch {
	case !used.IsZero():
		return Quote{}, ErrQuoteUsed
	case now.After(expires):
		return Quote{}, ErrQuoteExpired
	case from != p.From.Name || to != p.To.Name || money.Amount(fromAmount) != amount:
		return Quote{}, ErrQuoteMismatch.WithDetails("The quote was for " + money.Amount(fromAmount).Format(p.From.Decimals) + " " + from + " → " + to)
	}
	res, err := tx.ExecContext(ctx, `UPDATE swap_quotes SET used_at = $1 WHERE quote_id = $2 AND used_at IS NULL`, store.At(now), id)
	if err != nil {
		return Quote{}, fmt.Errorf("use quote %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Quote{}, fmt.Errorf("use quote %s: %w", id, err)
	} else if n != 1 {
		return Quote{}, ErrQuoteUsed
	}
	q, err := s.price(v, p, amount, money.Rate(rate), money.Rate(fr))
	if err != nil {
		return Quote{}, err // a validation error of the quote's own pricing
	}
	q.ID = id
	return q, nil
}
