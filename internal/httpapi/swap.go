package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// swapBody is the body of POST /wallet/swap/preview and /wallet/swap.
type swapBody struct {
	From    *string            `json:"from_currency"`
	To      *string            `json:"to_currency"`
	Amount  httpkit.FlexNumber `json:"amount"`
	QuoteID *string            `json:"quote_id"`
	CardID  httpkit.FlexNumber `json:"card_id"`
}

// parseSwap reads the pair and amount. A pair problem is answered with its
// own code; missing or malformed fields with VALIDATION_FAILED.
func (s *Server) parseSwap(b swapBody) (swap.Pair, money.Amount, httpkit.Fields, error) {
	f := httpkit.NewFields()
	from, to := f.Required("from_currency", b.From), f.Required("to_currency", b.To)
	if from == "" || to == "" {
		f.Amount("amount", b.Amount, 6)
		return swap.Pair{}, 0, f, nil
	}
	pair, err := s.Swaps.ParsePair(from, to)
	if err != nil {
		return swap.Pair{}, 0, f, err
	}
	return pair, f.Amount("amount", b.Amount, pair.From.Decimals), f, nil
}

// previewSwap serves POST /wallet/swap/preview.
func (s *Server) previewSwap(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b swapBody
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	pair, amount, f, err := s.parseSwap(b)
	if err == nil {
		err = f.Err()
	}
	if err != nil {
		return err
	}
	q, err := s.Swaps.Preview(r.Context(), p.UserID, pair, amount)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		QuoteID string `json:"quote_id"`
		swapFiguresJSON
		ExpiresAt string `json:"expires_at"`
	}{q.ID, figures(q.Pair, q.FromAmount, q.ToAmount, q.DisplayRate(), q.FeeRate, q.FeeAmount, q.NetAmount), rfc3339(q.ExpiresAt)}))
	return nil
}

// swapFiguresJSON are the priced figures shared by preview and swap.
type swapFiguresJSON struct {
	From      string      `json:"from_currency"`
	To        string      `json:"to_currency"`
	FromAmt   json.Number `json:"from_amount"`
	ToAmt     json.Number `json:"to_amount"`
	Rate      json.Number `json:"exchange_rate"`
	Fee       json.Number `json:"fee"`
	FeeRate   json.Number `json:"fee_rate"`
	FeeAmount json.Number `json:"fee_amount"`
	NetAmount json.Number `json:"net_amount"`
}

func figures(p swap.Pair, from, to money.Amount, rate, feeRate money.Rate, fee, net money.Amount) swapFiguresJSON {
	return swapFiguresJSON{From: p.From.Name, To: p.To.Name, FromAmt: httpkit.Num(from, p.From.Decimals), ToAmt: httpkit.Num(to, p.To.Decimals),
		Rate: rateNum(rate), Fee: "0", FeeRate: rateNum(feeRate), FeeAmount: httpkit.Num(fee, 2), NetAmount: httpkit.Num(net, p.To.Decimals)}
}

// executeSwap serves POST /wallet/swap. The swap commits its own steps
// around the issuer call, so the idempotency record follows the effect.
func (s *Server) executeSwap(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b swapBody
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	pair, amount, f, err := s.parseSwap(b)
	if err != nil {
		return err
	}
	in := swap.Input{UserID: p.UserID, Pair: pair, Amount: amount, QuoteID: httpkit.Optional(b.QuoteID)}
	if key := r.Header.Get("Idempotency-Key"); idempotency.ValidKey(key) {
		in.IdempotencyKey = key
	}
	if b.CardID.Present {
		in.CardID = f.ID("card_id", b.CardID)
	}
	if err := f.Err(); err != nil {
		return err
	}
	s.executeOnce(w, r, p.UserID, raw, func(ctx context.Context) (int, any, error) {
		res, err := s.Swaps.Execute(ctx, in)
		if err != nil {
			return 0, nil, err
		}
		rec := res.Swap
		crypto := rec.Pair.Crypto
		return http.StatusOK, httpkit.OKB(r, "Swap completed successfully", struct {
			TransactionID int64  `json:"transaction_id"`
			Status        string `json:"status"`
			swapFiguresJSON
			Reference   string                 `json:"pokepay_reference"`
			CardID      int64                  `json:"card_id"`
			CardBalance json.Number            `json:"card_balance"`
			NewBalances map[string]json.Number `json:"new_balances"`
			CreatedAt   string                 `json:"created_at"`
			CompletedAt *string                `json:"completed_at"`
		}{rec.ID, string(rec.Status), figures(rec.Pair, rec.FromAmount, rec.ToAmount, rec.DisplayRate(), rec.FeeRate, rec.FeeAmount, rec.NetAmount),
			rec.IssuerReference(res.PublicToken), rec.CardID, httpkit.Num(res.CardBalance, 2),
			map[string]json.Number{crypto.Name: httpkit.Num(res.WalletBalance, crypto.Decimals), "HKD": httpkit.Num(res.CardBalance, 2)},
			rfc3339(rec.CreatedAt), optTime(rec.CompletedAt)}), nil
	})
	return nil
}

// swapHistory serves GET /wallet/swap/history.
func (s *Server) swapHistory(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	page, limit, err := httpkit.PageParams(r, "limit")
	if err != nil {
		return err
	}
	recs, total, err := s.Swaps.History(r.Context(), p.UserID, page, limit)
	if err != nil {
		return err
	}
	type rowJSON struct {
		ID       int64 `json:"id"`
		UserID   int64 `json:"user_id"`
		WalletID int64 `json:"wallet_id"`
		swapFiguresJSON
		Status      string  `json:"status"`
		QuoteID     string  `json:"quote_id"`
		Ref         string  `json:"poke_pay_ref"`
		RefType     string  `json:"poke_pay_type"`
		CardID      int64   `json:"card_id"`
		CreatedAt   string  `json:"created_at"`
		CompletedAt *string `json:"completed_at"`
	}
	cards, err := s.Cards.List(r.Context(), p.UserID, true)
	if err != nil {
		return err
	}
	tokens := make(map[int64]string, len(cards))
	for _, c := range cards {
		tokens[c.ID] = c.PublicToken
	}
	rows := []rowJSON{}
	for _, rec := range recs {
		token := tokens[rec.CardID]
		fig := figures(rec.Pair, rec.FromAmount, rec.ToAmount, rec.DisplayRate(), rec.FeeRate, rec.FeeAmount, rec.NetAmount)
		// Here `fee` is the HKD fee itself (API.md §2.3).
		fig.Fee = fig.FeeAmount
		rows = append(rows, rowJSON{rec.ID, rec.UserID, rec.UserID, fig, string(rec.Status), rec.QuoteID, rec.IssuerReference(token), string(rec.Direction),
			rec.CardID, rfc3339(rec.CreatedAt), optTime(rec.CompletedAt)})
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Transactions []rowJSON    `json:"transactions"`
		Pagination   pagePosition `json:"pagination"`
	}{rows, pagePosition{page, limit, total, httpkit.TotalPages(total, limit)}}))
	return nil
}

// pagePosition is the `pagination` object of page/limit lists.
type pagePosition struct {
	Page       int `json:"page"`
	Limit      int `json:"limit"`
	Total      int `json:"total"`
	TotalPages int `json:"total_pages"`
}
