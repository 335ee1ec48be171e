package console

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Money pages: withdrawals and deposits (this file), ledger, reconciliation
// and card-fee payments (pages_money_ledger.go). The money actions answer
// like the admin API: executed now, or — above the four-eyes threshold — a
// request a second finance operator approves on the Approvals page.

const moneyPageSize = 25

// moneyListing is what every money list page shares: its filters, its pages and
// the result of the last action (read from the redirect's query).
type moneyListing struct {
	Filter map[string]string
	// Query is the list's query (filters and page) for the forms' actions;
	// the queries are template.URL so that their = and & stay as they are.
	Query      template.URL
	Page       int
	TotalPages int
	Total      int
	PrevQuery  template.URL
	NextQuery  template.URL
	Done       string // the action just executed
	Request    string // the four-eyes request just made
	Error      string
	Threshold  string // the four-eyes threshold, "1000 USD"
}

// moneyNotices are query keys of the redirect after an action, not filters.
var moneyNotices = []string{"done", "request", "page"}

// newMoneyListing reads the filters keys and the page from the request's query.
func (c *Console) newMoneyListing(r *http.Request, keys ...string) moneyListing {
	q := r.URL.Query()
	l := moneyListing{Filter: map[string]string{}, Page: 1, Done: q.Get("done"), Request: q.Get("request"),
		Threshold: c.Office.Policy.FourEyesAboveUSDCents.Format(2) + " USD"}
	keep := url.Values{}
	for _, k := range keys {
		l.Filter[k] = strings.TrimSpace(q.Get(k))
		if l.Filter[k] != "" {
			keep.Set(k, l.Filter[k])
		}
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		l.Page = p
	}
	if l.Page > 1 {
		keep.Set("page", strconv.Itoa(l.Page))
	}
	l.Query = template.URL(keep.Encode())
	return l
}

func (l *moneyListing) offset() int { return (l.Page - 1) * moneyPageSize }

// paged sets the page links once the total is known.
func (l *moneyListing) paged(total int) {
	l.Total, l.TotalPages = total, max(1, (total+moneyPageSize-1)/moneyPageSize)
	link := func(n int) template.URL {
		q := url.Values{}
		for k, v := range l.Filter {
			if v != "" {
				q.Set(k, v)
			}
		}
		q.Set("page", strconv.Itoa(n))
		return template.URL(q.Encode())
	}
	if l.Page > 1 {
		l.PrevQuery = link(l.Page - 1)
	}
	if l.Page < l.TotalPages {
		l.NextQuery = link(l.Page + 1)
	}
}

// id reads a positive integer filter; a malformed one is reported on the page.
func (l *moneyListing) id(v *visit, key, label string) int64 {
	s := l.Filter[key]
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		l.Error = translate(v.Lang, label) + ": 1, 2, 3…"
		return 0
	}
	return n
}

// enum reads a filter that must be one of allowed.
func (l *moneyListing) enum(v *visit, key, label string, allowed []string) string {
	s := l.Filter[key]
	if s == "" {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	l.Error = translate(v.Lang, label) + ": " + strings.Join(allowed, ", ")
	return ""
}

// moneyDone is where an action redirects: back to the list (same filters)
// saying what happened: executed, or the four-eyes request it became.
func moneyDone(r *http.Request, list string, done string, out backoffice.Outcome) string {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	for _, k := range moneyNotices {
		if k != "page" {
			q.Del(k)
		}
	}
	if out.Executed {
		q.Set("done", done)
	} else {
		q.Set("request", strconv.FormatInt(out.Request.ID, 10))
	}
	return list + "?" + q.Encode()
}

// moneyPathID is the {id} of an action's path.
func moneyPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// moneyReason is the form's reason; money actions refuse an empty one.
func moneyReason(r *http.Request) string { return strings.TrimSpace(r.PostFormValue("reason")) }

var errMoneyReason = apperr.Validation(map[string]string{"reason": "is required"})

// moneyIDReason reads the {id} of an action's path (not found first: a bad
// path is no form to refuse) and its required reason.
func moneyIDReason(r *http.Request) (int64, string, error) {
	id, err := moneyPathID(r)
	if err != nil {
		return 0, "", err
	}
	reason := moneyReason(r)
	if reason == "" {
		return 0, "", errMoneyReason
	}
	return id, reason, nil
}

// ----- Withdrawals -----

var withdrawalStatuses = []string{string(wallet.WithdrawalPending), string(wallet.WithdrawalApproved),
	string(wallet.WithdrawalCompleted), string(wallet.WithdrawalRejected), string(wallet.WithdrawalFailed)}

type withdrawalRow struct {
	wallet.Withdrawal
	Gross, Fee, Net string // with the currency
	FourEyes        bool   // approving makes a request
	Pending         bool
}

type withdrawalsData struct {
	moneyListing
	Statuses []string
	Rows     []withdrawalRow
}

func (c *Console) withdrawalsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showWithdrawals(w, r, v, http.StatusOK, "")
}

