package kyc_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestOutcomeOfEveryDiditStatus: every status Didit documents has a place,
// and nothing else (there is no "Cancelled").
func TestOutcomeOfEveryDiditStatus(t *testing.T) {
	for status, want := range map[string]kyc.RecordStatus{
		"Not Started": kyc.StatusPendingSubmit, "In Progress": kyc.StatusPendingSubmit, "Awaiting User": kyc.StatusPendingSubmit,
		"Resubmitted": kyc.StatusPendingSubmit, "In Review": kyc.StatusPending, "Approved": kyc.StatusProcessing,
		"Declined": kyc.StatusRejected, "Expired": kyc.StatusNotCompleted, "Abandoned": kyc.StatusNotCompleted,
		"Kyc Expired": kyc.StatusRejected,
	} {
		o, ok := kyc.OutcomeOf(status, nil)
		if !ok || o.Status != want || o.ProviderStatus != status {
			t.Errorf("%s → %+v %v, want %s", status, o, ok, want)
		}
		if (status == "Kyc Expired") != o.Reverify || (o.Status == kyc.StatusRejected) != (o.FailReason != "") {
			t.Errorf("%s: %+v", status, o)
		}
	}
	for _, unknown := range []string{"Cancelled", "approved", ""} {
		if _, ok := kyc.OutcomeOf(unknown, nil); ok {
			t.Errorf("%q is mapped", unknown)
		}
	}
}

func TestDeclineReason(t *testing.T) {
	declined := func(ws ...kyc.Warning) []kyc.Check { return []kyc.Check{{Status: "Declined", Warnings: ws}} }
	approved := func(ws ...kyc.Warning) []kyc.Check { return []kyc.Check{{Status: "Approved", Warnings: ws}} }
	errW := func(risk string) kyc.Warning { return kyc.Warning{Risk: risk, LogType: "error"} }
	for _, tc := range []struct {
		name string
		d    *kyc.ProviderDecision
		want string
	}{
		{"no decision", nil, "Declined by the verification provider"},
		{"empty decision", &kyc.ProviderDecision{}, "Declined by the verification provider"},
		{"known code", &kyc.ProviderDecision{IDVerifications: declined(errW("DOCUMENT_EXPIRED"))}, "The identity document has expired"},
		{"decisive warning first", &kyc.ProviderDecision{IDVerifications: declined(kyc.Warning{Risk: "DOCUMENT_EXPIRED", LogType: "warning"},
			errW("SCREEN_CAPTURE_DETECTED"))}, "A screen capture or copy was used instead of the original document"},
		{"family of codes", &kyc.ProviderDecision{IDVerifications: declined(errW("LOW_IMAGE_QUALITY"))}, "The document photo was not clear enough"},
		{"unknown code: the check names it", &kyc.ProviderDecision{IDVerifications: declined(errW("SOMETHING_NEW"))},
			"The identity document could not be verified"},
		{"liveness", &kyc.ProviderDecision{IDVerifications: approved(), LivenessChecks: declined()}, "The liveness check did not pass"},
		{"face match", &kyc.ProviderDecision{FaceMatches: declined(errW("LOW_FACE_MATCH_SIMILARITY"))}, "The selfie did not match the document photo"},
		{"screening", &kyc.ProviderDecision{AMLScreenings: declined(errW("POSSIBLE_MATCH_FOUND"))}, "The compliance screening did not pass"},
		{"document before liveness", &kyc.ProviderDecision{LivenessChecks: declined(), IDVerifications: declined(errW("MINIMUM_AGE_NOT_MET"))},
			"The minimum age requirement is not met"},
		{"decisive warning on an approved check", &kyc.ProviderDecision{IDVerifications: approved(errW("DUPLICATED_USER"))},
			"This identity is already verified on another account"},
		{"manual review", &kyc.ProviderDecision{IDVerifications: approved(), Reviews: []kyc.Review{{NewStatus: "Approved"}, {NewStatus: "Declined"}}},
			"Declined after a manual review"},
	} {
		if got := kyc.DeclineReason(tc.d); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEventKey(t *testing.T) {
	ev := kyc.ProviderEvent{EventID: "e1", SessionID: "s", Status: "Approved", WebhookType: "status.updated", Timestamp: 7}
	if ev.EventKey() != "e1" {
		t.Fatal(ev.EventKey())
	}
	ev.EventID = ""
	if ev.EventKey() != "s:Approved:status.updated:7" {
		t.Fatal(ev.EventKey())
	}
}

// TestOrderIndependence: whatever the order and however often, the same
// deliveries end in the same record state.
func TestOrderIndependence(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		for _, tc := range []struct {
			statuses []string
			want     kyc.RecordStatus
		}{
			{[]string{"Not Started", "In Progress", "In Review", "Resubmitted", "In Progress", "In Review", "Declined"}, kyc.StatusRejected},
			{[]string{"Not Started", "In Progress", "Awaiting User", "In Review", "Approved"}, kyc.StatusProcessing},
			{[]string{"Not Started", "Abandoned"}, kyc.StatusNotCompleted},
			{[]string{"In Progress", "In Review", "Approved", "Kyc Expired"}, kyc.StatusRejected},
		} {
			for round := range 4 {
				s, db, user := newService(t, engine, &provider{}, true)
				rec, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity})
				if err != nil {
					t.Fatal(err)
				}
				seq := append(append(append([]string{}, tc.statuses...), tc.statuses...), tc.statuses...)
				rand.Shuffle(len(seq), func(i, j int) { seq[i], seq[j] = seq[j], seq[i] })
				var got kyc.Record
				for _, st := range seq {
					got, _ = apply(t, s, db, rec.SessionID, st, nil)
				}
				if got.Status != tc.want {
					t.Fatalf("round %d, %v: %s, want %s", round, seq, got.Status, tc.want)
				}
			}
		}
	})
}

