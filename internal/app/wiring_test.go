package app

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// sandboxConfig is the configuration of a sandbox app on engine.
func sandboxConfig(t *testing.T, engine store.Engine) config.Config {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return config.Config{
		Mode: config.Sandbox, HTTPAddr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: storetest.URL(t, engine), LogLevel: "info",
		JWTSecret: "wiring-test-" + strings.Repeat("x", 32), DataKey: key, CustodyAPIKey: "wiring-test-custody",
		KYCWebhookSecret: "wiring-test-kyc", IssuerWebhookSecret: "wiring-test-issuer", ThreeDSWebhookSecret: "wiring-test-3ds",
		PublicBaseURL: "http://localhost:8080", AccessTokenTTL: time.Hour, RefreshTokenTTL: 24 * time.Hour,
		ShutdownTimeout: time.Second, JobPollInterval: time.Second, MaxCards: 5, SandboxCardBIN: "424242",
		WalletCurrencies: []string{"USDT-TRC20", "HKD"}, FXRate: 780_000_000, PasswordHashProfile: "fast",
	}
}

func newApp(t *testing.T, engine store.Engine, opts Options) (*App, error) {
	t.Helper()
	a, err := New(context.Background(), sandboxConfig(t, engine), slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	if err == nil {
		t.Cleanup(func() { _ = a.Close(context.Background()) })
	}
	return a, err
}

// TestStartRefusesMissingPort: a port left unwired stops the start with an
// error naming the service and the port, where it used to be skipped
// silently (a cancellation without its recovery job, a cancel under a
// pending swap, a notification never pushed, a commission never paid).
func TestStartRefusesMissingPort(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		for _, tc := range []struct {
			unwire func(*wiring)
			want   []string
		}{
			{func(w *wiring) { w.Cards.Swaps = nil }, []string{"card: missing dependencies: Swaps"}},
			{func(w *wiring) {
				w.Cards.Jobs, w.Cards.Commissions, w.Notifications.Jobs, w.Swaps.Commissions = nil, nil, nil, nil
				w.Accounts.Guard, w.cardSecrets.Mailer = nil, nil
			}, []string{"card: missing dependencies: Commissions, Jobs", "notification: missing dependencies: Jobs",
				"swap: missing dependencies: Commissions", "account: missing dependencies: Guard",
				"card secrets: missing dependencies: Mailer"}},
		} {
			a, err := newApp(t, engine, Options{beforeCheck: tc.unwire})
			if err == nil || a != nil {
				t.Fatalf("started without a port; want %q", tc.want)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to contain %q", err, want)
				}
			}
		}
	})
}

// TestWiringCheckIsTotal: every collaborator of every service (each field
// of a pointer, interface, func, map or slice type of its Deps) is on its
// explicit Check list, so a port added later cannot be forgotten both in
// app.New and in the check; and the workers registered after the queue was
// built carry job kinds River accepts.
func TestWiringCheckIsTotal(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		var w wiring
		a, err := newApp(t, engine, Options{beforeCheck: func(got *wiring) { w = *got }})
		if err != nil {
			t.Fatal(err)
		}
		requireTotal(t, "notification", w.Notifications.Deps)
		requireTotal(t, "account", w.Accounts.Deps)
		requireTotal(t, "coupon", w.Coupons.Deps)
		requireTotal(t, "settings", w.Settings.Deps)
		requireTotal(t, "wallet", w.Wallets.Deps)
		requireTotal(t, "cardfee", w.CardFees.Deps)
		requireTotal(t, "kyc", w.KYC.Deps)
		requireTotal(t, "referral", w.Referrals.Deps)
		requireTotal(t, "card", w.Cards.Deps)
		requireTotal(t, "swap", w.Swaps.Deps)
		requireTotal(t, "physical", w.Physical.Deps)
		requireTotal(t, "threeds", w.ThreeDS.Deps)
		requireTotal(t, "card secrets", w.cardSecrets.SecretsDeps)
		requireTotal(t, "account purge", w.purge.PurgeDeps)
		requireTotal(t, "audit", w.Audit.Deps)
		requireTotal(t, "operator", w.Operators.Deps)
		requireTotal(t, "approval", w.Approvals.Deps)
		requireTotal(t, "backoffice", w.Office.Deps)

		// River checks the kinds of the workers it is built with; ours
		// join the bundle later, so build a client on them to check.
		workers := river.NewWorkers()
		a.registerWorkers(workers, w.purge, nil, nil, nil, kyc.IssuerReview(nil), nil, time.Now)
		if _, err := river.NewClient(riversqlite.New(nil), &river.Config{Workers: workers}); err != nil {
			t.Errorf("worker kinds: %v", err)
		}
	})
}

// requireTotal zeroes each collaborator of d in turn and requires Check to
// name it.
func requireTotal[D interface{ Check() error }](t *testing.T, service string, d D) {
	t.Helper()
	if err := d.Check(); err != nil {
		t.Fatalf("%s as wired: %v", service, err)
	}
	typ := reflect.TypeFor[D]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Func, reflect.Map, reflect.Slice:
		default:
			continue
		}
		unwired := d
		reflect.ValueOf(&unwired).Elem().Field(i).SetZero()
		if err := unwired.Check(); err == nil || !strings.Contains(err.Error(), service+": missing dependencies: "+f.Name) {
			t.Errorf("%s.%s unwired: Check() = %v, want it named", service, f.Name, err)
		}
	}
}
