package httpapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

type withdrawalJSON struct {
	ID           int64                   `json:"id"`
	Currency     string                  `json:"currency"`
	Network      string                  `json:"network"`
	Amount       json.Number             `json:"amount"`
	Fee          json.Number             `json:"fee"`
	ActualAmount json.Number             `json:"actual_amount"`
	Address      string                  `json:"address"`
	Status       wallet.WithdrawalStatus `json:"status"`
	TxHash       string                  `json:"tx_hash"`
	RejectReason string                  `json:"reject_reason"`
	CreatedAt    string                  `json:"created_at"`
	UpdatedAt    string                  `json:"updated_at"`
	CompletedAt  *string                 `json:"completed_at"`
}

func toWithdrawalJSON(w wallet.Withdrawal) withdrawalJSON {
	d := w.Currency.Decimals
	out := withdrawalJSON{ID: w.ID, Currency: w.Currency.Name, Network: string(w.Currency.Network), Amount: httpkit.Num(w.Amount, d),
		Fee: httpkit.Num(w.Fee, d), ActualAmount: httpkit.Num(w.ActualAmount(), d), Address: w.Address, Status: w.Status, TxHash: w.TxHash,
		RejectReason: w.RejectReason, CreatedAt: rfc3339(w.CreatedAt), UpdatedAt: rfc3339(w.UpdatedAt)}
	if w.CompletedAt != nil {
		c := rfc3339(*w.CompletedAt)
		out.CompletedAt = &c
	}
	return out
}

// requestWithdrawal serves POST /wallet/withdrawal.
func (s *Server) requestWithdrawal(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b struct {
		Currency   *string            `json:"currency"`
		Amount     httpkit.FlexNumber `json:"amount"`
		Address    *string            `json:"address"`
		Network    *string            `json:"network"`
		TxPassword *string            `json:"transaction_password"`
	}
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	cur, ok, err := s.cryptoCurrency(f, b.Currency, "withdrawn")
	if err != nil {
		return err
	}
	in := wallet.WithdrawalInput{UserID: p.UserID, Currency: cur, Address: f.Required("address", b.Address)}
	if ok {
		in.Amount = f.Amount("amount", b.Amount, cur.Decimals)
		if n := httpkit.Optional(b.Network); n != "" && !strings.EqualFold(n, string(cur.Network)) {
			f.Add("network", "must be "+string(cur.Network)+" for "+cur.Name)
		}
	}
	if b.TxPassword != nil && *b.TxPassword != "" {
		in.TxPassword = *b.TxPassword
		if !account.IsOTPFormat(in.TxPassword, 6) {
			f.Add("transaction_password", "must be 6 digits")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	// The custody provider's own address check, before any transaction.
	if err := s.Wallets.CheckWithdrawalAddress(r.Context(), in.Currency, in.Address); err != nil {
		return err
	}
	s.execute(w, r, p.UserID, raw, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		wd, err := s.Wallets.RequestWithdrawal(ctx, tx, s.Jobs, in)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, struct {
			httpkit.EnvelopeA
			Withdrawal withdrawalJSON `json:"withdrawal"`
		}{httpkit.OKA(r, "Withdrawal request submitted"), toWithdrawalJSON(wd)}, nil
	})
	return nil
}

// listWithdrawals serves GET /wallet/withdrawals.
func (s *Server) listWithdrawals(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	page, limit, err := httpkit.PageParams(r, "limit")
	if err != nil {
		return err
	}
	status := wallet.WithdrawalStatus(r.URL.Query().Get("status"))
	switch status {
	case "", wallet.WithdrawalPending, wallet.WithdrawalApproved, wallet.WithdrawalCompleted, wallet.WithdrawalRejected, wallet.WithdrawalFailed:
	default:
		return apperr.Validation(map[string]string{"status": "must be pending, approved, completed, rejected or failed"})
	}
	list, total, err := s.Wallets.Withdrawals(r.Context(), p.UserID, status, page, limit)
	if err != nil {
		return err
	}
	items := make([]withdrawalJSON, 0, len(list))
	for _, wd := range list {
		items = append(items, toWithdrawalJSON(wd))
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Page       int              `json:"page"`
		Limit      int              `json:"limit"`
		Total      int              `json:"total"`
		TotalPages int              `json:"total_pages"`
		Items      []withdrawalJSON `json:"items"`
	}{httpkit.OKA(r, "OK"), page, limit, total, httpkit.TotalPages(total, limit), items})
	return nil
}

// withdrawalFeeInfo serves GET /wallet/withdrawal-fee-info.
func (s *Server) withdrawalFeeInfo(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	q := r.URL.Query()
	curName := q.Get("currency")
	if curName == "" {
		curName = "USDT-TRC20"
	}
	cur, ok := s.Wallets.Currencies.Crypto(curName)
	if !ok {
		return wallet.ErrUnsupportedCurrency.WithDetails("Only enabled crypto currencies can be withdrawn")
	}
	f := httpkit.NewFields()
	raw := q.Get("amount")
	amount := f.Amount("amount", httpkit.FlexNumber{Raw: raw, Present: raw != "", TypeOK: true}, cur.Decimals)
	if err := f.Err(); err != nil {
		return err
	}
	fq, err := s.Wallets.WithdrawalFeeFor(r.Context(), s.DB.SQL, p.UserID, cur, amount)
	if err != nil {
		return err
	}
	d := cur.Decimals
	feeValue, minFee := httpkit.Num(fq.Rule.Amount, d), httpkit.Num(fq.Rule.Minimum, d)
	if fq.Rule.Type == settings.FeePercentage {
		feeValue = json.Number(fq.Rule.Rate.String())
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Currency     string      `json:"currency"`
		Amount       json.Number `json:"amount"`
		Fee          json.Number `json:"fee"`
		ActualAmount json.Number `json:"actual_amount"`
		FeeType      string      `json:"fee_type"`
		FeeValue     json.Number `json:"fee_value"`
		MinFee       json.Number `json:"min_fee"`
		MinAmount    json.Number `json:"min_amount"`
		MaxAmount    json.Number `json:"max_amount"`
	}{cur.Name, httpkit.Num(amount, d), httpkit.Num(fq.Fee, d), httpkit.Num(fq.Actual, d), string(fq.Rule.Type), feeValue, minFee, httpkit.Num(fq.MinAmount, d), httpkit.Num(fq.MaxAmount, d)}))
	return nil
}