// TestKYCExpiredOverridesApproval: an approved identity whose document
// expired needs a new verification, once.
func TestKYCExpiredOverridesApproval(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		s, db, user := newService(t, engine, &provider{}, true)
		rec, _ := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity})
		apply(t, s, db, rec.SessionID, kyc.DiditApproved, nil)
		if err := db.InTx(ctx, func(tx *sql.Tx) error { _, err := s.RecordIssuerReview(ctx, tx, rec.ID, 2); return err }); err != nil {
			t.Fatal(err)
		}
		got, _ := apply(t, s, db, rec.SessionID, kyc.DiditKYCExpired, nil)
		if got.Status != kyc.StatusRejected || got.FailReason != kyc.ReasonReverify {
			t.Fatalf("after Kyc Expired: %+v", got)
		}
		if st, _, _ := s.UserKYC(ctx, db.SQL, user); st != kyc.UserRejected {
			t.Fatalf("user %s", st)
		}
		if v, _ := s.Status(ctx, user); !v.CanSubmit {
			t.Fatal("re-verification not offered")
		}
	})
}

// pulled is a provider whose Result is scripted.
type pulled struct {
	provider
	outcome kyc.Outcome
	err     error
}

func (p *pulled) Result(context.Context, string) (kyc.Outcome, error) { return p.outcome, p.err }

type jobs struct{ kinds []string }

func (j *jobs) InsertTx(_ context.Context, _ *sql.Tx, args river.JobArgs, _ *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	j.kinds = append(j.kinds, args.Kind())
	return &rivertype.JobInsertResult{}, nil
}

// TestSyncSession: the pulled status is authoritative: it moves forward
// like a webhook, hands a record under review back to the user when the
// provider asks for a resubmission, and passes on a rate limit.
func TestSyncSession(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		p := &pulled{}
		s, db, user := newService(t, engine, &p.provider, true)
		s.Provider = p
		rec, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity})
		if err != nil {
			t.Fatal(err)
		}
		apply(t, s, db, rec.SessionID, kyc.DiditInReview, nil)
		p.outcome, _ = kyc.OutcomeOf(kyc.DiditResubmitted, nil)
		j := &jobs{}
		if got, err := s.SyncSession(ctx, j, rec.ID); err != nil || got.Status != kyc.StatusPendingSubmit {
			t.Fatalf("resubmitted: %+v %v", got, err)
		}
		p.err = rateLimited{}
		if _, err := s.SyncSession(ctx, j, rec.ID); !errors.Is(err, kyc.ErrProviderRateLimited) {
			t.Fatalf("rate limit: %v", err)
		} else if d, ok := kyc.RetryAfter(err); !ok || d != 42*time.Second {
			t.Fatalf("retry after %v %v", d, ok)
		}
		p.err = nil
		p.outcome, _ = kyc.OutcomeOf(kyc.DiditApproved, nil)
		if got, err := s.SyncSession(ctx, j, rec.ID); err != nil || got.Status != kyc.StatusProcessing || len(j.kinds) != 1 ||
			j.kinds[0] != "kyc.issuer_review" {
			t.Fatalf("approved: %+v %v %v", got, err, j.kinds)
		}
		p.outcome, _ = kyc.OutcomeOf(kyc.DiditResubmitted, nil)
		if got, _ := s.SyncSession(ctx, j, rec.ID); got.Status != kyc.StatusProcessing {
			t.Fatalf("a record past the provider's part moved: %s", got.Status)
		}
	})
}

type rateLimited struct{}

func (rateLimited) Error() string                 { return "slow down" }
func (rateLimited) Unwrap() error                 { return kyc.ErrProviderRateLimited }
func (rateLimited) RetryAfter() (d time.Duration) { return 42 * time.Second }
