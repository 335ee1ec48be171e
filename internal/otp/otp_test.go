package otp_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

var t0 = testclock.Start

const subject = "alice@example.com"

// fixture is one OTP service on its own database.
type fixture struct {
	t      *testing.T
	db     *store.DB
	clock  *testclock.Clock
	svc    *otp.Service
	hasher *secret.Hasher
}

func newFixture(t *testing.T, engine store.Engine, withBox bool) *fixture {
	t.Helper()
	db := storetest.New(t, engine)
	var box *secret.Box
	if withBox {
		var err error
		if box, err = secret.NewBox("k1", map[string][]byte{"k1": []byte(strings.Repeat("k", 32))}); err != nil {
			t.Fatal(err)
		}
	}
	c := testclock.New(t0)
	hasher := secret.NewHasher([]byte("otp-test-key"))
	return &fixture{t: t, db: db, clock: c, hasher: hasher, svc: otp.NewService(db, hasher, box, otp.DefaultPolicy, c.Now)}
}

type issueFn func(context.Context, *sql.Tx, otp.Purpose, string, int) (otp.Issued, error)

func (f *fixture) run(fn issueFn, purpose otp.Purpose, subj string, length int) (otp.Issued, error) {
	var out otp.Issued
	err := f.db.InTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		out, err = fn(context.Background(), tx, purpose, subj, length)
		return err
	})
	return out, err
}

func (f *fixture) issue(subj string) otp.Issued {
	f.t.Helper()
	iss, err := f.run(f.svc.Issue, otp.Login, subj, 5)
	if err != nil {
		f.t.Fatalf("issue: %v", err)
	}
	if !iss.Fresh || len(iss.Code) != 5 {
		f.t.Fatalf("issue = %+v, want a fresh 5-digit code", iss)
	}
	return iss
}

func (f *fixture) check(subj, code string, consume bool) error {
	return f.db.InTx(context.Background(), func(tx *sql.Tx) error {
		return f.svc.Check(context.Background(), tx, otp.Login, subj, code, consume)
	})
}

func (f *fixture) attempts(subj string) int {
	f.t.Helper()
	var n int
	err := f.db.SQL.QueryRow(`SELECT attempts FROM otp_codes WHERE purpose = $1 AND subject = $2`, string(otp.Login), subj).Scan(&n)
	if err != nil {
		f.t.Fatalf("read attempts: %v", err)
	}
	return n
}

func (f *fixture) openFlow(subj string) (time.Time, bool) {
	f.t.Helper()
	start, ok, err := f.svc.OpenFlow(context.Background(), f.db.SQL, otp.Login, subj)
	if err != nil {
		f.t.Fatalf("open flow: %v", err)
	}
	return start, ok
}

// wrong returns a code of the same length that differs from code.
func wrong(code string, i int) string {
	b := []byte(code)
	b[0] = '0' + byte((int(b[0]-'0')+1+i%9)%10)
	return string(b)
}

func expectCode(t *testing.T, err error, code string) *apperr.Error {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("got %v, want success", err)
		}
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	return e
}

func TestIssueCheckConsume(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine, false)
		code := f.issue(subject).Code
		for _, c := range code {
			if c < '0' || c > '9' {
				t.Fatalf("code %q is not all digits", code)
			}
		}
		expectCode(t, f.check("bob@example.com", code, false), "OTP_INVALID") // other subject: never issued
		expectCode(t, f.check(subject, code, false), "")                      // not consumed: usable again
		expectCode(t, f.check(subject, code, true), "")
		expectCode(t, f.check(subject, code, true), "OTP_EXPIRED")
		expectCode(t, f.check(subject, wrong(code, 0), true), "OTP_EXPIRED")
		if has, err := f.svc.HasCode(context.Background(), f.db.SQL, otp.Login, subject); err != nil || !has {
			t.Fatalf("HasCode after use = %v, %v; want true", has, err)
		}
		// A used code ends the flow: a new one may be issued at once.
		next := f.issue(subject)
		expectCode(t, f.check(subject, next.Code, true), "")
	})
}

