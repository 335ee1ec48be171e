package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// ----- Ledger: balances and the adjustment form -----

type balanceRow struct {
	ledger.Total
	Value string
}

type adjustmentForm struct {
	UserID, Currency, Amount, Reason string
	Key                              string // the Idempotency-Key of this form: a double submit books once
}

type ledgerData struct {
	Balances   []balanceRow
	Currencies []string
	Form       adjustmentForm
	Done       string // "adjusted": booked now
	Request    string // the four-eyes request it became
	Error      string
	Threshold  string
	CanAdjust  bool
	CanEntries bool
}

func (c *Console) ledgerPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showLedger(w, r, v, http.StatusOK, adjustmentForm{}, "")
}

func (c *Console) showLedger(w http.ResponseWriter, r *http.Request, v *visit, status int, form adjustmentForm, errMsg string) error {
	totals, err := c.Office.LedgerTotals(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := ledgerData{Done: q.Get("done"), Request: q.Get("request"), Error: errMsg,
		Threshold: c.Office.Policy.FourEyesAboveUSDCents.Format(2) + " USD",
		CanAdjust: mirror("POST /api/v1/admin/ledger/adjustments").allowed(v.Principal.Role)}
	for _, t := range totals {
		d.Balances = append(d.Balances, balanceRow{Total: t, Value: t.Balance.Format(c.Office.Decimals(t.Currency)) + " " + t.Currency})
	}
	for _, cur := range c.Office.MoneyDeps.Wallets.Currencies.All() {
		if cur.Crypto() {
			d.Currencies = append(d.Currencies, cur.Name)
		}
	}
	if form.Key == "" || errMsg == "" {
		// A fresh key for a fresh form; a refused form keeps its key, so
		// correcting and resubmitting it is the same adjustment.
		form.Key = "console-" + secret.Hex(16)
	}
	d.Form = form
	c.render(w, status, "money_ledger", v, d)
	return nil
}

func (c *Console) adjustBalance(w http.ResponseWriter, r *http.Request, v *visit) error {
	form := adjustmentForm{UserID: strings.TrimSpace(r.PostFormValue("user_id")), Currency: r.PostFormValue("currency"),
		Amount: strings.TrimSpace(r.PostFormValue("amount")), Reason: moneyReason(r), Key: r.PostFormValue("key")}
	page := func(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error {
		return c.showLedger(w, r, v, status, form, msg)
	}
	return c.act(w, r, v, page, func(ctx context.Context) (string, error) {
		userID, err := strconv.ParseInt(form.UserID, 10, 64)
		switch {
		case err != nil || userID <= 0:
			return "", apperr.Validation(map[string]string{"user_id": "must be a positive integer"})
		case form.Reason == "":
			return "", errMoneyReason
		case !idempotency.ValidKey(form.Key):
			return "", apperr.Validation(map[string]string{"key": "reload the page"})
		}
		req := backoffice.AdjustmentRequest{UserID: userID, Currency: form.Currency, Amount: form.Amount, Reason: form.Reason}
		body, _ := json.Marshal(req)
		res, err := c.Office.AdjustBalance(ctx, req,
			backoffice.Keyed{Key: form.Key, Fingerprint: idempotency.Fingerprint(r.Method, r.Pattern, "", body)})
		if err != nil {
			return "", err
		}
		return moneyDone(r, "/console/ledger", "adjusted", res.Outcome), nil
	})
}

// ----- Ledger: the entries of one account -----

type entryRow struct {
	ledger.Posting
	Value string
}

type entriesData struct {
	moneyListing
	Rows   []entryRow
	Asked  bool // an account was given
	Houses []string
}

func (c *Console) entriesPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	d := entriesData{moneyListing: c.newMoneyListing(r, "account", "user_id", "currency", "from", "to")}
	f := ledger.PostingFilter{Name: d.Filter["account"], Owner: d.id(v, "user_id", "User ID"), Currency: d.Filter["currency"]}
	for key, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if s := d.Filter[key]; s != "" {
			t, err := time.ParseInLocation(time.DateOnly, s, v.TZ)
			if err != nil {
				d.Error = translate(v.Lang, map[string]string{"from": "From", "to": "To"}[key]) + ": YYYY-MM-DD"
				continue
			}
			if key == "to" {
				t = t.AddDate(0, 0, 1) // the whole day
			}
			*dst = t
		}
	}
	totals, err := c.Office.LedgerTotals(r.Context())
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, t := range totals {
		if t.House && !seen[t.Name] {
			seen[t.Name] = true
			d.Houses = append(d.Houses, t.Name)
		}
	}
	d.paged(0)
	if d.Asked = f.Name != ""; d.Asked {
		list, total, err := c.Office.LedgerPostings(r.Context(), f, moneyPageSize, d.offset())
		if e, ok := apperr.As(err); ok {
			d.Error = apiMessage(v.Lang, e)
		} else if err != nil {
			return err
		}
		d.paged(total)
		for _, p := range list {
			d.Rows = append(d.Rows, entryRow{Posting: p, Value: moneySigned(p.Amount, c.Office.Decimals(p.Currency), p.Currency)})
		}
	}
	c.render(w, http.StatusOK, "money_entries", v, d)
	return nil
}

