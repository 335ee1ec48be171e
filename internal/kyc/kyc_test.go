package kyc_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

type provider struct {
	fail bool
	n    int
}

func (p *provider) CreateSession(_ context.Context, ref int64, _ kyc.Applicant) (kyc.Session, error) {
	if p.fail {
		return kyc.Session{}, errors.New("provider down")
	}
	p.n++
	id := "kyc_test_" + secret.Hex(6)
	return kyc.Session{ID: id, URL: "https://kyc.example/" + id}, nil
}

func (p *provider) Result(context.Context, string) (kyc.Outcome, error) {
	return kyc.Outcome{}, kyc.ErrNoProviderResult
}

type fees struct{ paid bool }

func (f fees) KYCFeePaid(context.Context, int64) (bool, error) { return f.paid, nil }

type users struct{ copied int }

func (u *users) EnsureWritable(context.Context, store.Querier, int64) error { return nil }
func (u *users) CopyKYCProfile(context.Context, *sql.Tx, int64, string, string, string, string, string, string, string, string) error {
	u.copied++
	return nil
}

// notifier stands in for the notification store, which the service cannot
// run without.
type notifier struct{}

func (notifier) Create(context.Context, *sql.Tx, notification.New) (int64, error) { return 1, nil }

var identity = kyc.Identity{FirstName: "JOHN", LastName: "DOE", BillCountry: "HK", AreaCode: "852", Phone: "91234567",
	Address: "1 Queen's Road", City: "Hong Kong", PostCode: "000000"}

func newService(t *testing.T, engine store.Engine, p *provider, paid bool) (*kyc.Service, *store.DB, int64) {
	t.Helper()
	db := storetest.New(t, engine)
	var userID int64
	if err := db.SQL.QueryRow(`INSERT INTO users (email, password_hash, referral_code, created_at, updated_at)
		VALUES ('kyc@example.com', 'x', 'KYCUSER1', 1, 1) RETURNING id`).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	box, _ := secret.NewBox("k1", map[string][]byte{"k1": key})
	clock := time.Date(2026, 2, 25, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	return kyc.NewService(kyc.Deps{DB: db, Box: box, Provider: p, Fees: fees{paid}, Users: &users{},
		Notifier: notifier{}, Quotas: ratelimit.NewCounter(now), Now: now}), db, userID
}

func apply(t *testing.T, s *kyc.Service, db *store.DB, session, status string, d *kyc.ProviderDecision) (kyc.Record, bool) {
	t.Helper()
	o, ok := kyc.OutcomeOf(status, d)
	if !ok {
		t.Fatalf("unknown status %q", status)
	}
	var (
		rec    kyc.Record
		review bool
	)
	err := db.InTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		rec, review, _, err = s.ApplyProviderOutcome(context.Background(), tx, session, "", o)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec, review
}

func TestKYCLifecycle(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		p := &provider{}
		s, db, user := newService(t, engine, p, true)

		rec, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Email: "kyc@example.com", Identity: identity})
		if err != nil || rec.SessionID == "" || rec.Status != kyc.StatusPendingSubmit || !strings.HasPrefix(rec.AgentUID, "JOHN_DOE_") {
			t.Fatalf("initialize: %+v %v", rec, err)
		}
		again, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity})
		if err != nil || again.ID != rec.ID || again.SessionID != rec.SessionID || p.n != 1 {
			t.Fatalf("a live session was not resumed: %+v %v (sessions %d)", again, err, p.n)
		}
		var sealed string
		_ = db.SQL.QueryRow(`SELECT identity_sealed FROM kyc_records WHERE id = $1`, rec.ID).Scan(&sealed)
		if strings.Contains(sealed, "JOHN") || strings.Contains(sealed, "91234567") {
			t.Fatal("identity stored in clear")
		}
		if got, err := s.Identity(ctx, db.SQL, rec.ID); err != nil || got != identity {
			t.Fatalf("identity round trip: %+v %v", got, err)
		}

		apply(t, s, db, rec.SessionID, kyc.DiditInReview, nil)
		if st, lvl, _ := s.UserKYC(ctx, db.SQL, user); st != kyc.UserPending || lvl != 0 {
			t.Fatalf("under review: %s %d", st, lvl)
		}
		if _, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity}); !errors.Is(err, kyc.ErrInProgress) {
			t.Fatalf("initialize during review: %v", err)
		}
		if _, review := apply(t, s, db, rec.SessionID, kyc.DiditApproved, nil); !review {
			t.Fatal("approval did not ask for the issuer review")
		}
		if _, review := apply(t, s, db, rec.SessionID, kyc.DiditApproved, nil); review {
			t.Fatal("a repeated approval asked for a second review")
		}
		// A late step backwards changes nothing.
		if back, _ := apply(t, s, db, rec.SessionID, kyc.DiditInProgress, nil); back.Status != kyc.StatusProcessing {
			t.Fatalf("moved backwards to %s", back.Status)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := s.RecordIssuerReview(ctx, tx, rec.ID, 2)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if st, lvl, _ := s.UserKYC(ctx, db.SQL, user); st != kyc.UserVerified || lvl != 1 {
			t.Fatalf("after the issuer review: %s %d", st, lvl)
		}
		if _, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity}); !errors.Is(err, kyc.ErrAlreadyApproved) {
			t.Fatalf("initialize after approval: %v", err)
		}
		v, err := s.Status(ctx, user)
		if err != nil || v.CanSubmit || v.Latest == nil || v.Latest.PokepayStatus != 2 {
			t.Fatalf("status %+v %v", v, err)
		}
	})
}

func TestKYCRejectionAndGates(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		if s, _, user := newService(t, engine, &provider{}, false); true {
			if _, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity}); !errors.Is(err, kyc.ErrFeeUnpaid) {
				t.Fatalf("without the fee: %v", err)
			}
		}
		p := &provider{fail: true}
		s, db, user := newService(t, engine, p, true)
		if _, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity}); !errors.Is(err, kyc.ErrProviderUnavailable) {
			t.Fatalf("provider down: %v", err)
		}
		p.fail = false
		rec, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity})
		if err != nil {
			t.Fatal(err)
		}
		declined, _ := apply(t, s, db, rec.SessionID, kyc.DiditDeclined, &kyc.ProviderDecision{
			IDVerifications: []kyc.Check{{Status: "Declined", Warnings: []kyc.Warning{{Risk: "DOCUMENT_EXPIRED", LogType: "error"}}}}})
		if declined.Status != kyc.StatusRejected || declined.FailReason != "The identity document has expired" {
			t.Fatalf("declined: %+v", declined)
		}
		v, _ := s.Status(ctx, user)
		if v.UserStatus != kyc.UserRejected || !v.CanSubmit {
			t.Fatalf("after rejection: %+v", v)
		}
		if fresh, err := s.Initialize(ctx, kyc.InitInput{UserID: user, Identity: identity}); err != nil || fresh.ID == rec.ID {
			t.Fatalf("resubmission after rejection: %+v %v", fresh, err)
		}
		if _, _, ok, err := func() (kyc.Record, bool, bool, error) {
			var r kyc.Record
			var review, ok bool
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				var err error
				r, review, ok, err = s.ApplyProviderOutcome(ctx, tx, "kyc_unknown", "", kyc.Outcome{Status: kyc.StatusProcessing})
				return err
			})
			return r, review, ok, err
		}(); ok || err != nil {
			t.Fatalf("unknown session matched: ok=%v err=%v", ok, err)
		}
	})
}
