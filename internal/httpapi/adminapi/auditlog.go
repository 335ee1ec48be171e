package adminapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type auditView struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorType  string    `json:"actor_type"`
	ActorID    int64     `json:"actor_id"`
	Actor      string    `json:"actor"`
	ActorRole  string    `json:"actor_role"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	Before     *string   `json:"before"`
	After      *string   `json:"after"`
	Reason     string    `json:"reason"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	RequestID  string    `json:"request_id"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// auditLogs: GET /admin/audit-logs?actor=&actor_type=&action=&target_type=&target=&from=&to=
// (actor: an operator id; action: exact, or a prefix ending in "."; from/to:
// RFC 3339 times, to exclusive).
func (a *API) auditLogs(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := httpkit.NewFields()
	filter := audit.Filter{ActorType: audit.ActorType(q.Get("actor_type")), Action: q.Get("action"),
		TargetType: q.Get("target_type"), TargetID: q.Get("target")}
	if v := q.Get("actor"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.Add("actor", "an operator id")
		}
		filter.ActorID = id
	}
	for name, dst := range map[string]*time.Time{"from": &filter.From, "to": &filter.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				f.Add(name, "an RFC 3339 time, e.g. 2026-12-01T00:00:00Z")
			}
			*dst = t
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	rows, total, err := a.Audit.List(r.Context(), filter, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	items := make([]auditView, 0, len(rows))
	for _, x := range rows {
		items = append(items, auditView{ID: x.ID, At: x.At, ActorType: string(x.Actor.Type), ActorID: x.Actor.ID,
			Actor: x.Actor.Label, ActorRole: x.Actor.Role, Action: x.Action, TargetType: x.TargetType, TargetID: x.TargetID,
			Before: nullable(x.Before), After: nullable(x.After), Reason: x.Reason, IP: x.Actor.IP,
			UserAgent: x.Actor.UserAgent, RequestID: x.Actor.RequestID})
	}
	return ok(w, r, http.StatusOK, newPage(items, pageNo, size, total))
}
