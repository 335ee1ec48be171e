package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// Operator notifications: to one user, or broadcast by a job.

// messageBody is the message part of send and broadcast.
type messageBody struct {
	Title *string         `json:"title"`
	Body  *string         `json:"body"`
	Data  json.RawMessage `json:"data"`
}

func (in messageBody) message() notification.Message {
	return notification.Message{Title: httpkit.Optional(in.Title), Body: httpkit.Optional(in.Body), Data: in.Data}
}

// sendNotification: POST /admin/notifications/send {user_id, title, body, data?}.
func (a *API) sendNotification(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var in struct {
		UserID httpkit.FlexNumber `json:"user_id"`
		messageBody
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	userID := f.ID("user_id", in.UserID)
	if err := f.Err(); err != nil {
		return err
	}
	id, err := a.Office.SendNotification(r.Context(), userID, in.message())
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct {
		NotificationID int64 `json:"notification_id"`
		UserID         int64 `json:"user_id"`
	}{id, userID})
}

type audienceView struct {
	Status         string     `json:"status"`
	Language       string     `json:"language"`
	RegisteredFrom *time.Time `json:"registered_from"`
	RegisteredTo   *time.Time `json:"registered_to"`
}

type broadcastView struct {
	ID              int64        `json:"id"`
	Status          string       `json:"status"`
	Title           string       `json:"title"`
	Body            string       `json:"body"`
	Data            string       `json:"data"`
	Filter          audienceView `json:"filter"`
	Total           int          `json:"total"`
	Sent            int          `json:"sent"`
	ProgressPercent int          `json:"progress_percent"`
	LastError       string       `json:"last_error"`
	CreatedBy       int64        `json:"created_by"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
	CompletedAt     *time.Time   `json:"completed_at"`
}

func viewBroadcast(b notification.Broadcast) broadcastView {
	v := broadcastView{ID: b.ID, Status: string(b.Status), Title: b.Message.Title, Body: b.Message.Body, Data: string(b.Message.Data),
		Filter: audienceView{Status: b.Audience.Status, Language: b.Audience.Language, RegisteredFrom: b.Audience.RegisteredFrom,
			RegisteredTo: b.Audience.RegisteredTo},
		Total: b.Total, Sent: b.Sent, LastError: b.LastError, CreatedBy: b.CreatedBy, CreatedAt: b.CreatedAt.UTC(), UpdatedAt: b.UpdatedAt.UTC()}
	switch {
	case b.Status == notification.BroadcastCompleted:
		v.ProgressPercent = 100
	case b.Total > 0:
		v.ProgressPercent = min(99, b.Sent*100/b.Total)
	}
	if b.CompletedAt != nil {
		at := b.CompletedAt.UTC()
		v.CompletedAt = &at
	}
	return v
}

// broadcast: POST /admin/notifications/broadcast {title, body, data?,
// filter?} with an optional Idempotency-Key: 202 with the broadcast, whose
// job sends it in batches; GET /admin/notifications/broadcasts/{id} shows
// its progress.
func (a *API) broadcast(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !idempotency.ValidKey(key) {
		return apperr.Validation(map[string]string{"Idempotency-Key": "must be 8–128 characters of A-Z a-z 0-9 : _ . -"})
	}
	var in struct {
		messageBody
		Filter *struct {
			Status         *string `json:"status"`
			Language       *string `json:"language"`
			RegisteredFrom *string `json:"registered_from"`
			RegisteredTo   *string `json:"registered_to"`
		} `json:"filter"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	var aud notification.Audience
	if in.Filter != nil {
		f := httpkit.NewFields()
		aud = notification.Audience{Status: httpkit.Optional(in.Filter.Status), Language: httpkit.Optional(in.Filter.Language),
			RegisteredFrom: timeField(f, "filter.registered_from", in.Filter.RegisteredFrom),
			RegisteredTo:   timeField(f, "filter.registered_to", in.Filter.RegisteredTo)}
		if err := f.Err(); err != nil {
			return err
		}
	}
	b, replayed, err := a.Office.Broadcast(r.Context(), in.message(), aud, key)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return ok(w, r, http.StatusAccepted, viewBroadcast(b))
}

// listBroadcasts: GET /admin/notifications/broadcasts.
func (a *API) listBroadcasts(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	list, total, err := a.Office.Broadcasts(r.Context(), size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewBroadcast, pageNo, size, total))
}

// getBroadcast: GET /admin/notifications/broadcasts/{id}: its progress.
func (a *API) getBroadcast(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", notification.ErrBroadcastNotFound)
	if err != nil {
		return err
	}
	b, err := a.Office.BroadcastByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewBroadcast(b))
}
