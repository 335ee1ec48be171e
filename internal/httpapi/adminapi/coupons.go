package adminapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// Coupons: definitions in the units of API.md §2.9 (value in USD for fixed
// coupons and in percent points for percentage ones; min_fee and
// max_discount in USD), and their assignment.

type couponView struct {
	ID                int64       `json:"id"`
	Code              string      `json:"code"`
	Name              string      `json:"name"`
	Description       string      `json:"description"`
	Type              string      `json:"type"`
	Value             json.Number `json:"value"`
	MinFee            json.Number `json:"min_fee"`
	MaxDiscount       json.Number `json:"max_discount"`
	AppliesTo         string      `json:"applies_to"`
	UsageLimit        int         `json:"usage_limit"`
	UsageLimitPerUser int         `json:"usage_limit_per_user"`
	ValidFrom         time.Time   `json:"valid_from"`
	ValidUntil        time.Time   `json:"valid_until"`
	Claimable         bool        `json:"claimable"`
	Status            string      `json:"status"`
	AssignedCount     int         `json:"assigned_count"`
	CreatedBy         int64       `json:"created_by"`
}

func viewCoupon(c coupon.Coupon) couponView {
	return couponView{ID: c.ID, Code: c.Code, Name: c.Name, Description: c.Description, Type: string(c.Type),
		Value: httpkit.Num(money.Amount(c.Value), 2), MinFee: httpkit.Num(c.MinFee, 2), MaxDiscount: httpkit.Num(c.MaxDiscount, 2),
		AppliesTo: c.AppliesTo, UsageLimit: c.UsageLimit, UsageLimitPerUser: c.UsageLimitPerUser, ValidFrom: c.ValidFrom.UTC(),
		ValidUntil: c.ValidUntil.UTC(), Claimable: c.Claimable, Status: c.Status, AssignedCount: c.AssignedCount, CreatedBy: c.CreatedBy}
}

