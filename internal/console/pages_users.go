package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
)

// Users: search, detail, the audited reveal of personal data, freeze,
// unfreeze and revoking sessions — on the back-office methods of the admin
// API's users routes (adminapi/users*.go).

const usersPageSize = 20

// userPager is the page links of a list: the query of the previous and the
// next page ("" = none), built from the current query with one parameter
// changed.
type userPager struct {
	Page       int
	TotalPages int
	Prev, Next string
}

func newUserPager(base string, q url.Values, param string, page, size, total int) userPager {
	p := userPager{Page: page, TotalPages: max(1, (total+size-1)/size)}
	link := func(n int) string {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set(param, strconv.Itoa(n))
		return base + "?" + qq.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.TotalPages {
		p.Next = link(page + 1)
	}
	return p
}

// userPageParam reads a positive page number (1 when absent or invalid).
func userPageParam(q url.Values, name string) int {
	if n, err := strconv.Atoi(q.Get(name)); err == nil && n > 1 {
		return n
	}
	return 1
}

// userIDParam reads an optional user id filter; ok is false for a value
// that is not one.
func userIDParam(s string) (id int64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

type usersSearchData struct {
	Q, Status string
	Statuses  []account.Status
	Rows      []backoffice.UserRow
	Total     int
	Pager     userPager
	Error     string
}

var userStatusChoices = []account.Status{account.StatusActive, account.StatusFrozen, account.StatusDeactivated}

// usersSearch: GET /console/users?q=&status=&page= — q is an e-mail prefix,
// a user id (UID), a wallet id or a phone number, as in the admin API.
func (c *Console) usersSearch(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	d := usersSearchData{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Statuses: userStatusChoices}
	status := account.Status(d.Status)
	if status != "" && status != account.StatusActive && status != account.StatusFrozen && status != account.StatusDeactivated {
		d.Error, status, d.Status = translate(v.Lang, "Status")+": active, frozen, deactivated", "", ""
	}
	page := userPageParam(q, "page")
	rows, total, err := c.Office.SearchUsers(r.Context(), d.Q, status, page, usersPageSize)
	if err != nil {
		return err
	}
	d.Rows, d.Total = rows, total
	d.Pager = newUserPager("/console/users", q, "page", page, usersPageSize, total)
	code := http.StatusOK
	if d.Error != "" {
		code = http.StatusBadRequest
	}
	c.render(w, code, "users", v, d)
	return nil
}

// Money lines are formatted here, with their currency.
type userBalanceLine struct{ Currency, Available, Held string }

type userHistoryLine struct {
	Type, Status, Amount, Fee, Description, Reference string
	At                                                time.Time
}

type userDetailData struct {
	D        backoffice.UserDetail
	Balances []userBalanceLine
	Cards    []userCardLine
	History  []userHistoryLine
	Pager    userPager
	// Revealed is the personal data an audited reveal just showed.
	Revealed *backoffice.PersonalData
	Notice   string
	Error    string
	Can      map[string]bool
}

type userCardLine struct {
	ID                      int64
	PublicToken, MaskedPAN  string
	Status, Balance         string
	Physical, LockedByAdmin bool
	CreatedAt               time.Time
}

// userNotices are the confirmations after an action (post/redirect/get).
var userNotices = map[string]string{"frozen": "The user is frozen.", "unfrozen": "The user is unfrozen.",
	"revoked": "The user's sessions are revoked."}

func (c *Console) userDetailPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := userPathID(r)
	if err != nil {
		return err
	}
	return c.showUser(w, r, v, http.StatusOK, id, userDetailData{Notice: userNotices[r.URL.Query().Get("done")]})
}

func userPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// showUser renders the detail of user id with d's notice, error or revealed
// data.
func (c *Console) showUser(w http.ResponseWriter, r *http.Request, v *visit, status int, id int64, d userDetailData) error {
	hPage := userPageParam(r.URL.Query(), "history_page")
	detail, err := c.Office.UserDetail(r.Context(), id, hPage, usersPageSize)
	if e, ok := apperr.As(err); ok && e.Code == apperr.CodeNotFound {
		return errNotFound
	}
	if err != nil {
		return err
	}
	d.D = detail
	for _, b := range detail.Balances {
		d.Balances = append(d.Balances, userBalanceLine{Currency: b.Currency.Name,
			Available: b.Available.Format(b.Currency.Decimals) + " " + b.Currency.Name,
			Held:      b.Held.Format(b.Currency.Decimals) + " " + b.Currency.Name})
	}
	for _, cd := range detail.Cards {
		d.Cards = append(d.Cards, userCardLine{ID: cd.ID, PublicToken: cd.PublicToken, MaskedPAN: cd.MaskedPAN, Status: string(cd.Status),
			Balance: cd.Balance.Format(2) + " " + cd.Currency, Physical: cd.IsPhysical, LockedByAdmin: cd.LockedByAdmin, CreatedAt: cd.CreatedAt})
	}
	for _, h := range detail.History {
		d.History = append(d.History, userHistoryLine{Type: string(h.Type), Status: string(h.Status),
			Amount: h.Amount.Format(h.Decimals) + " " + h.Currency, Fee: h.Fee.Format(h.Decimals) + " " + h.Currency,
			Description: h.Description, Reference: h.Reference, At: h.CreatedAt})
	}
	base := "/console/users/" + strconv.FormatInt(id, 10)
	d.Pager = newUserPager(base, url.Values{}, "history_page", hPage, usersPageSize, detail.HistoryTotal)
	role := v.Principal.Role
	d.Can = map[string]bool{
		"freeze":  mirror("POST /api/v1/admin/users/{id}/freeze").allowed(role),
		"revoke":  mirror("POST /api/v1/admin/users/{id}/revoke-sessions").allowed(role),
		"reveal":  mirror("POST /api/v1/admin/users/{id}/personal-data").allowed(role),
		"kyc":     mirror("GET /api/v1/admin/kyc/records/{id}").allowed(role),
		"threeds": mirror("GET /api/v1/admin/3ds/records").allowed(role),
	}
	c.render(w, status, "users_detail", v, d)
	return nil
}

// userReason is the reason of a destructive form: required in the console.
func userReason(r *http.Request) (string, error) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return "", apperr.Validation(map[string]string{"reason": "a reason is required"})
	}
	return reason, nil
}

