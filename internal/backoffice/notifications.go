package backoffice

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Operator notifications: one user, or a broadcast sent by a job.

// messageState is an operator message as the audit log keeps it: what was
// said (the operator's own words) and the data's size, not its content.
type messageState struct {
	Title     string `json:"title"`
	Body      string `json:"body"`
	DataBytes int    `json:"data_bytes"`
}

func messageOf(m notification.Message) messageState {
	return messageState{Title: m.Title, Body: m.Body, DataBytes: len(m.Data)}
}

// SendNotification notifies one user (and pushes it, like every
// notification). A closed account gets nothing: INVALID_STATE.
func (s *Service) SendNotification(ctx context.Context, userID int64, m notification.Message) (int64, error) {
	m, err := m.Check()
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.audited(ctx, audit.Entry{Action: "notification.send", TargetType: "user", TargetID: fmt.Sprint(userID)},
		func(tx *sql.Tx) (any, any, error) {
			status, err := s.Accounts.AccountStatus(ctx, tx, userID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return nil, nil, account.ErrUserNotFound
			case err != nil:
				return nil, nil, err
			case status == account.StatusDeactivated:
				return nil, nil, apperr.New(apperr.CodeInvalidState).WithDetails("The account is closed")
			}
			id, err = s.ContentDeps.Notifications.SendOperatorMessage(ctx, tx, userID, m)
			return nil, struct {
				NotificationID int64 `json:"notification_id"`
				messageState
			}{id, messageOf(m)}, err
		})
	return id, err
}

type broadcastState struct {
	BroadcastID int64                        `json:"broadcast_id"`
	Audience    notification.Audience        `json:"audience"`
	Total       int                          `json:"total"`
	Status      notification.BroadcastStatus `json:"status"`
	messageState
}

// Broadcast records a broadcast to the users of audience (fixed now: those
// registered later are not in it) and queues the job that sends it in
// batches, in one transaction. With an idempotency key, a retry finds the
// broadcast the first request made (replayed, nothing new, no audit row)
// instead of notifying everyone twice.
func (s *Service) Broadcast(ctx context.Context, m notification.Message, aud notification.Audience, key string) (b notification.Broadcast, replayed bool, err error) {
	if _, err := m.Check(); err != nil {
		return notification.Broadcast{}, false, err
	}
	if err := aud.Check(); err != nil {
		return notification.Broadcast{}, false, err
	}
	err = s.auditedTarget(ctx, audit.Entry{Action: "notification.broadcast", TargetType: "broadcast"},
		func(tx *sql.Tx) (string, any, any, error) {
			total, last, err := s.Accounts.AudienceSize(ctx, tx, aud)
			if err != nil {
				return "", nil, nil, err
			}
			b, replayed, err = s.ContentDeps.Notifications.StartBroadcast(ctx, tx, notification.NewBroadcast{Message: m, Audience: aud,
				Total: total, LastUserID: last, CreatedBy: actorID(ctx), IdempotencyKey: key})
			if err == nil && replayed {
				err = errReplayed
			}
			return fmt.Sprint(b.ID), nil, broadcastState{BroadcastID: b.ID, Audience: aud, Total: b.Total, Status: b.Status,
				messageState: messageOf(b.Message)}, err
		})
	if errors.Is(err, errReplayed) {
		return b, true, nil
	}
	return b, false, err
}

// errReplayed rolls back the audit row of a request that made nothing.
var errReplayed = errors.New("replayed")

// Broadcasts lists broadcasts with their progress, newest first.
func (s *Service) Broadcasts(ctx context.Context, limit, offset int) ([]notification.Broadcast, int, error) {
	return s.ContentDeps.Notifications.Broadcasts(ctx, s.DB.SQL, limit, offset)
}

// BroadcastByID returns one broadcast with its progress.
func (s *Service) BroadcastByID(ctx context.Context, id int64) (notification.Broadcast, error) {
	return s.ContentDeps.Notifications.Broadcast(ctx, s.DB.SQL, id)
}
