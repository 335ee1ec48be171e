package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/money"
)

// Coupons: the definitions (units of API.md §2.9: value in USD or percent
// points, min_fee and max_discount in USD), their edit, deactivation and
// assignment, and the assign-to-everyone runs' progress.

const formTime = "2006-01-02T15:04" // <input type=datetime-local>

// couponForm is a definition as the form shows it.
type couponForm struct {
	Code, Name, Description, Type, Value, MinFee, MaxDiscount, AppliesTo string
	UsageLimit, UsageLimitPerUser, ValidFrom, ValidUntil                 string
	Claimable                                                            bool
}

func couponFormOf(c coupon.Coupon, tz *time.Location) couponForm {
	f := couponForm{Code: c.Code, Name: c.Name, Description: c.Description, Type: string(c.Type),
		Value: money.Amount(c.Value).Format(2), MinFee: c.MinFee.Format(2), MaxDiscount: c.MaxDiscount.Format(2),
		AppliesTo: c.AppliesTo, UsageLimit: strconv.Itoa(c.UsageLimit), UsageLimitPerUser: strconv.Itoa(c.UsageLimitPerUser),
		Claimable: c.Claimable}
	if !c.ValidFrom.IsZero() {
		f.ValidFrom = c.ValidFrom.In(tz).Format(formTime)
	}
	if !c.ValidUntil.IsZero() {
		f.ValidUntil = c.ValidUntil.In(tz).Format(formTime)
	}
	return f
}

func readCouponForm(r *http.Request) couponForm {
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return couponForm{Code: g("code"), Name: g("name"), Description: g("description"), Type: g("type"), Value: g("value"),
		MinFee: g("min_fee"), MaxDiscount: g("max_discount"), AppliesTo: g("applies_to"), UsageLimit: g("usage_limit"),
		UsageLimitPerUser: g("usage_limit_per_user"), ValidFrom: g("valid_from"), ValidUntil: g("valid_until"),
		Claimable: r.PostFormValue("claimable") == "on"}
}

// change parses the form into the edit the admin API would make; refusals
// are field errors, as the API's.
func (f couponForm) change(tz *time.Location) (coupon.Change, error) {
	bad := apperr.Fields{}
	amount := func(name, s string, allowZero bool) *money.Amount {
		if s == "" || (allowZero && strings.Trim(s, "0.") == "") {
			zero := money.Amount(0)
			return &zero
		}
		a, err := money.ParsePositive(s, 2)
		if err != nil {
			bad.Add(name, err.Error())
			return nil
		}
		return &a
	}
	integer := func(name, s string) *int {
		if s == "" {
			zero := 0
			return &zero
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			bad.Add(name, "must be a whole number")
			return nil
		}
		return &n
	}
	at := func(name, s string) *time.Time {
		if s == "" {
			bad.Add(name, "is required")
			return nil
		}
		t, err := time.ParseInLocation(formTime, s, tz)
		if err != nil {
			bad.Add(name, "must be a date and time")
			return nil
		}
		return &t
	}
	ch := coupon.Change{Name: &f.Name, Description: &f.Description, AppliesTo: &f.AppliesTo, Claimable: &f.Claimable,
		MinFee: amount("min_fee", f.MinFee, true), MaxDiscount: amount("max_discount", f.MaxDiscount, true),
		UsageLimit: integer("usage_limit", f.UsageLimit), UsageLimitPerUser: integer("usage_limit_per_user", f.UsageLimitPerUser),
		ValidFrom: at("valid_from", f.ValidFrom), ValidUntil: at("valid_until", f.ValidUntil)}
	if f.Value == "" {
		bad.Add("value", "is required")
	} else if v := amount("value", f.Value, false); v != nil {
		points := int64(*v)
		ch.Value = &points
	}
	return ch, bad.Err()
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

type couponsData struct {
	Items     []coupon.Coupon
	Status    string
	Code      string
	Pager     pager
	CanCreate bool
	New       *couponForm // the create form (nil: only the list)
	Error     string
}

func (c *Console) couponsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showCoupons(w, r, v, http.StatusOK, couponsData{})
}

