package adminapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// The webhook inbox: stored provider events (never their payloads) and
// their replay.

type webhookEventView struct {
	ID            int64      `json:"id"`
	Provider      string     `json:"provider"`
	EventKey      string     `json:"event_key"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error"`
	PayloadLength int        `json:"payload_length"`
	ReceivedAt    time.Time  `json:"received_at"`
	ProcessedAt   *time.Time `json:"processed_at"`
}

func viewWebhookEvent(e webhook.Event) webhookEventView {
	v := webhookEventView{ID: e.ID, Provider: e.Provider, EventKey: e.EventKey, Status: e.Status(), Attempts: e.Attempts,
		LastError: e.LastError, PayloadLength: e.PayloadLength, ReceivedAt: e.ReceivedAt.UTC()}
	if e.ProcessedAt != nil {
		at := e.ProcessedAt.UTC()
		v.ProcessedAt = &at
	}
	return v
}

// webhookEvents: GET /admin/webhooks/events?provider=&status=.
func (a *API) webhookEvents(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := webhook.Filter{Provider: q.Get("provider"), Status: q.Get("status")}
	if filter.Status != "" && !slices.Contains(webhook.Statuses(), filter.Status) {
		return apperr.Validation(map[string]string{"status": "must be received, processed, unmatched, ignored or failed"})
	}
	list, total, err := a.Office.WebhookEvents(r.Context(), filter, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewWebhookEvent, pageNo, size, total))
}

// replayWebhookEvent: POST /admin/webhooks/events/{id}/replay. 200 either
// way: outcome "applied" (the event's status after) or "failed" (the
// processor's error in last_error, its effects rolled back).
func (a *API) replayWebhookEvent(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", webhook.ErrEventNotFound)
	if err != nil {
		return err
	}
	res, err := a.Office.ReplayWebhookEvent(r.Context(), id)
	if err != nil {
		return err
	}
	outcome := "applied"
	if res.Failed {
		outcome = "failed"
	}
	return ok(w, r, http.StatusOK, struct {
		Outcome string           `json:"outcome"`
		Event   webhookEventView `json:"event"`
	}{outcome, viewWebhookEvent(res.Event)})
}
