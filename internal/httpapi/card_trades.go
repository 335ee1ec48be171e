package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// cardTransactionHistory serves GET /card/transaction-history.
func (s *Server) cardTransactionHistory(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	q := r.URL.Query()
	f := httpkit.NewFields()
	token := q.Get("public_token")
	var cardID int64
	if token == "" {
		n, err := strconv.ParseInt(q.Get("card_id"), 10, 64)
		if err != nil || n <= 0 {
			f.Add("public_token", "public_token or card_id is required")
		}
		cardID = n
	}
	page, limit, err := httpkit.PageParams(r, "limit")
	if err != nil {
		return err
	}
	filter := card.HistoryFilter{Page: page, Limit: limit}
	dayRange(q, f, &filter.From, &filter.To)
	if err := f.Err(); err != nil {
		return err
	}
	c, err := s.Cards.Get(r.Context(), p.UserID, cardID, token)
	if err != nil {
		return err
	}
	rows, total, err := s.Cards.History(r.Context(), c, filter)
	if err != nil {
		return err
	}
	type rowJSON struct {
		ID           int64       `json:"id"`
		TxID         string      `json:"transaction_id"`
		TradeID      int64       `json:"trade_id"`
		TradeType    string      `json:"trade_type"`
		TradeTime    string      `json:"trade_time"`
		Date         string      `json:"date"`
		CreatedTime  int64       `json:"created_time"`
		CreatedAt    string      `json:"created_at"`
		Amount       json.Number `json:"amount"`
		Direction    string      `json:"direction"`
		Fee          json.Number `json:"fee"`
		Balance      json.Number `json:"balance"`
		Currency     string      `json:"currency"`
		CurrencyCode string      `json:"currency_code"`
		MerchantName string      `json:"merchant_name"`
		Description  string      `json:"description"`
		Status       string      `json:"status"`
		OrderID      string      `json:"order_id"`
		Counterparty int64       `json:"counterparty_user_id"`
		Address      string      `json:"address"`
	}
	out := make([]rowJSON, 0, len(rows))
	for _, h := range rows {
		traded := h.TradeTime.Format(time.DateTime)
		out = append(out, rowJSON{h.ID, "CTX" + strconv.FormatInt(h.ID, 10), h.TradeID, string(h.TradeType), traded, traded, h.TradeTime.Unix(),
			rfc3339(h.TradeTime), httpkit.Num(h.Amount, 2), string(h.Direction), httpkit.Num(h.Fee, 2), httpkit.Num(h.BalanceAfter, 2), card.Currency,
			card.Currency, h.MerchantName, h.Description, string(h.Status), "", 0, ""})
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "Transaction history retrieved successfully", struct {
		PublicToken  string    `json:"public_token"`
		Page         int       `json:"page"`
		PageSize     int       `json:"page_size"`
		Total        int       `json:"total"`
		Transactions []rowJSON `json:"transactions"`
	}{c.PublicToken, page, limit, total, out}))
	return nil
}

// tradeJSON is the Trade object of API.md §2.6.
type tradeJSON struct {
	ID                int64       `json:"id"`
	CardID            int64       `json:"card_id"`
	CardNumber        string      `json:"card_number"`
	Amount            json.Number `json:"amount"`
	TradeTotal        json.Number `json:"trade_total"`
	TradeFee          json.Number `json:"trade_fee"`
	MerchantAmount    json.Number `json:"merchant_amount"`
	ClearAmount       json.Number `json:"clear_amount"`
	ReversalAmount    json.Number `json:"reversal_amount"`
	BankFee           json.Number `json:"bank_fee"`
	OfficialFee       json.Number `json:"official_fee"`
	ExtraFee          json.Number `json:"extra_fee"`
	TradeType         int         `json:"trade_type"`
	TradeTime         string      `json:"trade_time"`
	ClearTime         string      `json:"clear_time"`
	OfficialTradeTime string      `json:"official_trade_time"`
	OfficialClearTime string      `json:"official_clear_time"`
	ReversalTime      string      `json:"reversal_time"`
	TradeClear        int         `json:"trade_clear"`
	TradeReversal     int         `json:"trade_reversal"`
	TradeException    string      `json:"trade_exception"`
	MerchantName      string      `json:"merchant_name"`
	MerchantCity      string      `json:"merchant_city"`
	MerchantCountry   string      `json:"merchant_country"`
	MerchantCurrency  string      `json:"merchant_currency"`
	CurrencyCode      string      `json:"currency_code"`
	CurrencyID        int         `json:"currency_id"`
	TraceID           string      `json:"trace_id"`
	MasterID          string      `json:"master_id"`
	FeeType           string      `json:"fee_type"`
	TradeRemark       string      `json:"trade_remark"`
}