// userAction runs an audited action on user {id}: a refusal re-renders the
// detail with the API's message, success redirects with a notice.
func (c *Console) userAction(done string, act func(r *http.Request, v *visit, id int64, reason string) error) handler {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		id, err := userPathID(r)
		if err != nil {
			return err
		}
		reason, err := userReason(r)
		if err == nil {
			err = act(r, v, id, reason)
		}
		if e, ok := apperr.As(err); ok && e.Code != apperr.CodeNotFound {
			return c.showUser(w, r, v, http.StatusBadRequest, id, userDetailData{Error: apiMessage(v.Lang, e)})
		}
		if err != nil {
			return err
		}
		http.Redirect(w, r, "/console/users/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
		return nil
	}
}

func (c *Console) freezeUserAction(frozen bool) handler {
	done := "unfrozen"
	if frozen {
		done = "frozen"
	}
	return c.userAction(done, func(r *http.Request, v *visit, id int64, reason string) error {
		_, err := c.Office.FreezeUser(c.actorContext(r, v), id, frozen, reason)
		return err
	})
}

func (c *Console) revokeUserSessionsAction() handler {
	return c.userAction("revoked", func(r *http.Request, v *visit, id int64, reason string) error {
		return c.Office.RevokeUserSessions(c.actorContext(r, v), id, reason)
	})
}

// revealPersonalData: the audited reveal. The data is on this answer only
// (no redirect): reloading asks to post again, which is another audited
// reveal.
func (c *Console) revealPersonalData(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := userPathID(r)
	if err != nil {
		return err
	}
	reason, err := userReason(r)
	var p backoffice.PersonalData
	if err == nil {
		p, err = c.Office.RevealPersonalData(c.actorContext(r, v), id, reason)
	}
	if e, ok := apperr.As(err); ok && e.Code != apperr.CodeNotFound {
		return c.showUser(w, r, v, http.StatusBadRequest, id, userDetailData{Error: apiMessage(v.Lang, e)})
	}
	if err != nil {
		return err
	}
	return c.showUser(w, r, v, http.StatusOK, id, userDetailData{Revealed: &p})
}