func (c *Console) showWithdrawals(w http.ResponseWriter, r *http.Request, v *visit, status int, errMsg string) error {
	d := withdrawalsData{moneyListing: c.newMoneyListing(r, "status", "user_id"), Statuses: withdrawalStatuses}
	f := wallet.WithdrawalFilter{Status: wallet.WithdrawalStatus(d.enum(v, "status", "Status", withdrawalStatuses)),
		UserID: d.id(v, "user_id", "User ID")}
	list, total, err := c.Office.Withdrawals(r.Context(), f, moneyPageSize, d.offset())
	if err != nil {
		return err
	}
	d.paged(total)
	for _, x := range list {
		cur := " " + x.Currency.Name
		d.Rows = append(d.Rows, withdrawalRow{Withdrawal: x, Gross: x.Amount.Format(x.Currency.Decimals) + cur,
			Fee: x.Fee.Format(x.Currency.Decimals) + cur, Net: x.ActualAmount().Format(x.Currency.Decimals) + cur,
			FourEyes: c.Office.NeedsSecondOperator(x.Currency.Name, x.Currency.Decimals, x.Amount),
			Pending:  x.Status == wallet.WithdrawalPending})
	}
	if errMsg != "" {
		d.Error = errMsg
	}
	c.render(w, status, "money_withdrawals", v, d)
	return nil
}

func (c *Console) decideWithdrawal(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		return c.act(w, r, v, c.showWithdrawals, func(ctx context.Context) (string, error) {
			id, reason, err := moneyIDReason(r)
			if err != nil {
				return "", err
			}
			out, done := backoffice.Outcome{Executed: true}, "approved"
			if approve {
				_, out, err = c.Office.ApproveWithdrawal(ctx, id, reason)
			} else {
				_, err = c.Office.RejectWithdrawal(ctx, id, reason)
				done = "rejected"
			}
			if err != nil {
				return "", err
			}
			return moneyDone(r, "/console/withdrawals", done, out), nil
		})
	}
}

// ----- Deposits -----

var depositStatuses = []string{string(wallet.DepositUnmatched), string(wallet.DepositBelowMinimum), string(wallet.DepositPending),
	string(wallet.DepositCompleted), string(wallet.DepositFailed), string(wallet.DepositDuplicate), string(wallet.DepositFlagged)}

type depositRow struct {
	wallet.Deposit
	Value      string
	Assignable bool // unmatched and not credited: may be attributed to a user
	Creditable bool
	FourEyes   bool
}

type depositsData struct {
	moneyListing
	Statuses []string
	Rows     []depositRow
}

func (c *Console) depositsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showDeposits(w, r, v, http.StatusOK, "")
}

func (c *Console) showDeposits(w http.ResponseWriter, r *http.Request, v *visit, status int, errMsg string) error {
	d := depositsData{moneyListing: c.newMoneyListing(r, "status", "user_id"), Statuses: depositStatuses}
	f := wallet.DepositFilter{Status: wallet.DepositStatus(d.enum(v, "status", "Status", depositStatuses)),
		UserID: d.id(v, "user_id", "User ID")}
	list, total, err := c.Office.Deposits(r.Context(), f, moneyPageSize, d.offset())
	if err != nil {
		return err
	}
	d.paged(total)
	for _, x := range list {
		row := depositRow{Deposit: x, Value: x.Amount.Format(x.Currency.Decimals) + " " + x.Currency.Name,
			Assignable: x.Status == wallet.DepositUnmatched && x.LedgerTxID == 0, Creditable: x.Creditable() == nil,
			FourEyes: c.Office.NeedsSecondOperator(x.Currency.Name, x.Currency.Decimals, x.Amount)}
		d.Rows = append(d.Rows, row)
	}
	if errMsg != "" {
		d.Error = errMsg
	}
	c.render(w, status, "money_deposits", v, d)
	return nil
}

func (c *Console) assignDeposit(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showDeposits, func(ctx context.Context) (string, error) {
		id, err := moneyPathID(r)
		if err != nil {
			return "", err
		}
		userID, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("user_id")), 10, 64)
		if err != nil || userID <= 0 {
			return "", apperr.Validation(map[string]string{"user_id": "must be a positive integer"})
		}
		if _, err := c.Office.AssignDeposit(ctx, id, userID, moneyReason(r)); err != nil {
			return "", err
		}
		return moneyDone(r, "/console/deposits", "assigned", backoffice.Outcome{Executed: true}), nil
	})
}

func (c *Console) creditDeposit(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showDeposits, func(ctx context.Context) (string, error) {
		id, reason, err := moneyIDReason(r)
		if err != nil {
			return "", err
		}
		_, out, err := c.Office.CreditDeposit(ctx, id, reason)
		if err != nil {
			return "", err
		}
		return moneyDone(r, "/console/deposits", "credited", out), nil
	})
}

// moneySigned formats minor units with their currency, with a sign.
func moneySigned(a money.Amount, decimals int, currency string) string {
	s := a.Format(decimals)
	if a > 0 {
		s = "+" + s
	}
	return s + " " + currency
}
