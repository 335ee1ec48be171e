package console

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/physical"
)

// The cards area: cards, card tasks and physical orders. Each list page is
// one show function (filters from the query, a page of rows, a notice or a
// refusal), so an action the back office refuses re-renders its page with
// the API's message (act).

const cardsPageSize = 25

// cardsList is what every list page of the area carries: its filters, its
// page links, and the outcome of the last action.
type cardsList struct {
	Filter     map[string]string
	Page       int
	TotalPages int
	// Query strings of the neighbouring pages, already encoded (a plain
	// string would be escaped again in the href).
	PrevQuery template.URL
	NextQuery template.URL
	Query     string // the current filters, sent back by action forms
	Notice    string
	Error     string
	// Can names the actions the operator's role may take on the page.
	Can map[string]bool
}

// allow records whether the operator may use the admin route pattern.
func (s *cardsList) allow(v *visit, name, pattern string) {
	if s.Can == nil {
		s.Can = map[string]bool{}
	}
	s.Can[name] = mirror(pattern).allowed(v.Principal.Role)
}

// newCardsList reads the filters named by keys and the page number from
// the query (a form's hidden "q" when an action re-renders the page).
func newCardsList(r *http.Request, keys ...string) cardsList {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q, _ = url.ParseQuery(r.PostFormValue("q"))
	}
	s := cardsList{Filter: map[string]string{}, Page: 1}
	kept := url.Values{}
	for _, k := range keys {
		s.Filter[k] = strings.TrimSpace(q.Get(k))
		if s.Filter[k] != "" {
			kept.Set(k, s.Filter[k])
		}
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		s.Page = p
		kept.Set("page", strconv.Itoa(p))
	}
	s.Query = kept.Encode()
	return s
}

func (s *cardsList) offset() int { return (s.Page - 1) * cardsPageSize }

// paged sets the page links for total rows.
func (s *cardsList) paged(total int) {
	s.TotalPages = max(1, (total+cardsPageSize-1)/cardsPageSize)
	link := func(n int) template.URL {
		q, _ := url.ParseQuery(s.Query)
		q.Set("page", strconv.Itoa(n))
		return template.URL(q.Encode())
	}
	if s.Page > 1 {
		s.PrevQuery = link(s.Page - 1)
	}
	if s.Page < s.TotalPages {
		s.NextQuery = link(s.Page + 1)
	}
}

// id reads a positive integer filter; a bad one is reported and ignored.
func (s *cardsList) id(lang, key, label string) int64 {
	v := s.Filter[key]
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		s.Error = translate(lang, label) + ": " + translate(lang, "must be a positive whole number")
		return 0
	}
	return n
}

// oneOf keeps a filter only when it is one of allowed.
func (s *cardsList) oneOf(key string, allowed ...string) string {
	for _, a := range allowed {
		if s.Filter[key] == a {
			return a
		}
	}
	s.Filter[key] = ""
	return ""
}

// refused shows an action's refusal instead of any notice ("" for none).
func (s *cardsList) refused(msg string) {
	if msg != "" {
		s.Error, s.Notice = msg, ""
	}
}

// outcome reads the notice a redirect after an action carries.
func (s *cardsList) outcome(r *http.Request, lang string) {
	q := r.URL.Query()
	if q.Get("done") != "" {
		s.Notice = translate(lang, "Done.")
	}
	if n := q.Get("queued"); n != "" {
		if _, err := strconv.ParseInt(n, 10, 64); err == nil {
			s.Notice = translate(lang, "Above the four-eyes threshold: sent for approval as request") + " #" + n + "."
		}
	}
}

// cardsDone is where an action redirects: path with the filters the form
// came from and the action's outcome (post/redirect/get).
func cardsDone(r *http.Request, path string, out *backoffice.Outcome) string {
	q, _ := url.ParseQuery(r.PostFormValue("q"))
	if out != nil && !out.Executed {
		q.Set("queued", strconv.FormatInt(out.Request.ID, 10))
	} else {
		q.Set("done", "1")
	}
	return path + "?" + q.Encode()
}

// cardsPathID reads the {name} wildcard as a positive integer.
func cardsPathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, errNotFound
	}
	return n, nil
}

func cardsTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// cardsConfirmData is the confirmation page of a destructive or money action:
// what it does, and a form that posts it again with confirm=yes.
type cardsConfirmData struct {
	Title   string
	Message string
	Action  string
	Back    string
	Fields  map[string]string
}

// cardsConfirmed reports whether the form carries the confirmation; otherwise
// it renders the confirmation page for the same form.
func (c *Console) cardsConfirmed(w http.ResponseWriter, r *http.Request, v *visit, title, message, back string, fields ...string) bool {
	if r.PostFormValue("confirm") == "yes" {
		return true
	}
	d := cardsConfirmData{Title: title, Message: message, Action: r.URL.Path, Back: back, Fields: map[string]string{"q": r.PostFormValue("q")}}
	for _, f := range fields {
		d.Fields[f] = r.PostFormValue(f)
	}
	c.render(w, http.StatusOK, "cards_confirm", v, d)
	return false
}

