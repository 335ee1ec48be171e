package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Labels of API.md §3.4.9 (canonical English; localized through i18n).
var (
	typeLabels = map[wallet.ActivityType]string{wallet.ActivityDeposit: "Deposit", wallet.ActivityWithdraw: "Withdrawal",
		wallet.ActivitySwap: "Swap", wallet.ActivityCardFee: "Card fee", wallet.ActivityCardUpgrade: "Physical card upgrade",
		wallet.ActivityTransfer: "Transfer", wallet.ActivityCommission: "Commission", wallet.ActivityRefund: "Refund",
		wallet.ActivityFee: "Fee", wallet.ActivityAdminAdjustment: "Adjustment"}
	statusLabels = map[wallet.ActivityStatus]string{wallet.ActivityPending: "Pending", wallet.ActivityApproved: "Approved",
		wallet.ActivityCompleted: "Completed", wallet.ActivityFailed: "Failed", wallet.ActivityCancelled: "Cancelled",
		wallet.ActivityRejected: "Rejected", wallet.ActivityCredited: "Credited"}
)

type historyJSON struct {
	ID                 int64                 `json:"id"`
	Type               wallet.ActivityType   `json:"type"`
	TypeLabel          string                `json:"type_label"`
	Status             wallet.ActivityStatus `json:"status"`
	StatusLabel        string                `json:"status_label"`
	Amount             json.Number           `json:"amount"`
	Currency           string                `json:"currency"`
	Description        string                `json:"description"`
	CreatedAt          string                `json:"created_at"`
	CompletedAt        *string               `json:"completed_at"`
	Fee                json.Number           `json:"fee"`
	Address            string                `json:"address"`
	TxHash             string                `json:"tx_hash"`
	Reference          string                `json:"reference"`
	FromAmount         json.Number           `json:"from_amount"`
	FromCurrency       string                `json:"from_currency"`
	ToAmount           json.Number           `json:"to_amount"`
	ToCurrency         string                `json:"to_currency"`
	ExchangeRate       json.Number           `json:"exchange_rate"`
	SourceID           int64                 `json:"source_id"`
	SourceTable        string                `json:"source_table"`
	CounterpartyUserID *int64                `json:"counterparty_user_id"`
}

// parseDay accepts YYYY-MM-DD or RFC 3339; dayEnd moves a bare date to the
// start of the next day (end dates are inclusive).
func parseDay(raw string, dayEnd bool) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		if dayEnd {
			t = t.AddDate(0, 0, 1)
		}
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		if dayEnd {
			t = t.Add(time.Microsecond)
		}
		return t.UTC(), true
	}
	return time.Time{}, false
}

// unifiedTransactions serves GET /wallet/unified-transactions.
func (s *Server) unifiedTransactions(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	page, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := httpkit.NewFields()
	filter := wallet.HistoryFilter{UserID: p.UserID, Type: wallet.ActivityType(q.Get("type")), Status: wallet.ActivityStatus(q.Get("status")),
		Page: page, PageSize: size}
	if _, ok := typeLabels[filter.Type]; filter.Type != "" && !ok {
		f.Add("type", "unknown transaction type")
	}
	if _, ok := statusLabels[filter.Status]; filter.Status != "" && !ok {
		f.Add("status", "unknown status")
	}
	dayRange(q, f, &filter.From, &filter.To)
	if err := f.Err(); err != nil {
		return err
	}
	items, total, err := s.Wallets.History(r.Context(), filter)
	if err != nil {
		return err
	}
	var swapIDs []int64
	for _, it := range items {
		if it.Type == wallet.ActivitySwap && it.SourceTable == "swaps" {
			swapIDs = append(swapIDs, it.SourceID)
		}
	}
	swaps, err := s.Swaps.ByIDs(r.Context(), filter.UserID, swapIDs)
	if err != nil {
		return err
	}
	lang := httpkit.Lang(r)
	out := make([]historyJSON, 0, len(items))
	for _, it := range items {
		h := historyJSON{ID: it.ID, Type: it.Type, TypeLabel: i18n.Text(lang, typeLabels[it.Type]), Status: it.Status,
			StatusLabel: i18n.Text(lang, statusLabels[it.Status]), Amount: httpkit.Num(it.Amount, it.Decimals), Currency: it.Currency,
			Description: it.Description, CreatedAt: rfc3339(it.CreatedAt), Fee: httpkit.Num(it.Fee, it.Decimals), Address: it.Address,
			TxHash: it.TxHash, Reference: it.Reference, FromAmount: "0", ToAmount: "0", ExchangeRate: "0",
			SourceID: it.SourceID, SourceTable: it.SourceTable, CounterpartyUserID: it.Counterparty}
		if it.CompletedAt != nil {
			c := rfc3339(*it.CompletedAt)
			h.CompletedAt = &c
		}
		if rec, ok := swaps[it.SourceID]; ok && it.Type == wallet.ActivitySwap && it.SourceTable == "swaps" {
			h.FromAmount, h.ToAmount = httpkit.Num(rec.FromAmount, rec.Pair.From.Decimals), httpkit.Num(rec.NetAmount, rec.Pair.To.Decimals)
			h.FromCurrency, h.ToCurrency, h.ExchangeRate = rec.Pair.From.Name, rec.Pair.To.Name, rateNum(rec.DisplayRate())
		}
		out = append(out, h)
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Items      []historyJSON `json:"items"`
		Page       int           `json:"page"`
		PageSize   int           `json:"page_size"`
		Total      int           `json:"total"`
		TotalPages int           `json:"total_pages"`
	}{out, page, size, total, httpkit.TotalPages(total, size)}))
	return nil
}

