package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Push is one message to one device.
type Push struct {
	Token string
	Title string
	Body  string
	// Data carries the notification's data keys as strings (FCM data
	// values are strings), plus notification_id.
	Data map[string]string
}

// Pusher is the push provider port (FCM in production, a recorder in
// sandbox mode).
type Pusher interface {
	Push(ctx context.Context, p Push) error
}

// ErrInvalidToken is a token the provider will never deliver to again
// (app uninstalled, token rotated): the device is disabled, not retried.
var ErrInvalidToken = errors.New("push: device token is no longer valid")

// ErrRejected is a message the provider refuses whatever the device (too
// large, reserved data key): it is dropped for that device, not retried.
var ErrRejected = errors.New("push: message rejected by the provider")

// PushWorker pushes a notification to every enabled device of its user.
// Devices already reached are skipped on a retry; a device whose token is
// invalid is disabled; any other failure fails the job, which River retries
// with backoff.
type PushWorker struct {
	river.WorkerDefaults[notification.PushArgs]
	db     *store.DB
	reader *notification.Reader
	pusher Pusher
	log    *slog.Logger
	now    func() time.Time
}

// NewPushWorker returns the worker for notification.PushArgs.
func NewPushWorker(db *store.DB, pusher Pusher, log *slog.Logger, now func() time.Time) *PushWorker {
	return &PushWorker{db: db, reader: &notification.Reader{DB: db, Now: now}, pusher: pusher, log: log, now: now}
}

// Timeout bounds one round of pushes.
func (w *PushWorker) Timeout(*river.Job[notification.PushArgs]) time.Duration { return time.Minute }

// Work implements river.Worker.
func (w *PushWorker) Work(ctx context.Context, job *river.Job[notification.PushArgs]) error {
	n, err := w.reader.ByID(ctx, job.Args.NotificationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	devices, err := w.pending(ctx, n)
	if err != nil {
		return fmt.Errorf("notify: push notification %d: %w", n.ID, err)
	}
	data := pushData(n)
	var failed int
	for _, d := range devices {
		err := w.pusher.Push(ctx, Push{Token: d.token, Title: n.Title, Body: n.Body, Data: data})
		switch {
		case err == nil:
			err = w.record(ctx, n.ID, d.id, "sent", "")
		case errors.Is(err, ErrInvalidToken):
			w.log.InfoContext(ctx, "push token invalid: device disabled", "device_id", d.id)
			err = w.disable(ctx, n.ID, d.id)
		case errors.Is(err, ErrRejected):
			w.log.WarnContext(ctx, "push message rejected by the provider", "notification_id", n.ID, "error", err)
			err = w.record(ctx, n.ID, d.id, "rejected", "")
		default:
			w.log.WarnContext(ctx, "push failed; will retry", "device_id", d.id, "error", err)
			failed++
			err = nil
		}
		if err != nil {
			return fmt.Errorf("notify: push notification %d: %w", n.ID, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("push: %d of %d devices failed", failed, len(devices))
	}
	return nil
}

type pendingDevice struct {
	id    int64
	token string
}

// pending lists the user's enabled devices this notification has not reached.
func (w *PushWorker) pending(ctx context.Context, n notification.Notification) ([]pendingDevice, error) {
	rows, err := w.db.SQL.QueryContext(ctx, `SELECT d.id, d.fcm_token FROM push_devices d
		WHERE d.user_id = $1 AND d.enabled AND NOT EXISTS (SELECT 1 FROM push_deliveries p WHERE p.notification_id = $2 AND p.device_id = d.id)
		ORDER BY d.id`, n.UserID, n.ID)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	defer rows.Close()
	var out []pendingDevice
	for rows.Next() {
		var d pendingDevice
		if err := rows.Scan(&d.id, &d.token); err != nil {
			return nil, fmt.Errorf("list devices: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return out, nil
}

func (w *PushWorker) record(ctx context.Context, notificationID, deviceID int64, status, reason string) error {
	if _, err := w.db.SQL.ExecContext(ctx, `INSERT INTO push_deliveries (notification_id, device_id, status, error, sent_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notification_id, device_id) DO NOTHING`, notificationID, deviceID, status, reason,
		store.At(w.now())); err != nil {
		return fmt.Errorf("record delivery to device %d: %w", deviceID, err)
	}
	return nil
}

func (w *PushWorker) disable(ctx context.Context, notificationID, deviceID int64) error {
	err := w.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE push_devices SET enabled = FALSE WHERE id = $1`, deviceID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO push_deliveries (notification_id, device_id, status, error, sent_at)
			VALUES ($1, $2, 'invalid_token', '', $3) ON CONFLICT (notification_id, device_id) DO NOTHING`, notificationID, deviceID,
			store.At(w.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("disable device %d: %w", deviceID, err)
	}
	return nil
}

// reservedDataKey reports the data keys FCM reserves.
func reservedDataKey(k string) bool {
	switch k {
	case "from", "message_type", "collapse_key", "notification":
		return true
	}
	return strings.HasPrefix(k, "google.") || strings.HasPrefix(k, "gcm.")
}

// pushData flattens the notification's data document into string values
// (API.md §3.6: the push data carries the same keys and values).
func pushData(n notification.Notification) map[string]string {
	out := map[string]string{"notification_id": fmt.Sprint(n.ID), "type": string(n.Type)}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(n.Data), &doc); err != nil {
		return out
	}
	for k, v := range doc {
		if reservedDataKey(k) {
			continue // FCM refuses the whole message for these
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		} else {
			out[k] = string(v)
		}
	}
	return out
}