// cardsReason is the console's rule for the area's actions: a reason,
// always (the audit log shows it).
func cardsReason(r *http.Request) (string, error) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return "", apperr.Validation(map[string]string{"reason": "is required"})
	}
	if len([]rune(reason)) > 500 {
		return "", apperr.Validation(map[string]string{"reason": "must be at most 500 characters"})
	}
	return reason, nil
}

// cardsIDReason reads the {id} of an action's path (not found first: a
// bad path is no form to refuse) and its reason.
func cardsIDReason(r *http.Request) (int64, string, error) {
	id, err := cardsPathID(r, "id")
	if err != nil {
		return 0, "", err
	}
	reason, err := cardsReason(r)
	return id, reason, err
}

// ---- Cards ----

type cardRow struct {
	card.Card
	BalanceText string
	FeePaidText string
}

type cardsData struct {
	cardsList
	Rows     []cardRow
	Statuses []string
}

func (c *Console) cardsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showCards(w, r, v, http.StatusOK, "")
}

func (c *Console) showCards(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error {
	d := cardsData{cardsList: newCardsList(r, "user_id", "status"),
		Statuses: []string{string(card.StatusNormal), string(card.StatusFrozen), string(card.StatusCancelled)}}
	d.outcome(r, v.Lang)
	d.allow(v, "status", "POST /api/v1/admin/cards/{id}/lock")
	f := card.CardFilter{UserID: d.id(v.Lang, "user_id", "User ID"), Status: card.Status(d.oneOf("status", d.Statuses...))}
	list, total, err := c.Office.Cards(r.Context(), f, cardsPageSize, d.offset())
	if err != nil {
		return err
	}
	for _, x := range list {
		d.Rows = append(d.Rows, cardRow{Card: x, BalanceText: x.Balance.Format(2) + " HKD", FeePaidText: x.FeePaid.Format(2) + " USD"})
	}
	d.paged(total)
	d.refused(msg)
	c.render(w, status, "cards_cards", v, d)
	return nil
}

func (c *Console) cardAction(action card.OperatorAction) handler {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		return c.act(w, r, v, c.showCards, func(ctx context.Context) (string, error) {
			id, reason, err := cardsIDReason(r)
			if err != nil {
				return "", err
			}
			if action == card.OperatorCancel && !c.cardsConfirmed(w, r, v, translate(v.Lang, "Cancel card")+" #"+strconv.FormatInt(id, 10),
				translate(v.Lang, "Cancelling a card is final: the issuer closes it and its balance is refunded to the user's wallet."),
				"/console/cards", "reason") {
				return "", errAnswered
			}
			if _, err := c.Office.SetCardStatus(ctx, id, action, reason); err != nil {
				return "", err
			}
			return cardsDone(r, "/console/cards", nil), nil
		})
	}
}

// ---- Card tasks ----

type taskRow struct {
	card.Task
	Completed time.Time
	Retried   time.Time
}

type cardTasksData struct {
	cardsList
	Rows     []taskRow
	Statuses []string
}

func (c *Console) cardTasksPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showCardTasks(w, r, v, http.StatusOK, "")
}

func (c *Console) showCardTasks(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error {
	d := cardTasksData{cardsList: newCardsList(r, "user_id", "status"), Statuses: []string{string(card.TaskPending),
		string(card.TaskProcessing), string(card.TaskCompleted), string(card.TaskFailed)}}
	d.outcome(r, v.Lang)
	d.allow(v, "retry", "POST /api/v1/admin/card-tasks/{id}/retry")
	f := card.TaskFilter{UserID: d.id(v.Lang, "user_id", "User ID"), Status: card.TaskStatus(d.oneOf("status", d.Statuses...))}
	list, total, err := c.Office.CardTasks(r.Context(), f, cardsPageSize, d.offset())
	if err != nil {
		return err
	}
	for _, t := range list {
		d.Rows = append(d.Rows, taskRow{Task: t, Completed: cardsTime(t.CompletedAt), Retried: cardsTime(t.RetriedAt)})
	}
	d.paged(total)
	d.refused(msg)
	c.render(w, status, "cards_tasks", v, d)
	return nil
}

func (c *Console) retryCardTask(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showCardTasks, func(ctx context.Context) (string, error) {
		id, reason, err := cardsIDReason(r)
		if err != nil {
			return "", err
		}
		if _, err := c.Office.RetryCardTask(ctx, id, reason); err != nil {
			return "", err
		}
		return cardsDone(r, "/console/card-tasks", nil), nil
	})
}

// ---- Physical orders ----

type orderRow struct {
	physical.Order
	FeeUSDText string
	FeeText    string
	Shipped    time.Time
	Delivered  time.Time
	Refundable bool
}

