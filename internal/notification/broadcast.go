package notification

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/store"
)

// BroadcastStatus is how far a broadcast got.
type BroadcastStatus string

// Broadcast statuses: queued (its job has not started) → sending → completed.
const (
	BroadcastQueued    BroadcastStatus = "queued"
	BroadcastSending   BroadcastStatus = "sending"
	BroadcastCompleted BroadcastStatus = "completed"
)

// ErrBroadcastNotFound is an unknown broadcast id.
var ErrBroadcastNotFound = apperr.New(apperr.CodeNotFound).WithDetails("No broadcast has this id")

// Broadcast is an operator message to an audience and its progress.
type Broadcast struct {
	ID       int64
	Message  Message
	Audience Audience
	Status   BroadcastStatus
	// Total is the audience's size when the broadcast was made; Sent
	// counts the notifications created so far. They may differ by the
	// users whose status or language changed in between.
	Total      int
	Sent       int
	Cursor     int64 // the last user id done
	LastUserID int64 // the audience's bound: users registered later are not in it
	// LastError is why the last batch failed ("" once one succeeds); the
	// job retries it.
	LastError   string
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
}

// NewBroadcast is a broadcast to make.
type NewBroadcast struct {
	Message  Message
	Audience Audience
	// Total and LastUserID: the audience's size and bound now (the
	// account domain counts them in the same transaction).
	Total      int
	LastUserID int64
	CreatedBy  int64
	// IdempotencyKey, when set, makes a retry of the request find the
	// broadcast it made instead of sending everything again.
	IdempotencyKey string
}

// BroadcastArgs is the job that sends a broadcast in batches.
type BroadcastArgs struct {
	BroadcastID int64 `json:"broadcast_id"`
}

// Kind implements river.JobArgs.
func (BroadcastArgs) Kind() string { return "notification.broadcast" }