// ----- Reconciliation -----

type mismatchRow struct {
	card.Mismatch
	LedgerHKD, IssuerHKD, Difference string
}

type runRow struct {
	card.ReconciliationRun
	Day        string // UTC day, for the report link
	Mismatches []mismatchRow
}

func runRows(runs []card.ReconciliationRun) []runRow {
	hkd := func(a money.Amount) string { return a.Format(2) + " HKD" }
	rows := make([]runRow, 0, len(runs))
	for _, x := range runs {
		row := runRow{ReconciliationRun: x, Day: x.RunAt.UTC().Format(time.DateOnly)}
		for _, m := range x.Mismatches {
			row.Mismatches = append(row.Mismatches, mismatchRow{Mismatch: m, LedgerHKD: hkd(m.Ledger), IssuerHKD: hkd(m.Issuer),
				Difference: moneySigned(m.Issuer-m.Ledger, 2, "HKD")})
		}
		rows = append(rows, row)
	}
	return rows
}

// custodyLineRow is one currency of a custody run; Custody and Difference
// are empty when the provider reported nothing for it.
type custodyLineRow struct {
	RunID                       int64
	RunAt                       time.Time
	Currency                    string
	Ledger, Custody, Difference string
	Unreported, Matches         bool
}

// custodyRunsShown is how many of the latest custody runs the page lists:
// one a day, so about two weeks; older ones are in the admin API's pages.
const custodyRunsShown = 14

func (c *Console) custodyLineRows(runs []wallet.CustodyReconciliation) []custodyLineRow {
	var rows []custodyLineRow
	for _, x := range runs {
		for _, l := range x.Lines {
			d := c.Office.Decimals(l.Currency)
			row := custodyLineRow{RunID: x.ID, RunAt: x.RunAt, Currency: l.Currency, Ledger: l.Ledger.Format(d),
				Unreported: l.Unreported, Matches: l.Matches()}
			if !l.Unreported {
				row.Custody, row.Difference = l.Custody.Format(d), strings.TrimSpace(moneySigned(l.Custody-l.Ledger, d, ""))
			}
			rows = append(rows, row)
		}
	}
	return rows
}

type reconciliationData struct {
	moneyListing
	Runs   []runRow
	Job    string // the job "run now" queued
	CanRun bool
	Today  string
	// The custody runs, when the role may read them.
	CanSeeCustody, CanRunCustody bool
	CustodyJob                   string // the job "run custody now" queued
	Custody                      []custodyLineRow
}

func (c *Console) reconciliationPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showReconciliation(w, r, v, http.StatusOK, "")
}

func (c *Console) showReconciliation(w http.ResponseWriter, r *http.Request, v *visit, status int, errMsg string) error {
	d := reconciliationData{moneyListing: c.newMoneyListing(r), Job: r.URL.Query().Get("job"),
		CanRun: mirror("POST /api/v1/admin/reconciliation/run").allowed(v.Principal.Role),
		Today:  c.Now().UTC().Format(time.DateOnly)}
	runs, total, err := c.Office.ReconciliationRuns(r.Context(), moneyPageSize, d.offset())
	if err != nil {
		return err
	}
	d.paged(total)
	d.Runs = runRows(runs)
	d.CustodyJob = r.URL.Query().Get("custody_job")
	d.CanRunCustody = mirror("POST /api/v1/admin/reconciliation/custody-run").allowed(v.Principal.Role)
	if d.CanSeeCustody = mirror("GET /api/v1/admin/reconciliation/custody-runs").allowed(v.Principal.Role); d.CanSeeCustody {
		custody, _, err := c.Office.CustodyReconciliationRuns(r.Context(), custodyRunsShown, 0)
		if err != nil {
			return err
		}
		d.Custody = c.custodyLineRows(custody)
	}
	d.Error = errMsg
	c.render(w, status, "money_reconciliation", v, d)
	return nil
}

