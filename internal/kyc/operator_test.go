package kyc_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// reviews records the issuer reviews queued.
type reviews struct{ queued []int64 }

func (r *reviews) InsertTx(_ context.Context, _ *sql.Tx, args river.JobArgs, _ *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	r.queued = append(r.queued, args.(kyc.ReviewArgs).RecordID)
	return &rivertype.JobInsertResult{}, nil
}

// TestOperatorDecisions: an operator decides pending and processing
// records only; a rejection is final with the user's text, an approval
// hands the record to the issuer's review (queued again while it is
// processing) and never approves it outright.
func TestOperatorDecisions(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		s, db, user := newService(t, engine, &provider{}, true)
		jobs := &reviews{}
		decide := func(id int64, d kyc.Decision) (kyc.Record, kyc.Record, error) {
			var before, after kyc.Record
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				var err error
				before, after, err = s.DecideTx(ctx, tx, jobs, id, d)
				return err
			})
			return before, after, err
		}
		rec, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := decide(rec.ID, kyc.Decision{Approve: true}); !isCode(err, apperr.CodeInvalidState) {
			t.Fatalf("deciding a pending_submit record: %v", err)
		}
		if _, _, err := decide(987654, kyc.Decision{}); !errors.Is(err, kyc.ErrRecordNotFound) {
			t.Fatalf("deciding an unknown record: %v", err)
		}
		apply(t, s, db, rec.SessionID, kyc.DiditInReview, nil)
		before, after, err := decide(rec.ID, kyc.Decision{Approve: true})
		if err != nil || before.Status != kyc.StatusPending || after.Status != kyc.StatusProcessing || len(jobs.queued) != 1 {
			t.Fatalf("approve pending: %+v → %+v, %v, queued %v", before, after, err, jobs.queued)
		}
		if _, after, err = decide(rec.ID, kyc.Decision{Approve: true}); err != nil || after.Status != kyc.StatusProcessing || len(jobs.queued) != 2 {
			t.Fatalf("approve processing: %+v, %v, queued %v", after, err, jobs.queued)
		}
		if _, after, err = decide(rec.ID, kyc.Decision{}); err != nil || after.Status != kyc.StatusRejected ||
			after.FailReason != kyc.DefaultRejectReason || len(jobs.queued) != 2 {
			t.Fatalf("reject processing: %+v, %v", after, err)
		}
		// The issuer's late answer leaves the operator's rejection alone.
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			late, err := s.RecordIssuerReview(ctx, tx, rec.ID, 2)
			if err == nil && late.Status != kyc.StatusRejected {
				t.Errorf("the issuer overturned the rejection: %+v", late)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := decide(rec.ID, kyc.Decision{Approve: true}); !isCode(err, apperr.CodeInvalidState) {
			t.Fatalf("deciding a rejected record: %v", err)
		}
		if st, _, _ := s.UserKYC(ctx, db.SQL, user); st != kyc.UserRejected {
			t.Fatalf("user status after the rejection: %s", st)
		}
	})
}

func isCode(err error, code string) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == code
}
