package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// Operator notifications (to one user; broadcasts with their progress) and
// the webhook inbox (filters; replay with a reason).

type broadcastRow struct {
	notification.Broadcast
	Percent int
}

// messageForm is what the send and broadcast forms hold.
type messageForm struct {
	UserID, Title, Body, Data                      string
	Status, Language, RegisteredFrom, RegisteredTo string
}

type notificationsData struct {
	Items []broadcastRow
	Pager pager
	Send  messageForm
	Cast  messageForm
	// Key names the broadcast form's submission (Idempotency-Key): posting
	// the same form twice makes one broadcast.
	Key        string
	Error      string
	Notice     string
	RunActive  bool
	SentUserID string
}

func (c *Console) notificationsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	return c.showNotifications(w, r, v, http.StatusOK, notificationsData{Notice: q.Get("done"), SentUserID: q.Get("user")})
}

func (c *Console) showNotifications(w http.ResponseWriter, r *http.Request, v *visit, status int, d notificationsData) error {
	page := pageNumber(r)
	list, total, err := c.Office.Broadcasts(r.Context(), contentPageSize, (page-1)*contentPageSize)
	if err != nil {
		return err
	}
	for _, b := range list {
		row := broadcastRow{Broadcast: b}
		switch {
		case b.Status == notification.BroadcastCompleted:
			row.Percent = 100
		case b.Total > 0:
			row.Percent = min(99, b.Sent*100/b.Total)
		}
		if b.Status != notification.BroadcastCompleted {
			d.RunActive = true
		}
		d.Items = append(d.Items, row)
	}
	d.Pager = newPager(r, page, total)
	if d.Key == "" {
		d.Key = "console-" + secret.Base62(24)
	}
	c.render(w, status, "content_notifications", v, d)
	return nil
}

func readMessageForm(r *http.Request) messageForm {
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return messageForm{UserID: g("user_id"), Title: g("title"), Body: g("body"), Data: g("data"), Status: g("status"),
		Language: g("language"), RegisteredFrom: g("registered_from"), RegisteredTo: g("registered_to")}
}

func (f messageForm) message() notification.Message {
	m := notification.Message{Title: f.Title, Body: f.Body}
	if f.Data != "" {
		m.Data = json.RawMessage(f.Data)
	}
	return m
}

func (c *Console) sendNotification(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := readMessageForm(r)
	userID, err := strconv.ParseInt(f.UserID, 10, 64)
	if err != nil || userID <= 0 {
		err = apperr.Validation(map[string]string{"user_id": "must be a positive integer"})
	} else {
		_, err = c.Office.SendNotification(c.actorContext(r, v), userID, f.message())
	}
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return c.showNotifications(w, r, v, http.StatusBadRequest, notificationsData{Send: f, Error: msg})
	}
	http.Redirect(w, r, "/console/notifications?"+url.Values{"done": {"sent"}, "user": {f.UserID}}.Encode(), http.StatusSeeOther)
	return nil
}

func (c *Console) broadcastNotification(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := readMessageForm(r)
	key := r.PostFormValue("key")
	bad := apperr.Fields{}
	day := func(name, s string) *time.Time {
		if s == "" {
			return nil
		}
		t, err := time.ParseInLocation("2006-01-02", s, v.TZ)
		if err != nil {
			bad.Add(name, "use YYYY-MM-DD")
			return nil
		}
		return &t
	}
	aud := notification.Audience{Status: f.Status, Language: f.Language,
		RegisteredFrom: day("registered_from", f.RegisteredFrom), RegisteredTo: day("registered_to", f.RegisteredTo)}
	if aud.RegisteredTo != nil { // the whole day
		to := aud.RegisteredTo.AddDate(0, 0, 1)
		aud.RegisteredTo = &to
	}
	var err error
	switch {
	case r.PostFormValue("confirm") != "on":
		bad.Add("confirm", translate(v.Lang, "Tick the confirmation to send to the whole audience."))
		err = bad.Err()
	case len(bad) > 0:
		err = bad.Err()
	default:
		_, _, err = c.Office.Broadcast(c.actorContext(r, v), f.message(), aud, key)
	}
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return c.showNotifications(w, r, v, http.StatusBadRequest, notificationsData{Cast: f, Key: key, Error: msg})
	}
	http.Redirect(w, r, "/console/notifications?done=broadcast", http.StatusSeeOther)
	return nil
}

// ---- Webhook inbox ----

type webhooksData struct {
	Items     []webhook.Event
	Provider  string
	Status    string
	Statuses  []string
	Pager     pager
	CanReplay bool
	Error     string
	Notice    string
	Outcome   string
	Query     string // the list's filters, kept through a replay
}

func (c *Console) webhooksPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	return c.showWebhooks(w, r, v, http.StatusOK, webhooksData{Notice: q.Get("replayed"), Outcome: q.Get("outcome")})
}

func (c *Console) showWebhooks(w http.ResponseWriter, r *http.Request, v *visit, status int, d webhooksData) error {
	q := r.URL.Query()
	d.Provider, d.Status, d.Statuses = strings.TrimSpace(q.Get("provider")), q.Get("status"), webhook.Statuses()
	if !slices.Contains(d.Statuses, d.Status) {
		d.Status = ""
	}
	keep := url.Values{}
	for _, k := range []string{"provider", "status", "page"} {
		if s := q.Get(k); s != "" {
			keep.Set(k, s)
		}
	}
	d.Query = keep.Encode()
	d.CanReplay = mirror("POST /api/v1/admin/webhooks/events/{id}/replay").allowed(v.Principal.Role)
	page := pageNumber(r)
	list, total, err := c.Office.WebhookEvents(r.Context(), webhook.Filter{Provider: d.Provider, Status: d.Status},
		contentPageSize, (page-1)*contentPageSize)
	if err != nil {
		return err
	}
	d.Items, d.Pager = list, newPager(r, page, total)
	c.render(w, status, "content_webhooks", v, d)
	return nil
}

// replayWebhook runs a stored event through its processor again (money and
// card events included): a reason and an explicit button.
func (c *Console) replayWebhook(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	ctx, msg := c.reasonContext(r, v)
	var res struct{ Failed bool }
	if msg == "" {
		out, err := c.Office.ReplayWebhookEvent(ctx, id)
		if msg, err = refusal(v, err); err != nil {
			return err
		}
		res.Failed = out.Failed
	}
	if msg != "" {
		return c.showWebhooks(w, r, v, http.StatusBadRequest, webhooksData{Error: msg})
	}
	outcome := "applied"
	if res.Failed {
		outcome = "failed"
	}
	// Back to the list as it was filtered (the form posts its query along).
	back := url.Values{}
	for _, k := range []string{"provider", "status", "page"} {
		if s := r.URL.Query().Get(k); s != "" {
			back.Set(k, s)
		}
	}
	back.Set("replayed", strconv.FormatInt(id, 10))
	back.Set("outcome", outcome)
	http.Redirect(w, r, "/console/webhooks?"+back.Encode(), http.StatusSeeOther)
	return nil
}