func (c *Console) runCustodyReconciliation(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showReconciliation, func(ctx context.Context) (string, error) {
		job, err := c.Office.RunCustodyReconciliation(ctx, moneyReason(r))
		if err != nil {
			return "", err
		}
		return "/console/reconciliation?" + url.Values{"custody_job": {strconv.FormatInt(job, 10)}}.Encode(), nil
	})
}

func (c *Console) runReconciliation(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showReconciliation, func(ctx context.Context) (string, error) {
		job, err := c.Office.RunReconciliation(ctx, moneyReason(r))
		if err != nil {
			return "", err
		}
		return "/console/reconciliation?" + url.Values{"job": {strconv.FormatInt(job, 10)}}.Encode(), nil
	})
}

type reportData struct {
	Date       string
	Runs       []runRow
	Mismatches int
	Error      string
}

func (c *Console) reconciliationReport(w http.ResponseWriter, r *http.Request, v *visit) error {
	var d reportData
	var day time.Time // today
	if s := strings.TrimSpace(r.URL.Query().Get("date")); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			d.Error = translate(v.Lang, "Date (UTC)") + ": YYYY-MM-DD"
		}
		day = t
	}
	rep, err := c.Office.ReconciliationReportOn(r.Context(), day)
	if err != nil {
		return err
	}
	d.Date, d.Runs, d.Mismatches = rep.Date.Format(time.DateOnly), runRows(rep.Runs), rep.Mismatches
	c.render(w, http.StatusOK, "money_report", v, d)
	return nil
}

// ----- Card-fee payments -----

var paymentStatuses = []string{string(cardfee.StatusCompleted), string(cardfee.StatusPending), string(cardfee.StatusRefunded),
	string(cardfee.StatusCancelled), string(cardfee.StatusExpired)}

type paymentRow struct {
	cardfee.Payment
	Original, Discount, Paid string
	Refundable               bool
	FourEyes                 bool
}

type paymentsData struct {
	moneyListing
	Statuses  []string
	CardTypes []string
	Bools     []string
	Rows      []paymentRow
}

func (c *Console) cardFeePaymentsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showCardFeePayments(w, r, v, http.StatusOK, "")
}

func (c *Console) showCardFeePayments(w http.ResponseWriter, r *http.Request, v *visit, status int, errMsg string) error {
	d := paymentsData{moneyListing: c.newMoneyListing(r, "user_id", "status", "card_type", "consumed"), Statuses: paymentStatuses,
		CardTypes: []string{string(cardfee.Virtual), string(cardfee.Physical)}, Bools: []string{"true", "false"}}
	f := cardfee.PaymentFilter{UserID: d.id(v, "user_id", "User ID"),
		Status:   cardfee.PaymentStatus(d.enum(v, "status", "Status", paymentStatuses)),
		CardType: cardfee.CardType(d.enum(v, "card_type", "Card type", []string{string(cardfee.Virtual), string(cardfee.Physical)}))}
	if s := d.enum(v, "consumed", "Used by an application", []string{"true", "false"}); s != "" {
		consumed := s == "true"
		f.Consumed = &consumed
	}
	list, total, err := c.Office.CardFeePayments(r.Context(), f, moneyPageSize, d.offset())
	if err != nil {
		return err
	}
	d.paged(total)
	usd := func(a money.Amount) string { return a.Format(2) + " USD" }
	for _, x := range list {
		d.Rows = append(d.Rows, paymentRow{Payment: x, Original: usd(x.OriginalFee), Discount: usd(x.CouponDiscount),
			Paid: usd(x.ActualPayment), Refundable: x.Status == cardfee.StatusCompleted && !x.Consumed,
			FourEyes: c.Office.NeedsSecondOperator("USD", 2, x.ActualPayment)})
	}
	if errMsg != "" {
		d.Error = errMsg
	}
	c.render(w, status, "money_cardfees", v, d)
	return nil
}

func (c *Console) refundCardFeePayment(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showCardFeePayments, func(ctx context.Context) (string, error) {
		id, reason, err := moneyIDReason(r)
		if err != nil {
			return "", err
		}
		_, out, err := c.Office.RefundCardFeePayment(ctx, id, reason)
		if err != nil {
			return "", err
		}
		return moneyDone(r, "/console/card-fee-payments", "refunded", out), nil
	})
}
