package console

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// approvalRow is a pending request with its amount written out.
type approvalRow struct {
	approval.Request
	AmountText string
}

type approvalsData struct {
	Pager pager
	Items []approvalRow
	Error string
	Self  int64
}

func (c *Console) approvalsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	page := pageNumber(r)
	items, total, err := c.Approvals.List(r.Context(), approval.Pending, contentPageSize, (page-1)*contentPageSize)
	if err != nil {
		return err
	}
	c.render(w, http.StatusOK, "approvals", v, approvalsData{Items: c.approvalRows(items), Self: v.Principal.OperatorID,
		Pager: newPager(r, page, total)})
	return nil
}

func (c *Console) decide(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return errNotFound
		}
		ctx := c.actorContext(r, v)
		note := strings.TrimSpace(r.PostFormValue("note"))
		if approve {
			_, err = c.Approvals.Approve(ctx, id, note)
		} else if note == "" {
			err = apperr.Validation(map[string]string{"note": "a reason is required to reject"})
		} else {
			_, err = c.Approvals.Reject(ctx, id, note)
		}
		if e, ok := apperr.As(err); ok {
			items, _, lerr := c.Approvals.List(r.Context(), approval.Pending, 100, 0)
			if lerr != nil {
				return lerr
			}
			c.render(w, http.StatusBadRequest, "approvals", v, approvalsData{Items: c.approvalRows(items), Error: apiMessage(v.Lang, e),
				Self: v.Principal.OperatorID})
			return nil
		}
		if err != nil {
			return err
		}
		http.Redirect(w, r, "/console/approvals", http.StatusSeeOther)
		return nil
	}
}

type auditData struct {
	Rows       []audit.Row
	Filter     map[string]string
	Page       int
	TotalPages int
	// Query strings of the neighbouring pages, already encoded (a plain
	// string would be escaped again in the href).
	PrevQuery template.URL
	NextQuery template.URL
	Error     string
}

const auditPageSize = 25

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	d := auditData{Filter: map[string]string{}, Page: 1}
	for _, k := range []string{"actor", "action", "target_type", "target", "from", "to"} {
		d.Filter[k] = strings.TrimSpace(q.Get(k))
	}
	f := audit.Filter{Action: d.Filter["action"], TargetType: d.Filter["target_type"], TargetID: d.Filter["target"]}
	if s := d.Filter["actor"]; s != "" {
		f.ActorID, _ = strconv.ParseInt(s, 10, 64)
	}
	for key, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if s := d.Filter[key]; s != "" {
			t, err := time.ParseInLocation("2006-01-02", s, v.TZ)
			if err != nil {
				d.Error = key + ": use YYYY-MM-DD"
				continue
			}
			if key == "to" {
				t = t.AddDate(0, 0, 1) // the whole day
			}
			*dst = t
		}
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		d.Page = p
	}
	rows, total, err := c.Audit.List(r.Context(), f, auditPageSize, (d.Page-1)*auditPageSize)
	if err != nil {
		return err
	}
	d.Rows, d.TotalPages = rows, (total+auditPageSize-1)/auditPageSize
	page := func(n int) template.URL {
		qq := r.URL.Query()
		qq.Set("page", strconv.Itoa(n))
		return template.URL(qq.Encode())
	}
	if d.Page > 1 {
		d.PrevQuery = page(d.Page - 1)
	}
	if d.Page < d.TotalPages {
		d.NextQuery = page(d.Page + 1)
	}
	c.render(w, http.StatusOK, "audit", v, d)
	return nil
}

type operatorsData struct {
	Pager     pager
	Items     []operator.Operator
	Roles     []operator.Role
	Created   *operator.Created
	Error     string
	CurrentID int64
}

func (c *Console) operatorsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showOperators(w, r, v, http.StatusOK, operatorsData{})
}

func (c *Console) showOperators(w http.ResponseWriter, r *http.Request, v *visit, status int, d operatorsData) error {
	page := pageNumber(r)
	items, total, err := c.Operators.List(r.Context(), contentPageSize, (page-1)*contentPageSize)
	if err != nil {
		return err
	}
	d.Items, d.Roles, d.CurrentID, d.Pager = items, operator.Roles, v.Principal.OperatorID, newPager(r, page, total)
	c.render(w, status, "operators", v, d)
	return nil
}

func (c *Console) createOperator(w http.ResponseWriter, r *http.Request, v *visit) error {
	created, err := c.Operators.Create(c.actorContext(r, v), operator.NewOperator{Email: r.PostFormValue("email"),
		DisplayName: r.PostFormValue("display_name"), Role: operator.Role(r.PostFormValue("role"))})
	if e, ok := apperr.As(err); ok {
		return c.showOperators(w, r, v, http.StatusBadRequest, operatorsData{Error: apiMessage(v.Lang, e)})
	}
	if err != nil {
		return err
	}
	// The generated password is shown on this answer only.
	created.TOTPURI = ""
	return c.showOperators(w, r, v, http.StatusOK, operatorsData{Created: &created})
}

func (c *Console) disableOperator(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" || r.PostFormValue("confirm") != "yes" {
		return c.showOperators(w, r, v, http.StatusBadRequest, operatorsData{
			Error: translate(v.Lang, "Disabling needs a reason and the confirmation box ticked.")})
	}
	disabled := operator.Disabled
	_, err = c.Operators.Update(audit.WithReason(c.actorContext(r, v), reason), id, operator.Change{Status: &disabled})
	if e, ok := apperr.As(err); ok {
		return c.showOperators(w, r, v, http.StatusBadRequest, operatorsData{Error: apiMessage(v.Lang, e)})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/operators", http.StatusSeeOther)
	return nil
}

func (c *Console) approvalRows(items []approval.Request) []approvalRow {
	rows := make([]approvalRow, 0, len(items))
	for _, x := range items {
		rows = append(rows, approvalRow{Request: x, AmountText: c.Office.FormatAmount(x.Currency, x.Amount)})
	}
	return rows
}