func (c *Console) showCoupons(w http.ResponseWriter, r *http.Request, v *visit, status int, d couponsData) error {
	q := r.URL.Query()
	d.Status, d.Code = q.Get("status"), strings.TrimSpace(q.Get("code"))
	if d.Status != coupon.StatusActive && d.Status != coupon.StatusInactive {
		d.Status = ""
	}
	d.CanCreate = mirror("POST /api/v1/admin/coupons").allowed(v.Principal.Role)
	if d.CanCreate && d.New == nil {
		d.New = &couponForm{Type: string(coupon.Fixed), AppliesTo: "both", UsageLimitPerUser: "1"}
	}
	page := pageNumber(r)
	if d.Code != "" { // the code is unique: a search finds one or none
		x, err := c.Office.CouponByCode(r.Context(), d.Code)
		switch {
		case errors.Is(err, coupon.ErrNotFound):
		case err != nil:
			return err
		default:
			d.Items = []coupon.Coupon{x}
		}
		d.Pager = newPager(r, 1, len(d.Items))
	} else {
		list, total, err := c.Office.ListCoupons(r.Context(), d.Status, contentPageSize, (page-1)*contentPageSize)
		if err != nil {
			return err
		}
		d.Items, d.Pager = list, newPager(r, page, total)
	}
	c.render(w, status, "content_coupons", v, d)
	return nil
}

func (c *Console) createCoupon(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := readCouponForm(r)
	ch, err := f.change(v.TZ)
	var created coupon.Coupon
	if err == nil {
		created, err = c.Office.CreateCoupon(c.actorContext(r, v), coupon.Coupon{Code: f.Code, Name: f.Name,
			Description: f.Description, Type: coupon.Kind(f.Type), Value: deref(ch.Value), MinFee: deref(ch.MinFee),
			MaxDiscount: deref(ch.MaxDiscount), AppliesTo: f.AppliesTo, UsageLimit: deref(ch.UsageLimit),
			UsageLimitPerUser: deref(ch.UsageLimitPerUser), ValidFrom: deref(ch.ValidFrom), ValidUntil: deref(ch.ValidUntil),
			Claimable: f.Claimable})
	}
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return c.showCoupons(w, r, v, http.StatusBadRequest, couponsData{New: &f, Error: msg})
	}
	http.Redirect(w, r, "/console/coupons/"+strconv.FormatInt(created.ID, 10)+"?done=created", http.StatusSeeOther)
	return nil
}

// couponRun is an assign-to-everyone run with its progress.
type couponRun struct {
	coupon.AssignRun
	Done, Percent int
}

type couponData struct {
	Coupon    coupon.Coupon
	Form      couponForm
	Runs      []couponRun
	CanEdit   bool
	Active    bool
	UserIDs   string
	Error     string
	Notice    string
	Assigned  string // ids assigned by the last assignment
	Skipped   string
	RunActive bool // a run is still going: the page offers a refresh
}

func (c *Console) showCoupon(w http.ResponseWriter, r *http.Request, v *visit, status int, d couponData, form *couponForm) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	x, runs, err := c.Office.Coupon(r.Context(), id)
	if errors.Is(err, coupon.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	d.Coupon, d.Form = x, couponFormOf(x, v.TZ)
	if form != nil {
		d.Form = *form
	}
	d.Active = x.Status == coupon.StatusActive
	d.CanEdit = mirror("PUT /api/v1/admin/coupons/{id}").allowed(v.Principal.Role)
	for _, run := range runs {
		cr := couponRun{AssignRun: run, Done: run.Assigned + run.Skipped}
		switch {
		case run.Status == coupon.RunCompleted:
			cr.Percent = 100
		case run.Total > 0:
			cr.Percent = min(99, cr.Done*100/run.Total)
		}
		if run.Status == coupon.RunQueued || run.Status == coupon.RunRunning {
			d.RunActive = true
		}
		d.Runs = append(d.Runs, cr)
	}
	c.render(w, status, "content_coupon", v, d)
	return nil
}