func TestWrongAttemptsPersistAndBurn(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine, false)
		code := f.issue(subject).Code
		for i := 1; i <= 4; i++ {
			e := expectCode(t, f.check(subject, wrong(code, i), true), "OTP_INVALID")
			if !errors.Is(e, otp.ErrInvalid) {
				t.Fatalf("try %d: %v is not otp.ErrInvalid", i, e)
			}
			// InTx returned an error, yet the counted attempt was committed.
			if got := f.attempts(subject); got != i {
				t.Fatalf("after %d wrong tries attempts = %d", i, got)
			}
		}
		expectCode(t, f.check(subject, wrong(code, 5), true), "OTP_ATTEMPTS_EXCEEDED")
		if got := f.attempts(subject); got != 5 {
			t.Fatalf("after 5 wrong tries attempts = %d", got)
		}
		// The code is burned: even the right one fails, and nothing is counted.
		expectCode(t, f.check(subject, code, true), "OTP_ATTEMPTS_EXCEEDED")
		expectCode(t, f.check(subject, wrong(code, 6), true), "OTP_ATTEMPTS_EXCEEDED")
		if got := f.attempts(subject); got != 5 {
			t.Fatalf("attempts grew past the limit: %d", got)
		}
		// No new code within the cooldown, burned codes are never re-used.
		for name, fn := range map[string]issueFn{"Issue": f.svc.Issue, "IssueOrReuse": f.svc.IssueOrReuse} {
			if _, err := f.run(fn, otp.Login, subject, 5); err == nil {
				t.Fatalf("%s of a burned code within the cooldown succeeded", name)
			} else {
				expectCode(t, err, "RATE_LIMITED")
			}
		}
		f.clock.Advance(otp.DefaultPolicy.Cooldown)
		next := f.issue(subject)
		if got := f.attempts(subject); got != 0 {
			t.Fatalf("new code kept attempts = %d", got)
		}
		expectCode(t, f.check(subject, next.Code, true), "")

		// Four wrong tries still leave the right code usable.
		other := f.issue("bob@example.com").Code
		for i := 1; i <= 4; i++ {
			expectCode(t, f.check("bob@example.com", wrong(other, i), true), "OTP_INVALID")
		}
		expectCode(t, f.check("bob@example.com", other, true), "")
	})
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine, false)
		code := f.issue(subject).Code
		f.clock.Advance(otp.DefaultPolicy.TTL - time.Second)
		expectCode(t, f.check(subject, code, false), "")
		f.clock.Advance(time.Second)
		expectCode(t, f.check(subject, code, true), "OTP_EXPIRED")
		f.clock.Advance(time.Hour)
		expectCode(t, f.check(subject, code, true), "OTP_EXPIRED")
	})
}

func TestCooldown(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine, false)
		first := f.issue(subject)
		for _, tc := range []struct {
			advance time.Duration
			retry   time.Duration
		}{
			{0, 60 * time.Second},
			{15*time.Second + 200*time.Millisecond, 45 * time.Second}, // 44.8 s left: rounded up
			{44 * time.Second, time.Second},                           // 0.8 s left
		} {
			f.clock.Advance(tc.advance)
			_, err := f.run(f.svc.Issue, otp.Login, subject, 5)
			if e := expectCode(t, err, "RATE_LIMITED"); e.RetryAfter != tc.retry {
				t.Fatalf("retry after %v, want %v", e.RetryAfter, tc.retry)
			}
		}
		// Another scope is not limited.
		if _, err := f.run(f.svc.Issue, otp.Signup, subject, 5); err != nil {
			t.Fatalf("other purpose limited: %v", err)
		}
		f.clock.Advance(800 * time.Millisecond) // exactly 60 s after the first code
		second := f.issue(subject)
		if second.Code != first.Code {
			expectCode(t, f.check(subject, first.Code, false), "OTP_INVALID")
		}
		expectCode(t, f.check(subject, second.Code, true), "")
	})
}

func TestIssueOrReuse(t *testing.T) {
	for _, withBox := range []bool{true, false} {
		t.Run(fmt.Sprintf("box=%v", withBox), func(t *testing.T) {
			t.Parallel()
			storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
				f := newFixture(t, engine, withBox)
				first, err := f.run(f.svc.IssueOrReuse, otp.Login, subject, 5)
				if err != nil || !first.Fresh || len(first.Code) != 5 {
					t.Fatalf("first = %+v, %v", first, err)
				}
				f.clock.Advance(30 * time.Second)
				again, err := f.run(f.svc.IssueOrReuse, otp.Login, subject, 5)
				if err != nil || again.Fresh {
					t.Fatalf("within cooldown = %+v, %v; want Fresh=false", again, err)
				}
				if withBox && again.Code != first.Code {
					t.Fatalf("re-used code %q, want %q", again.Code, first.Code)
				}
				if !withBox && again.Code != "" {
					t.Fatalf("without a box the code %q was recovered", again.Code)
				}
				expectCode(t, f.check(subject, first.Code, true), "")
				// Used: a fresh code comes at once, still within the cooldown.
				third, err := f.run(f.svc.IssueOrReuse, otp.Login, subject, 5)
				if err != nil || !third.Fresh {
					t.Fatalf("after use = %+v, %v; want fresh", third, err)
				}
				f.clock.Advance(otp.DefaultPolicy.Cooldown)
				fourth, err := f.run(f.svc.IssueOrReuse, otp.Login, subject, 5)
				if err != nil || !fourth.Fresh {
					t.Fatalf("after cooldown = %+v, %v; want fresh", fourth, err)
				}
			})
		})
	}
}

