package operator_test

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/platform/passhash"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

type fixture struct {
	svc   *operator.Service
	log   *audit.Log
	clock *testclock.Clock
	ctx   context.Context // the CLI as actor
}

func newFixture(t *testing.T, engine store.Engine) fixture {
	t.Helper()
	db := storetest.New(t, engine)
	clock := testclock.New(testclock.Start)
	box, err := secret.NewBox("k1", map[string][]byte{"k1": make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	log := audit.NewLog(audit.Deps{DB: db, Now: clock.Now})
	d := operator.Deps{DB: db, Audit: log, Box: box, Hash: passhash.Fast, Policy: operator.DefaultPolicy, Now: clock.Now}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	return fixture{svc: operator.NewService(d), log: log, clock: clock, ctx: audit.WithActor(context.Background(), audit.CLI())}
}

func codeFor(t *testing.T, uri string, at time.Time) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	code, err := operator.TOTPCode(u.Query().Get("secret"), at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

var client = audit.Actor{IP: "198.51.100.7", UserAgent: "test", RequestID: "r1"}

func TestSignInNeedsPasswordAndFreshTOTP(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		ctx := context.Background()
		created, err := f.svc.Create(f.ctx, operator.NewOperator{Email: " Ops@Example.com ", Role: operator.SuperAdmin})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if created.GeneratedPassword == "" || created.Operator.Email != "ops@example.com" || created.Operator.TOTPEnrolled {
			t.Fatalf("created = %+v", created)
		}
		pw := created.GeneratedPassword
		if _, err := f.svc.Create(f.ctx, operator.NewOperator{Email: "ops@example.com", Role: operator.Finance}); !errors.Is(err, operator.ErrExists) {
			t.Fatalf("duplicate e-mail: %v", err)
		}
		if _, err := f.svc.Create(f.ctx, operator.NewOperator{Email: "weak@example.com", Role: operator.Finance, Password: "Passw0rd!"}); !errors.Is(err, operator.ErrPasswordTooWeak) {
			t.Fatalf("short password: %v", err)
		}

		// Not yet enrolled: the right password alone shows the enrolment, no session.
		res, err := f.svc.SignIn(ctx, operator.Credentials{Email: "ops@example.com", Password: pw}, client)
		if err != nil || res.Enrolment != created.TOTPURI || res.Session.Token != "" {
			t.Fatalf("enrolment sign-in: %+v, %v", res, err)
		}
		// A wrong password never shows it.
		if _, err := f.svc.SignIn(ctx, operator.Credentials{Email: "ops@example.com", Password: pw + "x"}, client); !errors.Is(err, operator.ErrInvalidCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		code := codeFor(t, created.TOTPURI, f.clock.Now())
		res, err = f.svc.SignIn(ctx, operator.Credentials{Email: "ops@example.com", Password: pw, TOTPCode: code}, client)
		if err != nil || res.Session.Token == "" || !res.Operator.TOTPEnrolled {
			t.Fatalf("sign-in: %+v, %v", res, err)
		}
		p, err := f.svc.Authenticate(ctx, res.Session.Token)
		if err != nil || p.Role != operator.SuperAdmin || p.SessionID != res.Session.ID {
			t.Fatalf("authenticate: %+v, %v", p, err)
		}
		// The same code again (same 30 s step) is a replay; so is the previous step's.
		f.clock.Advance(10 * time.Second)
		for _, c := range []string{code, codeFor(t, created.TOTPURI, f.clock.Now().Add(-30*time.Second)), "12345"} {
			if _, err := f.svc.SignIn(ctx, operator.Credentials{Email: "ops@example.com", Password: pw, TOTPCode: c}, client); !errors.Is(err, operator.ErrInvalidCredentials) {
				t.Fatalf("code %q: %v, want INVALID_CREDENTIALS", c, err)
			}
		}
		// The next step's code is fresh (±1 step of drift allowed).
		next := codeFor(t, created.TOTPURI, f.clock.Now().Add(30*time.Second))
		if _, err := f.svc.SignIn(ctx, operator.Credentials{Email: "ops@example.com", Password: pw, TOTPCode: next}, client); err != nil {
			t.Fatalf("next-step code: %v", err)
		}
		// Enrolled now: a password alone is a failure, not an enrolment.
		if res, err := f.svc.SignIn(ctx, operator.Credentials{Email: "ops@example.com", Password: pw}, client); err == nil || res.Enrolment != "" {
			t.Fatalf("password only after enrolment: %+v, %v", res, err)
		}
		// An unknown e-mail answers the same as a wrong password.
		if _, err := f.svc.SignIn(ctx, operator.Credentials{Email: "nobody@example.com", Password: pw, TOTPCode: next}, client); !errors.Is(err, operator.ErrInvalidCredentials) {
			t.Fatalf("unknown e-mail: %v", err)
		}

		rows, _, err := f.log.List(ctx, audit.Filter{Action: "operator."}, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, r := range rows {
			counts[r.Action]++
			if r.Action == "operator.sign_in_failed" && r.Actor.IP != client.IP {
				t.Fatalf("failure row without the caller's IP: %+v", r)
			}
		}
		want := map[string]int{"operator.create": 1, "operator.totp_enrolment_shown": 1, "operator.sign_in": 2, "operator.sign_in_failed": 6}
		for k, v := range want {
			if counts[k] != v {
				t.Fatalf("audit counts %v, want %v", counts, want)
			}
		}
	})
}

func TestRepeatedFailuresLockTheOperator(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		ctx := context.Background()
		created, err := f.svc.Create(f.ctx, operator.NewOperator{Email: "fin@example.com", Role: operator.Finance, Password: "Correct-Horse-9-Battery"})
		if err != nil {
			t.Fatal(err)
		}
		creds := func(pw string) operator.Credentials {
			return operator.Credentials{Email: "fin@example.com", Password: pw, TOTPCode: codeFor(t, created.TOTPURI, f.clock.Now())}
		}
		for i := 0; i < operator.DefaultPolicy.MaxFailures; i++ {
			if _, err := f.svc.SignIn(ctx, creds("wrong"), client); !errors.Is(err, operator.ErrInvalidCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		_, err = f.svc.SignIn(ctx, creds("Correct-Horse-9-Battery"), client)
		e, ok := apperr.As(err)
		if !errors.Is(err, operator.ErrLocked) || !ok || e.RetryAfter <= 0 {
			t.Fatalf("right credentials while locked: %v", err)
		}
		if _, n, _ := f.log.List(ctx, audit.Filter{Action: "operator.locked"}, 10, 0); n != 1 {
			t.Fatalf("lock audited %d times", n)
		}
		f.clock.Advance(operator.DefaultPolicy.LockFor)
		if _, err := f.svc.SignIn(ctx, creds("Correct-Horse-9-Battery"), client); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
	})
}

func TestSessionsExpireRotateAndEndWithTheOperator(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		ctx := context.Background()
		signIn := func(email string, role operator.Role) (operator.Created, operator.SignInResult) {
			c, err := f.svc.Create(f.ctx, operator.NewOperator{Email: email, Role: role})
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(30 * time.Second) // a fresh TOTP step for each sign-in
			res, err := f.svc.SignIn(ctx, operator.Credentials{Email: email, Password: c.GeneratedPassword,
				TOTPCode: codeFor(t, c.TOTPURI, f.clock.Now())}, client)
			if err != nil {
				t.Fatal(err)
			}
			return c, res
		}
		root, rootSession := signIn("root@example.com", operator.SuperAdmin)
		support, supportSession := signIn("support@example.com", operator.Support)

		// Idle time-out, measured from the last use.
		f.clock.Advance(operator.DefaultPolicy.IdleTimeout - time.Minute)
		if _, err := f.svc.Authenticate(ctx, rootSession.Session.Token); err != nil {
			t.Fatalf("before idle time-out: %v", err)
		}
		f.clock.Advance(operator.DefaultPolicy.IdleTimeout - time.Minute)
		if _, err := f.svc.Authenticate(ctx, supportSession.Session.Token); !errors.Is(err, operator.ErrUnauthorized) {
			t.Fatalf("idle session: %v", err)
		}
		// Refresh: new token works, old one does not.
		fresh, err := f.svc.Refresh(ctx, rootSession.Session.Token)
		if err != nil || fresh.ID != rootSession.Session.ID {
			t.Fatalf("refresh: %+v %v", fresh, err)
		}
		if _, err := f.svc.Authenticate(ctx, rootSession.Session.Token); !errors.Is(err, operator.ErrUnauthorized) {
			t.Fatalf("old token after refresh: %v", err)
		}
		// Disabling ends every session at once; listing shows none.
		_, supportSession = signIn("support2@example.com", operator.Support)
		p, err := f.svc.Authenticate(ctx, supportSession.Session.Token)
		if err != nil {
			t.Fatal(err)
		}
		rootCtx := audit.WithActor(ctx, audit.Actor{Type: audit.ActorOperator, ID: root.Operator.ID, Role: string(operator.SuperAdmin)})
		disabled := operator.Disabled
		if _, err := f.svc.Update(rootCtx, p.OperatorID, operator.Change{Status: &disabled}); err != nil {
			t.Fatalf("disable: %v", err)
		}
		if _, err := f.svc.Authenticate(ctx, supportSession.Session.Token); !errors.Is(err, operator.ErrUnauthorized) {
			t.Fatalf("disabled operator's session: %v", err)
		}
		if list, err := f.svc.Sessions(ctx, p.OperatorID); err != nil || len(list) != 0 {
			t.Fatalf("sessions after disable: %v %v", list, err)
		}
		// The last super_admin can be neither disabled nor demoted.
		if _, err := f.svc.Update(f.ctx, root.Operator.ID, operator.Change{Status: &disabled}); !errors.Is(err, apperr.New(apperr.CodeInvalidState)) {
			t.Fatalf("disable the last super_admin: %v", err)
		}
		// Revocation by id.
		if err := f.svc.RevokeSession(rootCtx, root.Operator.ID, fresh.ID, "sign out"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, fresh.Token); !errors.Is(err, operator.ErrUnauthorized) {
			t.Fatalf("revoked: %v", err)
		}
		if err := f.svc.RevokeSession(rootCtx, root.Operator.ID, fresh.ID, "again"); !errors.Is(err, operator.ErrSessionNotFound) {
			t.Fatalf("revoke twice: %v", err)
		}
		_ = support
	})
}

func TestOneTOTPCodeOpensOneSessionUnderConcurrency(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		f := newFixture(t, engine)
		c, err := f.svc.Create(f.ctx, operator.NewOperator{Email: "race@example.com", Role: operator.Finance})
		if err != nil {
			t.Fatal(err)
		}
		creds := operator.Credentials{Email: "race@example.com", Password: c.GeneratedPassword, TOTPCode: codeFor(t, c.TOTPURI, f.clock.Now())}
		var wg sync.WaitGroup
		var mu sync.Mutex
		opened := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.svc.SignIn(context.Background(), creds, client); err == nil {
					mu.Lock()
					opened++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if opened != 1 {
			t.Fatalf("one code opened %d sessions", opened)
		}
	})
}
