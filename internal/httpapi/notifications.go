package httpapi

import (
	"net/http"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/notification"
)

// notificationJSON is the notification object of API.md §2.8; data stays a
// JSON document serialised as a string.
type notificationJSON struct {
	ID        int64               `json:"id"`
	UserID    int64               `json:"user_id"`
	Title     string              `json:"title"`
	Body      string              `json:"body"`
	Status    notification.Status `json:"status"`
	Type      notification.Type   `json:"type"`
	Data      string              `json:"data"`
	ReadAt    *string             `json:"read_at"`
	CreatedAt string              `json:"created_at"`
	UpdatedAt string              `json:"updated_at"`
}

func toNotificationJSON(n notification.Notification) notificationJSON {
	return notificationJSON{n.ID, n.UserID, n.Title, n.Body, n.Status, n.Type, n.Data, optTime(n.ReadAt), rfc3339(n.CreatedAt),
		rfc3339(n.UpdatedAt)}
}

// listNotifications serves GET /notifications (limit/offset paging).
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	q := r.URL.Query()
	f := httpkit.NewFields()
	limit, offset := 20, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			f.Add("limit", "must be a positive integer")
		}
		limit = min(n, 100)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			f.Add("offset", "must be a non-negative integer")
		}
		offset = n
	}
	status := notification.Status(q.Get("status"))
	if status != "" && status != notification.StatusUnread && status != notification.StatusRead {
		f.Add("status", "must be unread or read")
	}
	if err := f.Err(); err != nil {
		return err
	}
	list, total, err := s.Notifications.List(r.Context(), p.UserID, status, limit, offset)
	if err != nil {
		return err
	}
	out := make([]notificationJSON, 0, len(list))
	for _, n := range list {
		out = append(out, toNotificationJSON(n))
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Count         int                `json:"count"`
		Total         int                `json:"total"`
		Notifications []notificationJSON `json:"notifications"`
	}{httpkit.OKA(r, "OK"), len(out), total, out})
	return nil
}

// unreadNotifications serves GET /notifications/unread-count.
func (s *Server) unreadNotifications(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	n, err := s.Notifications.UnreadCount(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Count int `json:"count"`
	}{httpkit.OKA(r, "OK"), n})
	return nil
}

func notificationID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notification.ErrNotFound.WithDetails("No such notification")
	}
	return id, nil
}

// openNotification serves GET /notifications/{id}: it marks it read.
func (s *Server) openNotification(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	id, err := notificationID(r)
	if err == nil {
		var n notification.Notification
		if n, err = s.Notifications.Open(r.Context(), p.UserID, id); err == nil {
			httpkit.WriteJSON(w, http.StatusOK, struct {
				httpkit.EnvelopeA
				Notification notificationJSON `json:"notification"`
			}{httpkit.OKA(r, "OK"), toNotificationJSON(n)})
			return nil
		}
	}
	return err
}

// readNotification serves PUT /notifications/{id}/read (idempotent).
func (s *Server) readNotification(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	id, err := notificationID(r)
	if err == nil {
		err = s.Notifications.MarkRead(r.Context(), p.UserID, id)
	}
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKA(r, "Operation successful"))
	return nil
}