func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateTime)
}

func toTradeJSON(c card.Card, t card.Trade) tradeJSON {
	cleared, reversal := t.ClearFlag(), t.ReversalFlag()
	id := strconv.FormatInt(t.TradeID, 10)
	return tradeJSON{ID: t.TradeID, CardID: c.ID, CardNumber: c.MaskedPAN, Amount: httpkit.Num(t.Amount, 2), TradeTotal: httpkit.Num(t.Amount+t.TradeFee, 2),
		TradeFee: httpkit.Num(t.TradeFee, 2), MerchantAmount: httpkit.Num(t.MerchantAmount, 2), ClearAmount: httpkit.Num(t.ClearAmount, 2),
		ReversalAmount: httpkit.Num(t.ReversalAmount, 2), BankFee: "0", OfficialFee: "0", ExtraFee: "0", TradeType: t.Type,
		TradeTime: dateTime(t.TradeTime), ClearTime: dateTime(t.ClearTime), OfficialTradeTime: dateTime(t.TradeTime),
		OfficialClearTime: dateTime(t.ClearTime), ReversalTime: dateTime(t.ReversalTime), TradeClear: cleared, TradeReversal: reversal,
		TradeException: t.Exception, MerchantName: t.MerchantName, MerchantCity: t.MerchantCity, MerchantCountry: t.MerchantCountry,
		MerchantCurrency: t.MerchantCurrency, CurrencyCode: card.Currency, CurrencyID: 344, TraceID: "TRC" + id, MasterID: "MST" + id}
}

// ownedCardC finds the caller's card for a family-C endpoint, where an
// unknown or foreign card is 403 CARD_NOT_OWNED.
func (s *Server) ownedCardC(r *http.Request, p account.Principal, token string) (card.Card, error) {
	if token == "" {
		return card.Card{}, apperr.Validation(map[string]string{"public_token": "is required"})
	}
	c, err := s.Cards.Get(r.Context(), p.UserID, 0, token)
	if errors.Is(err, card.ErrCardNotFound) {
		return card.Card{}, card.ErrCardNotOwned.WithDetails("No such card on this account")
	}
	return c, err
}

// cardTrades serves GET /card/trades (envelope C).
func (s *Server) cardTrades(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	q := r.URL.Query()
	page, limit, err := httpkit.PageParams(r, "limit")
	if err != nil {
		return err
	}
	f := httpkit.NewFields()
	filter := card.TradeFilter{Page: page, Limit: limit, Clear: -1}
	for name, dst := range map[string]*time.Time{"start_date": &filter.From, "end_date": &filter.To} {
		if raw := q.Get(name); raw != "" {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || n < 0 {
				f.Add(name, "must be unix seconds")
			}
			*dst = time.Unix(n, 0).UTC()
		}
	}
	if raw := q.Get("trade_type"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < card.TradeAuthorization || n > card.TradeRefund {
			f.Add("trade_type", "must be 17, 18 or 19")
		}
		filter.Type = n
	}
	if raw := q.Get("trade_clear"); raw != "" {
		if raw != "0" && raw != "1" {
			f.Add("trade_clear", "must be 0 or 1")
		}
		filter.Clear, _ = strconv.Atoi(raw)
	}
	if err := f.Err(); err != nil {
		return err
	}
	c, err := s.ownedCardC(r, p, q.Get("public_token"))
	if err != nil {
		return err
	}
	trades, total, err := s.Cards.Trades(r.Context(), c, filter)
	if err != nil {
		return err
	}
	out := make([]tradeJSON, 0, len(trades))
	for _, t := range trades {
		out = append(out, toTradeJSON(c, t))
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "OK", struct {
		PageNum  int         `json:"page_num"`
		PageSize int         `json:"page_size"`
		Total    int         `json:"total"`
		Trades   []tradeJSON `json:"trades"`
	}{page, limit, total, out}))
	return nil
}

// cardTrade serves GET /card/trade/{id} (envelope C).
func (s *Server) cardTrade(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return card.ErrTradeNotFound.WithDetails("No such trade on this card")
	}
	c, err := s.ownedCardC(r, p, r.URL.Query().Get("public_token"))
	if err != nil {
		return err
	}
	t, err := s.Cards.TradeByID(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKC(r, "OK", toTradeJSON(c, t)))
	return nil
}