func (c *Console) couponPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	return c.showCoupon(w, r, v, http.StatusOK, couponData{Notice: q.Get("done"), Assigned: q.Get("assigned"),
		Skipped: q.Get("skipped")}, nil)
}

func (c *Console) updateCoupon(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	f := readCouponForm(r)
	ch, err := f.change(v.TZ)
	if err == nil {
		_, err = c.Office.UpdateCoupon(c.actorContext(r, v), id, ch)
	}
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return c.showCoupon(w, r, v, http.StatusBadRequest, couponData{Error: msg}, &f)
	}
	http.Redirect(w, r, r.URL.Path+"?done=saved", http.StatusSeeOther)
	return nil
}

// deactivateCoupon is the admin DELETE: users keep what they hold, nobody
// can claim, be given or use it any more. A reason is required.
func (c *Console) deactivateCoupon(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	ctx, msg := c.reasonContext(r, v)
	if msg == "" {
		_, err = c.Office.DeleteCoupon(ctx, id)
		if msg, err = refusal(v, err); err != nil {
			return err
		}
	}
	if msg != "" {
		return c.showCoupon(w, r, v, http.StatusBadRequest, couponData{Error: msg}, nil)
	}
	http.Redirect(w, r, "/console/coupons/"+strconv.FormatInt(id, 10)+"?done=deactivated", http.StatusSeeOther)
	return nil
}

// assignCoupon gives the coupon to listed user ids at once, or starts a run
// for everyone (confirmed by a checkbox) whose progress the page shows.
func (c *Console) assignCoupon(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	raw := r.PostFormValue("user_ids")
	back := "/console/coupons/" + strconv.FormatInt(id, 10)
	if r.PostFormValue("audience") == "all" {
		if r.PostFormValue("confirm") != "on" {
			return c.showCoupon(w, r, v, http.StatusBadRequest, couponData{Error: translate(v.Lang,
				"Tick the confirmation to give the coupon to every user.")}, nil)
		}
		_, err = c.Office.AssignCouponToAll(c.actorContext(r, v), id)
		if msg, err := refusal(v, err); err != nil {
			return err
		} else if msg != "" {
			return c.showCoupon(w, r, v, http.StatusBadRequest, couponData{Error: msg}, nil)
		}
		http.Redirect(w, r, back+"?done=run", http.StatusSeeOther)
		return nil
	}
	var ids []int64
	for _, s := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || n <= 0 {
			return c.showCoupon(w, r, v, http.StatusBadRequest, couponData{UserIDs: raw,
				Error: translate(v.Lang, "User IDs") + ": " + s + " — 1, 2, 3…"}, nil)
		}
		ids = append(ids, n)
	}
	res, err := c.Office.AssignCoupon(c.actorContext(r, v), id, ids)
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return c.showCoupon(w, r, v, http.StatusBadRequest, couponData{UserIDs: raw, Error: msg}, nil)
	}
	join := func(ids []int64) string {
		s := make([]string, len(ids))
		for i, n := range ids {
			s[i] = strconv.FormatInt(n, 10)
		}
		return strings.Join(s, ", ")
	}
	http.Redirect(w, r, back+"?"+url.Values{"done": {"assigned"}, "assigned": {join(res.Assigned)},
		"skipped": {join(res.Skipped)}}.Encode(), http.StatusSeeOther)
	return nil
}

// The area's template helpers, added to the console's set at start-up.
func init() {
	templateFuncs["couponValue"] = func(c coupon.Coupon) string {
		if c.Type == coupon.Percentage {
			s := money.Amount(c.Value).Format(2) + " %"
			if c.MaxDiscount > 0 {
				s += " (≤ " + c.MaxDiscount.Format(2) + " USD)"
			}
			return s
		}
		return money.Amount(c.Value).Format(2) + " USD"
	}
	templateFuncs["appliesTo"] = func() []string { return []string{"both", "virtual", "physical"} }
}
