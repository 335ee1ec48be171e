package adminapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/money"
)

// Helpers of the money routes (withdrawals, deposits, ledger,
// reconciliation, card-fee payments).

// moneyAnswer answers a money action: 200 with the record when it executed,
// 202 with the four-eyes request when it waits for a second operator.
func moneyAnswer(w http.ResponseWriter, r *http.Request, out backoffice.Outcome, executed func() any) error {
	if !out.Executed {
		return ok(w, r, http.StatusAccepted, viewApproval(out.Request))
	}
	return ok(w, r, http.StatusOK, executed())
}

// listPaged answers a money list: the page parameters, the filter read
// from the query (a bad parameter is a field error, refused before the
// list is read), and the page of rows as views.
func listPaged[F, T, V any](w http.ResponseWriter, r *http.Request, filter func(f httpkit.Fields) F,
	list func(ctx context.Context, f F, limit, offset int) ([]T, int, error), view func(T) V) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	f := httpkit.NewFields()
	flt := filter(f)
	if err := f.Err(); err != nil {
		return err
	}
	rows, total, err := list(r.Context(), flt, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(rows, view, pageNo, size, total))
}

// idAndReason reads the {id} of a money action's path (notFound when it is
// no id) and the body's required reason.
func idAndReason(r *http.Request, notFound *apperr.Error) (int64, string, error) {
	id, err := pathID(r, "id", notFound)
	if err != nil {
		return 0, "", err
	}
	reason, err := readReason(r)
	return id, reason, err
}

// queryID reads an optional positive integer query parameter (0: absent).
func queryID(r *http.Request, f httpkit.Fields, name string) int64 {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		f.Add(name, "must be a positive integer")
	}
	return id
}

// queryEnum reads an optional query parameter that must be one of allowed.
func queryEnum(r *http.Request, f httpkit.Fields, name string, allowed ...string) string {
	v := r.URL.Query().Get(name)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	f.Add(name, "must be one of: "+strings.Join(allowed, ", "))
	return ""
}

// queryTime reads an optional time: RFC 3339, or a date (YYYY-MM-DD, UTC)
// meaning the start of that day — or, as an upper bound (endOfDay), the
// start of the next, so that to=2026-03-01 includes all of 1 March.
func queryTime(r *http.Request, f httpkit.Fields, name string, endOfDay bool) time.Time {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		f.Add(name, "an RFC 3339 time (2026-03-01T00:00:00Z) or a date (2026-03-01)")
		return time.Time{}
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// num renders minor units as a JSON number with the currency's decimals.
func num(a money.Amount, decimals int) json.Number { return httpkit.Num(a, decimals) }

func optionalTime(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