type rateJSON struct {
	From        string      `json:"from_currency"`
	To          string      `json:"to_currency"`
	Rate        json.Number `json:"rate"`
	InverseRate json.Number `json:"inverse_rate"`
}

func rateNum(r money.Rate) json.Number { return json.Number(r.String()) }

// rateSource names where HKD rates come from.
func (s *Server) rateSource() string {
	if s.Sandbox.Enabled {
		return "sandbox"
	}
	return "issuer"
}

// exchangeRate serves GET /wallet/exchange-rate.
func (s *Server) exchangeRate(w http.ResponseWriter, r *http.Request, _ account.Principal) error {
	q := r.URL.Query()
	f := httpkit.NewFields()
	from, to := f.Required("from", strPtr(q.Get("from"))), f.Required("to", strPtr(q.Get("to")))
	if err := f.Err(); err != nil {
		return err
	}
	rate, err := s.Wallets.Rate(r.Context(), from, to)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		rateJSON
		Timestamp  string `json:"timestamp"`
		ValidUntil string `json:"valid_until"`
		Source     string `json:"source"`
	}{rateJSON{wallet.MainSymbol(from), wallet.MainSymbol(to), rateNum(rate), rateNum(wallet.Inverse(rate))},
		rfc3339(now), rfc3339(now.Add(time.Minute)), s.rateSource()}))
	return nil
}

// exchangeRates serves GET /wallet/exchange-rates (public).
func (s *Server) exchangeRates(w http.ResponseWriter, r *http.Request) error {
	rates := []rateJSON{}
	for _, sym := range []string{"USDT", "USDC", "USD"} {
		rate, err := s.Wallets.Rate(r.Context(), sym, wallet.HKD)
		if err != nil {
			return err
		}
		rates = append(rates, rateJSON{sym, wallet.HKD, rateNum(rate), rateNum(wallet.Inverse(rate))})
	}
	now := time.Now().UTC()
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Rates      []rateJSON `json:"rates"`
		Timestamp  string     `json:"timestamp"`
		ValidUntil string     `json:"valid_until"`
		Source     string     `json:"source"`
		FromCache  bool       `json:"from_cache"`
	}{rates, rfc3339(now), rfc3339(now.Add(time.Minute)), s.rateSource(), false}))
	return nil
}

func strPtr(s string) *string { return &s }

// dayRange reads the start_date / end_date query parameters (YYYY-MM-DD or
// RFC 3339) into from and to; to is exclusive (the day after end_date).
func dayRange(q url.Values, f httpkit.Fields, from, to *time.Time) {
	for name, dst := range map[string]*time.Time{"start_date": from, "end_date": to} {
		if raw := q.Get(name); raw != "" {
			t, ok := parseDay(raw, name == "end_date")
			if !ok {
				f.Add(name, "must be YYYY-MM-DD or RFC 3339")
			}
			*dst = t
		}
	}
}