// InsertOpts: a batch that keeps failing is retried for about a day, like
// a push.
func (BroadcastArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

const broadcastColumns = `id, title, body, data, audience, status, total, sent, cursor_user_id, last_user_id, last_error,
	created_by, created_at, updated_at, completed_at`

func scanBroadcast(row interface{ Scan(...any) error }) (Broadcast, error) {
	var (
		b             Broadcast
		data, aud     string
		completedAt   time.Time
		total, sent   int64
		cursor, bound int64
	)
	err := row.Scan(&b.ID, &b.Message.Title, &b.Message.Body, &data, &aud, &b.Status, &total, &sent, &cursor, &bound,
		&b.LastError, &b.CreatedBy, store.TimeInto(&b.CreatedAt), store.TimeInto(&b.UpdatedAt), store.TimeInto(&completedAt))
	if err != nil {
		return Broadcast{}, store.NotFound(err)
	}
	b.Message.Data = json.RawMessage(data)
	if err := json.Unmarshal([]byte(aud), &b.Audience); err != nil {
		return Broadcast{}, fmt.Errorf("audience of broadcast %d: %w", b.ID, err)
	}
	b.Total, b.Sent, b.Cursor, b.LastUserID = int(total), int(sent), cursor, bound
	if !completedAt.IsZero() {
		b.CompletedAt = &completedAt
	}
	return b, nil
}

// fingerprint identifies what a broadcast says and to whom, so a retried
// key is told apart from a reused one.
func (nb NewBroadcast) fingerprint(audience []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(nb.Message.Title), []byte(nb.Message.Body), nb.Message.Data, audience} {
		fmt.Fprintf(h, "%d:", len(part))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// StartBroadcast records a broadcast and queues its job, both in the
// caller's transaction, so the job exists exactly when the broadcast does.
// replayed reports a broadcast found by its idempotency key (nothing new
// was made); the same key with another message or audience is
// IDEMPOTENCY_CONFLICT.
func (s *Store) StartBroadcast(ctx context.Context, tx *sql.Tx, nb NewBroadcast) (b Broadcast, replayed bool, err error) {
	msg, errMsg := nb.Message.Check()
	if err := validation(errMsg, nb.Audience.Check()); err != nil {
		return Broadcast{}, false, err
	}
	nb.Message = msg
	aud, err := json.Marshal(nb.Audience)
	if err != nil {
		return Broadcast{}, false, fmt.Errorf("notification: broadcast audience: %w", err)
	}
	fp := nb.fingerprint(aud)
	if nb.IdempotencyKey != "" {
		var (
			priorID int64
			priorFP string
		)
		err := tx.QueryRowContext(ctx, `SELECT id, fingerprint FROM notification_broadcasts WHERE created_by = $1 AND idempotency_key = $2`,
			nb.CreatedBy, nb.IdempotencyKey).Scan(&priorID, &priorFP)
		switch {
		case err == nil && priorFP != fp:
			return Broadcast{}, false, errKeyReused
		case err == nil:
			b, err := s.Broadcast(ctx, tx, priorID)
			return b, true, err
		case !errors.Is(err, sql.ErrNoRows):
			return Broadcast{}, false, fmt.Errorf("notification: broadcast key: %w", err)
		}
	}
	now := s.Now()
	status := BroadcastQueued
	if nb.Total == 0 {
		status = BroadcastCompleted
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO notification_broadcasts (title, body, data, audience, status, total, last_user_id,
		created_by, idempotency_key, fingerprint, created_at, updated_at, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id`,
		msg.Title, msg.Body, string(msg.Data), string(aud), status, nb.Total, nb.LastUserID, nb.CreatedBy, nb.IdempotencyKey, fp,
		store.At(now), nullIf(status == BroadcastCompleted, now)).Scan(&id)
	if store.IsUniqueViolation(err) {
		// The same key is being used by a request still in flight.
		return Broadcast{}, false, idempotency.ErrInProgress.WithDetails("A broadcast with this Idempotency-Key is being made").
			WithRetryAfter(time.Second)
	}
	if err != nil {
		return Broadcast{}, false, fmt.Errorf("notification: start broadcast: %w", err)
	}
	if status == BroadcastQueued {
		if _, err := s.Jobs.InsertTx(ctx, tx, BroadcastArgs{BroadcastID: id}, nil); err != nil {
			return Broadcast{}, false, fmt.Errorf("notification: queue broadcast %d: %w", id, err)
		}
	}
	b, err = s.Broadcast(ctx, tx, id)
	return b, false, err
}

func nullIf(set bool, t time.Time) store.NullMicros {
	if !set {
		return store.NullAt(time.Time{})
	}
	return store.NullAt(t)
}

// validation joins the field errors of several checks into one
// VALIDATION_FAILED; any other error is returned as it is.
func validation(errs ...error) error {
	all := apperr.Fields{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.CodeValidation {
			return err
		}
		for k, v := range e.Fields {
			all.Add(k, v)
		}
	}
	return all.Err()
}

// Broadcast returns one broadcast with its progress.
func (s *Store) Broadcast(ctx context.Context, q store.Querier, id int64) (Broadcast, error) {
	b, err := scanBroadcast(q.QueryRowContext(ctx, `SELECT `+broadcastColumns+` FROM notification_broadcasts WHERE id = $1`, id))
	if errors.Is(err, store.ErrNotFound) {
		return Broadcast{}, ErrBroadcastNotFound
	}
	if err != nil {
		return Broadcast{}, fmt.Errorf("notification: broadcast %d: %w", id, err)
	}
	return b, nil
}

// Broadcasts is one page of the broadcasts, newest first, and how many
// there are.
func (s *Store) Broadcasts(ctx context.Context, q store.Querier, limit, offset int) ([]Broadcast, int, error) {
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notification_broadcasts`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("notification: count broadcasts: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+broadcastColumns+` FROM notification_broadcasts ORDER BY id DESC LIMIT $1 OFFSET $2`,
		limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("notification: list broadcasts: %w", err)
	}
	defer rows.Close()
	var out []Broadcast
	for rows.Next() {
		b, err := scanBroadcast(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("notification: list broadcasts: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("notification: list broadcasts: %w", err)
	}
	return out, total, nil
}

var errKeyReused = idempotency.ErrConflict.WithDetails("This Idempotency-Key was used for a different broadcast")
