package adminapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type ledgerBalanceView struct {
	Currency string      `json:"currency"`
	Owner    string      `json:"owner"` // house or users
	Account  string      `json:"account"`
	Balance  json.Number `json:"balance"`
	Holders  int         `json:"holders"`
}

// ledgerBalances: GET /admin/ledger/balances — the house accounts and the
// users' aggregate balances per account kind, by currency. A summary, not
// a paginated list: a few rows per currency.
func (a *API) ledgerBalances(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	totals, err := a.Office.LedgerTotals(r.Context())
	if err != nil {
		return err
	}
	items := make([]ledgerBalanceView, 0, len(totals))
	for _, t := range totals {
		owner := "users"
		if t.House {
			owner = "house"
		}
		items = append(items, ledgerBalanceView{Currency: t.Currency, Owner: owner, Account: t.Name,
			Balance: num(t.Balance, a.Office.Decimals(t.Currency)), Holders: t.Owners})
	}
	return ok(w, r, http.StatusOK, struct {
		Balances []ledgerBalanceView `json:"balances"`
	}{items})
}

type postingView struct {
	ID            int64       `json:"id"`
	TransactionID int64       `json:"transaction_id"`
	Reference     string      `json:"reference"`
	Kind          string      `json:"kind"`
	Description   string      `json:"description"`
	UserID        *int64      `json:"user_id"`
	Account       string      `json:"account"`
	Currency      string      `json:"currency"`
	Amount        json.Number `json:"amount"`
	CreatedAt     time.Time   `json:"created_at"`
}

// ledgerEntries: GET /admin/ledger/entries?account=&user_id=&currency=&from=&to=
// — the postings of one account: a house account by name (custody,
// fee_income, adjustments, …), or with user_id one of that user's
// (available, withdrawal_hold, card:ID, …).
func (a *API) ledgerEntries(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := httpkit.NewFields()
	filter := ledger.PostingFilter{Owner: queryID(r, f, "user_id"), Name: strings.TrimSpace(q.Get("account")),
		Currency: strings.TrimSpace(q.Get("currency")), From: queryTime(r, f, "from", false), To: queryTime(r, f, "to", true)}
	if filter.Name == "" {
		f.Add("account", "is required: a house account (custody, fee_income, adjustments, …) or, with user_id, a user's (available, …)")
	}
	if err := f.Err(); err != nil {
		return err
	}
	list, total, err := a.Office.LedgerPostings(r.Context(), filter, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	items := make([]postingView, 0, len(list))
	for _, p := range list {
		items = append(items, postingView{ID: p.ID, TransactionID: p.TransactionID, Reference: p.Reference, Kind: p.Kind,
			Description: p.Description, UserID: optionalID(p.Owner), Account: p.Name, Currency: p.Currency,
			Amount: num(p.Amount, a.Office.Decimals(p.Currency)), CreatedAt: p.CreatedAt.UTC()})
	}
	return ok(w, r, http.StatusOK, newPage(items, pageNo, size, total))
}

type adjustmentView struct {
	ID             int64       `json:"id"`
	UserID         int64       `json:"user_id"`
	Currency       string      `json:"currency"`
	Amount         json.Number `json:"amount"`
	Reason         string      `json:"reason"`
	LedgerTxID     int64       `json:"ledger_tx_id"`
	AvailableAfter json.Number `json:"available_after"`
	CreatedAt      time.Time   `json:"created_at"`
}

var errKey = apperr.Validation(map[string]string{"Idempotency-Key": "must be 8–128 characters of A-Z a-z 0-9 : _ . -"})

// adjustBalance: POST /admin/ledger/adjustments {user_id, currency, amount
// (signed), reason}, with an optional Idempotency-Key (API.md §1.12; the
// replayed answer carries Idempotent-Replayed: true).
func (a *API) adjustBalance(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !idempotency.ValidKey(key) {
		return errKey
	}
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var in struct {
		UserID   httpkit.FlexNumber `json:"user_id"`
		Currency *string            `json:"currency"`
		Amount   httpkit.FlexNumber `json:"amount"`
		Reason   *string            `json:"reason"`
	}
	if err := httpkit.DecodeJSON(raw, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	userID := f.ID("user_id", in.UserID)
	currency := f.Required("currency", in.Currency)
	switch {
	case !in.Amount.Present:
		f.Add("amount", "is required")
	case !in.Amount.TypeOK:
		f.Add("amount", "must be a number")
	}
	if err := f.Err(); err != nil {
		return err
	}
	var keyed backoffice.Keyed
	if key != "" {
		keyed = backoffice.Keyed{Key: key, Fingerprint: idempotency.Fingerprint(r.Method, r.Pattern, r.URL.RawQuery, raw)}
	}
	res, err := a.Office.AdjustBalance(r.Context(), backoffice.AdjustmentRequest{UserID: userID, Currency: currency,
		Amount: in.Amount.Raw, Reason: httpkit.Optional(in.Reason)}, keyed)
	if err != nil {
		return err
	}
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return moneyAnswer(w, r, res.Outcome, func() any {
		x, d := res.Adjustment, res.Adjustment.Currency.Decimals
		return adjustmentView{ID: x.ID, UserID: x.UserID, Currency: x.Currency.Name, Amount: num(x.Amount, d), Reason: x.Reason,
			LedgerTxID: x.LedgerTxID, AvailableAfter: num(x.BalanceAfter, d), CreatedAt: x.CreatedAt.UTC()}
	})
}
