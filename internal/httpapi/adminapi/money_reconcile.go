package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Card balances are HKD, in cents.
const hkdDecimals = 2

type mismatchView struct {
	CardID      int64       `json:"card_id"`
	PublicToken string      `json:"public_token"`
	Ledger      json.Number `json:"ledger_balance"`
	Issuer      json.Number `json:"issuer_balance"`
	Difference  json.Number `json:"difference"`
}

type reconciliationRunView struct {
	ID            int64          `json:"id"`
	Kind          string         `json:"kind"`
	RunAt         time.Time      `json:"run_at"`
	Checked       int            `json:"checked"`
	MismatchCount int            `json:"mismatch_count"`
	Mismatches    []mismatchView `json:"mismatches"`
}

func viewRun(x card.ReconciliationRun) reconciliationRunView {
	v := reconciliationRunView{ID: x.ID, Kind: x.Kind, RunAt: x.RunAt.UTC(), Checked: x.Checked, MismatchCount: len(x.Mismatches),
		Mismatches: make([]mismatchView, 0, len(x.Mismatches))}
	for _, m := range x.Mismatches {
		v.Mismatches = append(v.Mismatches, mismatchView{CardID: m.CardID, PublicToken: m.PublicToken, Ledger: num(m.Ledger, hkdDecimals),
			Issuer: num(m.Issuer, hkdDecimals), Difference: num(m.Issuer-m.Ledger, hkdDecimals)})
	}
	return v
}

// reconciliationRuns: GET /admin/reconciliation/runs.
func (a *API) reconciliationRuns(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	list, total, err := a.Office.ReconciliationRuns(r.Context(), size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewRun, pageNo, size, total))
}

// reconciliationReport: GET /admin/reconciliation/report?date=YYYY-MM-DD
// (default: today, UTC).
func (a *API) reconciliationReport(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var day time.Time // today
	if v := r.URL.Query().Get("date"); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			f := httpkit.NewFields()
			f.Add("date", "a date, e.g. 2026-03-01")
			return f.Err()
		}
		day = d
	}
	rep, err := a.Office.ReconciliationReportOn(r.Context(), day)
	if err != nil {
		return err
	}
	runs := make([]reconciliationRunView, 0, len(rep.Runs))
	for _, x := range rep.Runs {
		runs = append(runs, viewRun(x))
	}
	return ok(w, r, http.StatusOK, struct {
		Date       string                  `json:"date"`
		Runs       []reconciliationRunView `json:"runs"`
		Mismatches int                     `json:"mismatches"`
	}{rep.Date.Format(time.DateOnly), runs, rep.Mismatches})
}

// runReconciliation: POST /admin/reconciliation/run {reason?} — queues the
// card reconciliation now; answers 202 with the job's id.
func (a *API) runReconciliation(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	jobID, err := a.Office.RunReconciliation(r.Context(), reason)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusAccepted, struct {
		JobID int64 `json:"job_id"`
	}{jobID})
}

// custodyLineView is one currency of a custody run. custody_balance and
// difference are null when the provider reported nothing for the currency.
type custodyLineView struct {
	Currency   string       `json:"currency"`
	Ledger     json.Number  `json:"ledger_balance"`
	Custody    *json.Number `json:"custody_balance"`
	Difference *json.Number `json:"difference"`
	Unreported bool         `json:"unreported"`
	Matches    bool         `json:"matches"`
}

type custodyRunView struct {
	ID            int64             `json:"id"`
	RunAt         time.Time         `json:"run_at"`
	Checked       int               `json:"checked"`
	MismatchCount int               `json:"mismatch_count"`
	Lines         []custodyLineView `json:"lines"`
}

func (a *API) viewCustodyRun(x wallet.CustodyReconciliation) custodyRunView {
	v := custodyRunView{ID: x.ID, RunAt: x.RunAt.UTC(), Checked: len(x.Lines), MismatchCount: len(x.Mismatches()),
		Lines: make([]custodyLineView, 0, len(x.Lines))}
	for _, l := range x.Lines {
		d := a.Office.Decimals(l.Currency)
		line := custodyLineView{Currency: l.Currency, Ledger: num(l.Ledger, d), Unreported: l.Unreported, Matches: l.Matches()}
		if !l.Unreported {
			custody, diff := num(l.Custody, d), num(l.Custody-l.Ledger, d)
			line.Custody, line.Difference = &custody, &diff
		}
		v.Lines = append(v.Lines, line)
	}
	return v
}

// custodyReconciliationRuns: GET /admin/reconciliation/custody-runs.
func (a *API) custodyReconciliationRuns(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	list, total, err := a.Office.CustodyReconciliationRuns(r.Context(), size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, a.viewCustodyRun, pageNo, size, total))
}

// runCustodyReconciliation: POST /admin/reconciliation/custody-run
// {reason?} — queues the custody reconciliation now; answers 202 with the
// job's id.
func (a *API) runCustodyReconciliation(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	jobID, err := a.Office.RunCustodyReconciliation(r.Context(), reason)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusAccepted, struct {
		JobID int64 `json:"job_id"`
	}{jobID})
}
