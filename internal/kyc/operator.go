package kyc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/store"
)

// The operators' review queue (API.md §5, §3.4.1). Records are listed and
// read without the identity; the identity is opened only in the
// transaction of an audited reveal (Identity with that tx).

// ErrRecordNotFound: no KYC record has the id.
var ErrRecordNotFound = apperr.New(apperr.CodeNotFound).WithDetails("No such KYC record")

// errNotDecidable: operators decide records under review only.
var errNotDecidable = apperr.New(apperr.CodeInvalidState)

// ValidStatus reports whether s is a record status.
func ValidStatus(s RecordStatus) bool { _, ok := rank[s]; return ok }

// RecordFilter selects records of the review queue.
type RecordFilter struct {
	Status RecordStatus // "" = any
	UserID int64        // 0 = any
}

// Records lists records, newest first, and the total.
func (s *Service) Records(ctx context.Context, f RecordFilter, limit, offset int) ([]Record, int, error) {
	var c store.Conds
	c.Eq("status", f.Status, f.Status != "")
	c.Eq("user_id", f.UserID, f.UserID != 0)
	where, args := c.Where()
	out, total, err := store.Page(ctx, s.DB.SQL, recordColumns, `FROM kyc_records`+where, args, `id DESC`, limit, offset, scanRecord)
	if err != nil {
		return nil, 0, fmt.Errorf("kyc: records: %w", err)
	}
	return out, total, nil
}

// Record returns one record, as of q.
func (s *Service) Record(ctx context.Context, q store.Querier, id int64) (Record, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE id = $1`, id))
	if err != nil {
		return Record{}, fmt.Errorf("kyc: record %d: %w", id, notFound(err))
	}
	return r, nil
}

func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrRecordNotFound
	}
	return err
}

// Decidable reports whether operators may decide a record in this status.
func Decidable(s RecordStatus) bool { return s == StatusPending || s == StatusProcessing }

// Decision is an operator's decision on a record.
type Decision struct {
	Approve bool
	// FailReason is what a rejected user reads ("" = a standard text); the
	// operator's own reason stays in the audit log.
	FailReason string
}

// DefaultRejectReason is what a user rejected by an operator reads when
// the operator gives no text for them.
const DefaultRejectReason = "Rejected after a manual review"

// DecideTx applies an operator's decision to a record under review, in the
// caller's transaction, with the effects of the provider's decision:
//   - reject: the record is rejected and the user notified (kyc_result),
//     whether the provider or the issuer was still reviewing;
//   - approve: the provider's part is done — a pending record moves to
//     processing and the card issuer's review is queued, exactly as after
//     the provider's "Approved"; a record already in processing has its
//     issuer review queued again (it waits at the issuer otherwise). An
//     operator never approves on the issuer's behalf: the record becomes
//     approved, and the user is notified, when the issuer accepts it.
//
// It returns the record before and after.
func (s *Service) DecideTx(ctx context.Context, tx *sql.Tx, jobs Inserter, id int64, d Decision) (before, after Record, err error) {
	rec, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM kyc_records WHERE id = $1`+s.DB.ForUpdate(), id))
	if err != nil {
		return Record{}, Record{}, fmt.Errorf("kyc: decide record %d: %w", id, notFound(err))
	}
	if !Decidable(rec.Status) {
		return Record{}, Record{}, errNotDecidable.WithDetails("The record is " + string(rec.Status) + ": only pending and processing records are decided")
	}
	next := rec
	next.UpdatedAt = s.Now()
	if d.Approve {
		next.Status = StatusProcessing
	} else {
		next.Status, next.FailReason = StatusRejected, d.FailReason
		if next.FailReason == "" {
			next.FailReason = DefaultRejectReason
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE kyc_records SET status = $1, fail_reason = $2, updated_at = $3 WHERE id = $4`,
		next.Status, next.FailReason, store.At(next.UpdatedAt), id); err != nil {
		return Record{}, Record{}, fmt.Errorf("kyc: decide record %d: %w", id, err)
	}
	if err := s.notifyResult(ctx, tx, next); err != nil {
		return Record{}, Record{}, fmt.Errorf("kyc: decide record %d: %w", id, err)
	}
	if d.Approve {
		if _, err := jobs.InsertTx(ctx, tx, ReviewArgs{RecordID: id}, nil); err != nil {
			return Record{}, Record{}, fmt.Errorf("kyc: decide record %d: queue issuer review: %w", id, err)
		}
	}
	return rec, next, nil
}
