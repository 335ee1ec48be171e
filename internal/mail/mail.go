// Package mail queues e-mails as durable jobs and delivers them through a
// provider port. Job arguments are sealed, so codes and addresses never sit in
// the job table in clear text.
package mail

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/platform/secret"
)

// Message is one e-mail. OTP, when set, is the code the body carries; only
// the sandbox outbox reads it (tests and the sandbox API show it).
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	OTP     string `json:"otp,omitempty"`
}

// Sender is the e-mail provider port.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SendArgs is the job that delivers one message.
type SendArgs struct {
	Sealed string `json:"sealed"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return "mail.send" }

// InsertOpts makes delivery retry for about a day with River's backoff.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 20, Queue: "mail"}
}

// Inserter inserts jobs in a caller's transaction (river.Client satisfies it).
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

var sealAD = []byte("mail.send")

// Queue enqueues messages.
type Queue struct {
	jobs Inserter
	box  *secret.Box
}

// NewQueue returns a Queue inserting through jobs.
func NewQueue(jobs Inserter, box *secret.Box) *Queue { return &Queue{jobs: jobs, box: box} }

// EnqueueTx queues m in tx: it is sent only if tx commits.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("mail: enqueue tx: %w", err)
	}
	if _, err := q.jobs.InsertTx(ctx, tx, SendArgs{Sealed: q.box.Seal(b, sealAD)}, nil); err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

// Worker delivers queued messages.
type Worker struct {
	river.WorkerDefaults[SendArgs]
	sender Sender
	box    *secret.Box
	log    *slog.Logger
}

// NewWorker returns a Worker sending through sender.
func NewWorker(sender Sender, box *secret.Box, log *slog.Logger) *Worker {
	return &Worker{sender: sender, box: box, log: log}
}

// Timeout bounds one delivery attempt.
func (w *Worker) Timeout(*river.Job[SendArgs]) time.Duration { return 30 * time.Second }

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	pt, err := w.box.Open(job.Args.Sealed, sealAD)
	if err != nil {
		// A message sealed with a retired key can never be sent: do not retry.
		w.log.Error("mail job cannot be opened", "job_id", job.ID)
		return river.JobCancel(fmt.Errorf("mail: work: %w", err))
	}
	var m Message
	if err := json.Unmarshal(pt, &m); err != nil {
		return river.JobCancel(fmt.Errorf("mail: work: %w", err))
	}
	if err := w.sender.Send(ctx, m); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	w.log.Info("mail sent", "job_id", job.ID, "to", MaskAddress(m.To), "subject", m.Subject)
	return nil
}

// MaskAddress keeps an address recognisable in logs without revealing it:
// "alice@example.com" → "a***@example.com".
func MaskAddress(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}
