package notification

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/store"
)

// ErrNotFound is an unknown notification or another user's.
var ErrNotFound = apperr.New("NOTIFICATION_NOT_FOUND")

// Notification is a stored notification.
type Notification struct {
	ID        int64
	UserID    int64
	Type      Type
	Title     string
	Body      string
	Data      string // a JSON document as text
	Status    Status
	ReadAt    *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Reader serves a user's notifications.
type Reader struct {
	DB  *store.DB
	Now func() time.Time
}

const columns = `id, user_id, type, title, body, data, status, read_at, created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (Notification, error) {
	var (
		n    Notification
		read time.Time
	)
	if err := row.Scan(&n.ID, &n.UserID, &n.Type, &n.Title, &n.Body, &n.Data, &n.Status, store.TimeInto(&read),
		store.TimeInto(&n.CreatedAt), store.TimeInto(&n.UpdatedAt)); err != nil {
		return Notification{}, store.NotFound(err)
	}
	if !read.IsZero() {
		n.ReadAt = &read
	}
	return n, nil
}

// List returns a page of the user's notifications, newest first, and how
// many match. status "" means any.
func (r *Reader) List(ctx context.Context, userID int64, status Status, limit, offset int) ([]Notification, int, error) {
	where, args := `user_id = $1`, []any{userID}
	if status != "" {
		where, args = where+` AND status = $2`, append(args, status)
	}
	var total int
	if err := r.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("notification: count for user %d: %w", userID, err)
	}
	limitArg, offsetArg := "$2", "$3"
	if status != "" {
		limitArg, offsetArg = "$3", "$4"
	}
	rows, err := r.DB.SQL.QueryContext(ctx, `SELECT `+columns+` FROM notifications WHERE `+where+
		` ORDER BY created_at DESC, id DESC LIMIT `+limitArg+` OFFSET `+offsetArg, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("notification: list for user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("notification: list for user %d: %w", userID, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("notification: list for user %d: %w", userID, err)
	}
	return out, total, nil
}

// UnreadCount counts the user's unread notifications.
func (r *Reader) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := r.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND status = $2`, userID,
		StatusUnread).Scan(&n); err != nil {
		return 0, fmt.Errorf("notification: count unread of user %d: %w", userID, err)
	}
	return n, nil
}

// Open returns one of the user's notifications and marks it read (the
// first read sets read_at).
func (r *Reader) Open(ctx context.Context, userID, id int64) (Notification, error) {
	if err := r.MarkRead(ctx, userID, id); err != nil {
		return Notification{}, err
	}
	return r.get(ctx, userID, id)
}

// MarkRead marks one of the user's notifications read; it is idempotent.
func (r *Reader) MarkRead(ctx context.Context, userID, id int64) error {
	if _, err := r.DB.SQL.ExecContext(ctx, `UPDATE notifications SET status = $1, read_at = $2, updated_at = $2
		WHERE id = $3 AND user_id = $4 AND status = $5`, StatusRead, store.At(r.Now()), id, userID, StatusUnread); err != nil {
		return fmt.Errorf("notification: mark %d read: %w", id, err)
	}
	_, err := r.get(ctx, userID, id)
	return err
}

func (r *Reader) get(ctx context.Context, userID, id int64) (Notification, error) {
	n, err := scan(r.DB.SQL.QueryRowContext(ctx, `SELECT `+columns+` FROM notifications WHERE id = $1 AND user_id = $2`, id, userID))
	if errors.Is(err, store.ErrNotFound) {
		return Notification{}, ErrNotFound.WithDetails("No such notification")
	}
	if err != nil {
		return Notification{}, fmt.Errorf("notification: read %d: %w", id, err)
	}
	return n, nil
}

// ByID returns any notification (the push job); store.ErrNotFound when
// there is none.
func (r *Reader) ByID(ctx context.Context, id int64) (Notification, error) {
	n, err := scan(r.DB.SQL.QueryRowContext(ctx, `SELECT `+columns+` FROM notifications WHERE id = $1`, id))
	if err != nil {
		return Notification{}, fmt.Errorf("notification: read %d: %w", id, err)
	}
	return n, nil
}