type couponRunView struct {
	ID          int64      `json:"id"`
	CouponID    int64      `json:"coupon_id"`
	Status      string     `json:"status"`
	Audience    int        `json:"audience"`
	Assigned    int        `json:"assigned"`
	Skipped     int        `json:"skipped"`
	StopReason  string     `json:"stop_reason"`
	LastError   string     `json:"last_error"`
	CreatedBy   int64      `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	CompletedAt *time.Time `json:"completed_at"`
}

func viewCouponRun(x coupon.AssignRun) couponRunView {
	v := couponRunView{ID: x.ID, CouponID: x.CouponID, Status: string(x.Status), Audience: x.Total, Assigned: x.Assigned, Skipped: x.Skipped,
		StopReason: x.StopReason, LastError: x.LastError, CreatedBy: x.CreatedBy, CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC()}
	if x.CompletedAt != nil {
		at := x.CompletedAt.UTC()
		v.CompletedAt = &at
	}
	return v
}

// couponBody is the body of create and update; every field is optional
// here, create checks the ones it needs.
type couponBody struct {
	Code              *string            `json:"code"`
	Name              *string            `json:"name"`
	Description       *string            `json:"description"`
	Type              *string            `json:"type"`
	Value             httpkit.FlexNumber `json:"value"`
	MinFee            httpkit.FlexNumber `json:"min_fee"`
	MaxDiscount       httpkit.FlexNumber `json:"max_discount"`
	AppliesTo         *string            `json:"applies_to"`
	UsageLimit        *int               `json:"usage_limit"`
	UsageLimitPerUser *int               `json:"usage_limit_per_user"`
	ValidFrom         *string            `json:"valid_from"`
	ValidUntil        *string            `json:"valid_until"`
	Claimable         *bool              `json:"claimable"`
	Status            *string            `json:"status"`
}

var zeroAmount = regexp.MustCompile(`^0+(\.0+)?$`)

// amount parses an optional amount in USD (2 decimals); 0 is allowed
// where allowZero (a minimum fee or cap of nothing).
func amount(f httpkit.Fields, name string, v httpkit.FlexNumber, allowZero bool) *money.Amount {
	if !v.Present {
		return nil
	}
	if !v.TypeOK {
		f.Add(name, "must be a number")
		return nil
	}
	if raw := strings.TrimSpace(v.Raw); allowZero && zeroAmount.MatchString(raw) {
		zero := money.Amount(0)
		return &zero
	}
	a, err := money.ParsePositive(strings.TrimSpace(v.Raw), 2)
	if err != nil {
		f.Add(name, err.Error())
		return nil
	}
	return &a
}

func timeField(f httpkit.Fields, name string, v *string) *time.Time {
	if v == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(*v))
	if err != nil {
		f.Add(name, "must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z")
		return nil
	}
	return &t
}

// change parses the editable fields (all optional).
func (in couponBody) change(f httpkit.Fields) coupon.Change {
	ch := coupon.Change{Name: trimmed(in.Name), Description: trimmed(in.Description), AppliesTo: trimmed(in.AppliesTo),
		UsageLimit: in.UsageLimit, UsageLimitPerUser: in.UsageLimitPerUser, Claimable: in.Claimable, Status: trimmed(in.Status),
		MinFee: amount(f, "min_fee", in.MinFee, true), MaxDiscount: amount(f, "max_discount", in.MaxDiscount, true),
		ValidFrom: timeField(f, "valid_from", in.ValidFrom), ValidUntil: timeField(f, "valid_until", in.ValidUntil)}
	if v := amount(f, "value", in.Value, false); v != nil {
		points := int64(*v)
		ch.Value = &points
	}
	return ch
}

func trimmed(v *string) *string {
	if v == nil {
		return nil
	}
	s := strings.TrimSpace(*v)
	return &s
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// listCoupons: GET /admin/coupons?status=active|inactive.
func (a *API) listCoupons(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status != "" && status != coupon.StatusActive && status != coupon.StatusInactive {
		return apperr.Validation(map[string]string{"status": "must be active or inactive"})
	}
	list, total, err := a.Office.ListCoupons(r.Context(), status, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewCoupon, pageNo, size, total))
}

// createCoupon: POST /admin/coupons.
func (a *API) createCoupon(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var in couponBody
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	code, name, kind := f.Required("code", in.Code), f.Required("name", in.Name), f.Required("type", in.Type)
	if !in.Value.Present {
		f.Add("value", "is required")
	}
	if in.Status != nil {
		f.Add("status", "a new coupon is active; deactivate it with DELETE")
	}
	ch := in.change(f)
	if err := f.Err(); err != nil {
		return err
	}
	c, err := a.Office.CreateCoupon(r.Context(), coupon.Coupon{Code: code, Name: name, Description: deref(ch.Description),
		Type: coupon.Kind(kind), Value: deref(ch.Value), MinFee: deref(ch.MinFee), MaxDiscount: deref(ch.MaxDiscount),
		AppliesTo: deref(ch.AppliesTo), UsageLimit: deref(ch.UsageLimit), UsageLimitPerUser: deref(ch.UsageLimitPerUser),
		ValidFrom: deref(ch.ValidFrom), ValidUntil: deref(ch.ValidUntil), Claimable: deref(ch.Claimable)})
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusCreated, viewCoupon(c))
}

type couponDetailView struct {
	couponView
	AssignRuns []couponRunView `json:"assign_runs"`
}

// getCoupon: GET /admin/coupons/{id}, with its latest assign-to-everyone runs.
func (a *API) getCoupon(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", coupon.ErrNotFound)
	if err != nil {
		return err
	}
	c, runs, err := a.Office.Coupon(r.Context(), id)
	if err != nil {
		return err
	}
	v := couponDetailView{couponView: viewCoupon(c), AssignRuns: []couponRunView{}}
	for _, x := range runs {
		v.AssignRuns = append(v.AssignRuns, viewCouponRun(x))
	}
	return ok(w, r, http.StatusOK, v)
}

// updateCoupon: PUT /admin/coupons/{id}: the fields given change; code and
// type are fixed once created.
func (a *API) updateCoupon(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", coupon.ErrNotFound)
	if err != nil {
		return err
	}
	var in couponBody
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	if in.Code != nil {
		f.Add("code", "is fixed once created (define a new coupon)")
	}
	if in.Type != nil {
		f.Add("type", "is fixed once created (define a new coupon)")
	}
	ch := in.change(f)
	if err := f.Err(); err != nil {
		return err
	}
	c, err := a.Office.UpdateCoupon(r.Context(), id, ch)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewCoupon(c))
}

// deleteCoupon: DELETE /admin/coupons/{id} deactivates it (users hold it).
func (a *API) deleteCoupon(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", coupon.ErrNotFound)
	if err != nil {
		return err
	}
	c, err := a.Office.DeleteCoupon(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewCoupon(c))
}

// assignCoupon: POST /admin/coupons/{id}/assign {user_ids:[…]} (at once,
// 200) or {all_users:true} (a job, 202 with its run).
func (a *API) assignCoupon(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", coupon.ErrNotFound)
	if err != nil {
		return err
	}
	var in struct {
		UserIDs  []int64 `json:"user_ids"`
		AllUsers *bool   `json:"all_users"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	all := in.AllUsers != nil && *in.AllUsers
	switch {
	case all && in.UserIDs != nil:
		return apperr.Validation(map[string]string{"user_ids": "give user_ids or all_users, not both"})
	case all:
		run, err := a.Office.AssignCouponToAll(r.Context(), id)
		if err != nil {
			return err
		}
		return ok(w, r, http.StatusAccepted, struct {
			Run couponRunView `json:"run"`
		}{viewCouponRun(run)})
	}
	f := httpkit.NewFields()
	if len(in.UserIDs) == 0 || len(in.UserIDs) > backoffice.MaxAssignUsers {
		f.Add("user_ids", "must list 1–1000 user ids (or send all_users:true)")
	}
	for _, u := range in.UserIDs {
		if u <= 0 {
			f.Add("user_ids", "must be positive integers")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	res, err := a.Office.AssignCoupon(r.Context(), id, in.UserIDs)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct {
		CouponID        int64   `json:"coupon_id"`
		AssignedCount   int     `json:"assigned_count"`
		AssignedUserIDs []int64 `json:"assigned_user_ids"`
		SkippedUserIDs  []int64 `json:"skipped_user_ids"`
	}{id, res.Coupon.AssignedCount, nonNil(res.Assigned), nonNil(res.Skipped)})
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
