package kyc

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/webhook"
)

// IssuerReview is the card issuer's KYC review port.
type IssuerReview interface {
	// ReviewKYC submits an approved identity; it returns the issuer's
	// review code (pokepay_status: 2 approved, 3/4/6 rejected, 0/1/5 pending).
	ReviewKYC(ctx context.Context, recordID int64, id Identity) (int, error)
}

// Inserter inserts jobs in a caller's transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// ReviewArgs is the job that submits a provider-approved record to the issuer.
type ReviewArgs struct {
	RecordID int64 `json:"record_id"`
}

// Kind implements river.JobArgs.
func (ReviewArgs) Kind() string { return "kyc.issuer_review" }

// InsertOpts retries the issuer for about a day; the review code 5 (manual
// review) snoozes rather than fails.
func (ReviewArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 25} }

// Review submits a record in processing to the issuer and records the
// outcome. It is idempotent: a record no longer in processing is left alone.
func (s *Service) Review(ctx context.Context, issuer IssuerReview, recordID int64) (Record, error) {
	rec, err := scanRecord(s.DB.SQL.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE id = $1`, recordID))
	if err != nil {
		return Record{}, fmt.Errorf("kyc: review record %d: %w", recordID, err)
	}
	if rec.Status != StatusProcessing {
		return rec, nil
	}
	id, err := s.Identity(ctx, s.DB.SQL, recordID)
	if err != nil {
		return Record{}, err
	}
	code, err := issuer.ReviewKYC(ctx, recordID, id)
	if err != nil {
		return Record{}, fmt.Errorf("kyc: review record %d at the issuer: %w", recordID, err)
	}
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		rec, err = s.RecordIssuerReview(ctx, tx, recordID, code)
		return err
	})
	return rec, err
}

// ReviewWorker runs Review for queued records.
type ReviewWorker struct {
	river.WorkerDefaults[ReviewArgs]
	s      *Service
	issuer IssuerReview
}

// NewReviewWorker returns the worker for ReviewArgs.
func NewReviewWorker(s *Service, issuer IssuerReview) *ReviewWorker {
	return &ReviewWorker{s: s, issuer: issuer}
}

// Work implements river.Worker.
func (w *ReviewWorker) Work(ctx context.Context, job *river.Job[ReviewArgs]) error {
	rec, err := w.s.Review(ctx, w.issuer, job.Args.RecordID)
	if err != nil {
		return err
	}
	if rec.Status == StatusProcessing {
		return river.JobSnooze(10 * time.Minute) // manual review at the issuer
	}
	return nil
}

// providerProcessor applies decisions from the inbox.
type providerProcessor struct {
	s    *Service
	jobs Inserter
}

// ProviderProcessor returns the webhook processor of provider "kyc"; an
// approval queues the issuer review in the same transaction.
func (s *Service) ProviderProcessor(jobs Inserter) webhook.Processor {
	return providerProcessor{s, jobs}
}

// Process implements webhook.Processor. Only status changes move records;
// other webhook types and statuses this service does not know are kept in
// the inbox as ignored.
func (p providerProcessor) Process(ctx context.Context, tx *sql.Tx, payload []byte) (string, error) {
	ev, err := ParseProviderEvent(payload)
	if err != nil || ev.WebhookType != WebhookStatusUpdated {
		return webhook.StateIgnored, nil
	}
	outcome, known := OutcomeOf(ev.Status, ev.Decision)
	if !known {
		return webhook.StateIgnored, nil
	}
	rec, review, matched, err := p.s.ApplyProviderOutcome(ctx, tx, ev.SessionID, ev.VendorData, outcome)
	if err != nil {
		return "", err
	}
	if !matched {
		return webhook.StateUnmatched, nil
	}
	if review {
		if _, err := p.jobs.InsertTx(ctx, tx, ReviewArgs{RecordID: rec.ID}, nil); err != nil {
			return "", fmt.Errorf("kyc: queue issuer review of record %d: %w", rec.ID, err)
		}
	}
	return webhook.StateProcessed, nil
}