type ordersData struct {
	cardsList
	Rows           []orderRow
	Statuses       []string
	TargetStatuses []string
}

func (c *Console) ordersPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showOrders(w, r, v, http.StatusOK, "")
}

func (c *Console) showOrders(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error {
	d := ordersData{cardsList: newCardsList(r, "user_id", "card_id", "status")}
	for _, s := range []physical.Status{physical.StatusInit, physical.StatusEmailVerified, physical.StatusFeePaid, physical.StatusSubmitted,
		physical.StatusProcessing, physical.StatusShipped, physical.StatusDelivered, physical.StatusFailed, physical.StatusCancelled} {
		d.Statuses = append(d.Statuses, string(s))
	}
	for _, s := range physical.OperatorStatuses {
		d.TargetStatuses = append(d.TargetStatuses, string(s))
	}
	d.outcome(r, v.Lang)
	d.allow(v, "status", "POST /api/v1/admin/physical-orders/{id}/status")
	d.allow(v, "refund", "POST /api/v1/admin/physical-orders/{id}/refund")
	f := physical.OrderFilter{UserID: d.id(v.Lang, "user_id", "User ID"), CardID: d.id(v.Lang, "card_id", "Card ID"),
		Status: physical.Status(d.oneOf("status", d.Statuses...))}
	list, total, err := c.Office.PhysicalOrders(r.Context(), f, cardsPageSize, d.offset())
	if err != nil {
		return err
	}
	for _, o := range list {
		d.Rows = append(d.Rows, orderRow{Order: o, FeeUSDText: o.FeeUSD.Format(2) + " USD",
			FeeText: o.FeeAmount.Format(c.Office.OrderFeeDecimals(o)) + " " + o.PaymentCurrency,
			Shipped: cardsTime(o.ShippedAt), Delivered: cardsTime(o.DeliveredAt),
			Refundable: o.FeeAmount > 0 && o.RefundStatus != physical.RefundCompleted})
	}
	d.paged(total)
	d.refused(msg)
	c.render(w, status, "cards_orders", v, d)
	return nil
}

func (c *Console) setOrderStatus(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showOrders, func(ctx context.Context) (string, error) {
		id, err := cardsPathID(r, "id")
		if err != nil {
			return "", err
		}
		u := backoffice.OrderUpdate{OrderID: id, Status: physical.Status(r.PostFormValue("status")),
			TrackingNo: strings.TrimSpace(r.PostFormValue("tracking_no")), Remark: strings.TrimSpace(r.PostFormValue("remark"))}
		fields := apperr.Fields{}
		if !cardsOrderTarget(u.Status) {
			fields.Add("status", "must be one of PROCESSING, SHIPPED, DELIVERED, FAILED, CANCELLED")
		}
		if u.TrackingNo != "" && !cardsTrackingNo(u.TrackingNo) {
			fields.Add("tracking_no", "must be 1-64 letters, digits or dashes")
		}
		if u.Status == physical.StatusFailed && u.Remark == "" {
			fields.Add("remark", "is required to fail an order (it is the reason of the fee's refund)")
		}
		if len([]rune(u.Remark)) > 200 {
			fields.Add("remark", "must be at most 200 characters")
		}
		if err := fields.Err(); err != nil {
			return "", err
		}
		if (u.Status == physical.StatusFailed || u.Status == physical.StatusCancelled) && !c.cardsConfirmed(w, r, v,
			translate(v.Lang, "Change order status")+" #"+strconv.FormatInt(id, 10)+" → "+string(u.Status),
			translate(v.Lang, "Failing an order refunds its fee to the user; cancelling stops it. Neither can be undone."),
			"/console/physical-orders", "status", "tracking_no", "remark") {
			return "", errAnswered
		}
		out, _, err := c.Office.SetPhysicalOrderStatus(ctx, u)
		if err != nil {
			return "", err
		}
		return cardsDone(r, "/console/physical-orders", &out), nil
	})
}

func cardsOrderTarget(s physical.Status) bool {
	for _, x := range physical.OperatorStatuses {
		if s == x {
			return true
		}
	}
	return false
}

func cardsTrackingNo(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func (c *Console) refundOrder(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.act(w, r, v, c.showOrders, func(ctx context.Context) (string, error) {
		id, reason, err := cardsIDReason(r)
		if err != nil {
			return "", err
		}
		if !c.cardsConfirmed(w, r, v, translate(v.Lang, "Refund order")+" #"+strconv.FormatInt(id, 10),
			translate(v.Lang, "The order's fee goes back to the user's wallet. Above the four-eyes threshold a second operator approves it."),
			"/console/physical-orders", "reason") {
			return "", errAnswered
		}
		out, _, err := c.Office.RefundPhysicalOrder(ctx, id, reason)
		if err != nil {
			return "", err
		}
		return cardsDone(r, "/console/physical-orders", &out), nil
	})
}
