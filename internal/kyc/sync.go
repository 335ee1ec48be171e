package kyc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Pulling a session's result from the provider covers what webhooks
// cannot: a delivery that never came, and the one move deliveries never
// make because their order is unknown — a record under review whose session
// the provider handed back to the user (Resubmitted, Awaiting User). The
// provider's current status is authoritative, so the pull may make it.

// SyncArgs pulls one record's session result.
type SyncArgs struct {
	RecordID int64 `json:"record_id"`
}

// Kind implements river.JobArgs.
func (SyncArgs) Kind() string { return "kyc.sync_session" }

// InsertOpts keeps one pull per record queued at a time.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// pullable are the states whose outcome the provider still decides.
func pullable(s RecordStatus) bool { return s == StatusPendingSubmit || s == StatusPending }

// SyncSession reads the provider's current status of a record's session
// and applies it: forward as a webhook would, or from pending back to
// pending_submit when the provider waits for the user again. The provider
// is called outside any transaction. A record without a session, or
// already past the provider's part, is left alone.
func (s *Service) SyncSession(ctx context.Context, jobs Inserter, recordID int64) (Record, error) {
	rec, err := s.Record(ctx, s.DB.SQL, recordID)
	if err != nil || rec.SessionID == "" || !pullable(rec.Status) {
		return rec, err
	}
	o, err := s.Provider.Result(ctx, rec.SessionID)
	if err != nil {
		return rec, fmt.Errorf("kyc: pull the result of record %d: %w", recordID, err)
	}
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE id = $1`+s.DB.ForUpdate(), recordID))
		if err != nil {
			return err
		}
		rec = cur
		backToUser := cur.Status == StatusPending && o.Status == StatusPendingSubmit
		if !advances(cur, o) && !backToUser {
			return nil
		}
		var review bool
		if rec, review, _, err = s.moveToOutcome(ctx, tx, cur, o); err != nil || !review {
			return err
		}
		if _, err := jobs.InsertTx(ctx, tx, ReviewArgs{RecordID: rec.ID}, nil); err != nil {
			return fmt.Errorf("queue issuer review: %w", err)
		}
		return nil
	})
	if err != nil {
		return Record{}, fmt.Errorf("kyc: apply the pulled result of record %d: %w", recordID, err)
	}
	return rec, nil
}

// SyncWorker runs SyncSession. A provider asking to slow down snoozes the
// job for the delay it gave instead of spending an attempt.
type SyncWorker struct {
	river.WorkerDefaults[SyncArgs]
	s    *Service
	jobs Inserter
}

// NewSyncWorker returns the worker for SyncArgs.
func NewSyncWorker(s *Service, jobs Inserter) *SyncWorker { return &SyncWorker{s: s, jobs: jobs} }

// Work implements river.Worker.
func (w *SyncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	_, err := w.s.SyncSession(ctx, w.jobs, job.Args.RecordID)
	if d, ok := RetryAfter(err); ok {
		return river.JobSnooze(d)
	}
	if errors.Is(err, ErrNoProviderResult) || errors.Is(err, ErrProviderUnknownSession) {
		return nil // nothing to learn by asking again
	}
	return err
}

// SyncStaleArgs is the periodic sweep that queues a pull for each open
// record the provider has not moved for a while.
type SyncStaleArgs struct{}

// Kind implements river.JobArgs.
func (SyncStaleArgs) Kind() string { return "kyc.sync_stale" }

// Sweep bounds: a record quiet for StaleAfter is pulled; sessions older
// than PullFor are the provider's expired ones and no longer asked about
// (they stay open until the provider's Expired/Abandoned arrives or an
// operator acts); SweepBatch keeps one sweep well under the provider's
// rate limit.
const (
	StaleAfter = 30 * time.Minute
	PullFor    = 7 * 24 * time.Hour
	SweepBatch = 100
)

// QueueStaleSyncs queues a SyncArgs for each open record with a session
// that nothing moved for StaleAfter, and reports how many.
func (s *Service) QueueStaleSyncs(ctx context.Context, jobs Inserter) (int, error) {
	now := s.Now()
	n := 0
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM kyc_records WHERE status IN ($1, $2) AND session_id <> ''
			AND updated_at < $3 AND session_created_at > $4 ORDER BY updated_at LIMIT $5`,
			StatusPendingSubmit, StatusPending, store.At(now.Add(-StaleAfter)), store.At(now.Add(-PullFor)), SweepBatch)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				_ = rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := jobs.InsertTx(ctx, tx, SyncArgs{RecordID: id}, nil); err != nil {
				return err
			}
		}
		n = len(ids)
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("kyc: queue pulls of stale records: %w", err)
	}
	return n, nil
}

// SyncStaleWorker runs QueueStaleSyncs.
type SyncStaleWorker struct {
	river.WorkerDefaults[SyncStaleArgs]
	s    *Service
	jobs Inserter
}

// NewSyncStaleWorker returns the worker for SyncStaleArgs.
func NewSyncStaleWorker(s *Service, jobs Inserter) *SyncStaleWorker {
	return &SyncStaleWorker{s: s, jobs: jobs}
}

// Work implements river.Worker.
func (w *SyncStaleWorker) Work(ctx context.Context, _ *river.Job[SyncStaleArgs]) error {
	_, err := w.s.QueueStaleSyncs(ctx, w.jobs)
	return err
}