func TestResendKeepsFlowStart(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine, false)
		if _, ok := f.openFlow(subject); ok {
			t.Fatal("open flow before any code")
		}
		f.issue(subject)
		f.clock.Advance(otp.DefaultPolicy.Cooldown)
		if _, err := f.run(f.svc.Resend, otp.Login, subject, 5); err != nil {
			t.Fatalf("resend: %v", err)
		}
		if start, ok := f.openFlow(subject); !ok || !start.Equal(t0) {
			t.Fatalf("flow after resend = %v, %v; want %v", start, ok, t0)
		}
		_, err := f.run(f.svc.Resend, otp.Login, subject, 5)
		expectCode(t, err, "RATE_LIMITED")
		f.clock.Advance(otp.DefaultPolicy.Cooldown)
		f.issue(subject) // a new flow
		if start, ok := f.openFlow(subject); !ok || !start.Equal(t0.Add(2*otp.DefaultPolicy.Cooldown)) {
			t.Fatalf("flow after issue = %v, %v", start, ok)
		}
		// Resend with nothing issued starts a flow.
		if _, err := f.run(f.svc.Resend, otp.Login, "new@example.com", 5); err != nil {
			t.Fatal(err)
		}
		if start, ok := f.openFlow("new@example.com"); !ok || !start.Equal(f.clock.Now()) {
			t.Fatalf("flow of first resend = %v, %v", start, ok)
		}
	})
}

func TestOpenFlowWindow(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine, false)
		f.issue(subject)
		f.clock.Advance(otp.DefaultPolicy.FlowWindow - time.Microsecond)
		if _, ok := f.openFlow(subject); !ok {
			t.Fatal("flow closed inside its window")
		}
		f.clock.Advance(time.Microsecond)
		if _, ok := f.openFlow(subject); ok {
			t.Fatal("flow open at the end of its window")
		}
		f.issue("used@example.com")
		code := f.issue("other@example.com").Code
		expectCode(t, f.check("other@example.com", code, true), "")
		if _, ok := f.openFlow("other@example.com"); ok {
			t.Fatal("a used code leaves its flow open")
		}
		if _, ok := f.openFlow("used@example.com"); !ok {
			t.Fatal("fresh flow not open")
		}
	})
}

func TestCodesStoredHashed(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine, true)
		// A long code makes an accidental substring match impossible in practice.
		iss, err := f.run(f.svc.Issue, otp.Login, subject, 16)
		if err != nil || len(iss.Code) != 16 {
			t.Fatalf("issue = %+v, %v", iss, err)
		}
		short := f.issue("short@example.com")
		for subj, code := range map[string]string{subject: iss.Code, "short@example.com": short.Code} {
			var hash, sealed string
			if err := f.db.SQL.QueryRow(`SELECT code_hash, code_sealed FROM otp_codes WHERE purpose = $1 AND subject = $2`,
				string(otp.Login), subj).Scan(&hash, &sealed); err != nil {
				t.Fatal(err)
			}
			if hash == code || (len(code) > 5 && strings.Contains(hash, code)) || len(hash) != 64 {
				t.Fatalf("code_hash %q reveals code %q", hash, code)
			}
			if want := f.hasher.Sum("otp", string(otp.Login), subj, code); hash != want {
				t.Fatalf("code_hash is not the keyed hash of the code")
			}
			if sealed == "" || (len(code) > 5 && strings.Contains(sealed, code)) {
				t.Fatalf("code_sealed %q", sealed)
			}
		}
		expectCode(t, f.check(subject, iss.Code, true), "")
		var sealed string
		if err := f.db.SQL.QueryRow(`SELECT code_sealed FROM otp_codes WHERE subject = $1`, subject).Scan(&sealed); err != nil || sealed != "" {
			t.Fatalf("code_sealed after use = %q, %v; want empty", sealed, err)
		}
	})
}

// TestConcurrentWrongChecks: parallel wrong guesses never get more than
// MaxAttempts tries, and the counter is exact.
func TestConcurrentWrongChecks(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine, false)
		code := f.issue(subject).Code
		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = f.check(subject, wrong(code, i%4), true)
			})
		}
		close(start)
		wg.Wait()
		counts := map[string]int{}
		for _, err := range errs {
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("check error %v is not an API error (or a check succeeded)", err)
			}
			counts[e.Code]++
		}
		if counts["OTP_INVALID"] != 4 || counts["OTP_ATTEMPTS_EXCEEDED"] != n-4 || len(counts) != 2 {
			t.Fatalf("outcomes %v, want 4 OTP_INVALID and %d OTP_ATTEMPTS_EXCEEDED", counts, n-4)
		}
		if got := f.attempts(subject); got != otp.DefaultPolicy.MaxAttempts {
			t.Fatalf("attempts = %d, want %d", got, otp.DefaultPolicy.MaxAttempts)
		}
		expectCode(t, f.check(subject, code, true), "OTP_ATTEMPTS_EXCEEDED")
	})
}
