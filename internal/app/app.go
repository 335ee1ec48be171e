// Package app is the composition root: it builds the store, the domain
// services, the providers, the job queue and the HTTP handler from a Config.
package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/operator"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/api"
	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/card/issuerpoll"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/httpapi"
	"github.com/comecomepay/comecomepay/internal/httpapi/sandboxapi"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/providermetrics"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/platform/tracing"
	"github.com/comecomepay/comecomepay/internal/providers/custody"
	custodysandbox "github.com/comecomepay/comecomepay/internal/providers/custody/sandbox"
	emailsandbox "github.com/comecomepay/comecomepay/internal/providers/email/sandbox"
	emailsmtp "github.com/comecomepay/comecomepay/internal/providers/email/smtp"
	fxsandbox "github.com/comecomepay/comecomepay/internal/providers/fx/sandbox"
	issuerfaults "github.com/comecomepay/comecomepay/internal/providers/issuer/faults"
	issuerguard "github.com/comecomepay/comecomepay/internal/providers/issuer/guard"
	issuersandbox "github.com/comecomepay/comecomepay/internal/providers/issuer/sandbox"
	kycsandbox "github.com/comecomepay/comecomepay/internal/providers/kycprovider/sandbox"
	pushsandbox "github.com/comecomepay/comecomepay/internal/providers/push/sandbox"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/referral"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/swap"
	"github.com/comecomepay/comecomepay/internal/threeds"
	"github.com/comecomepay/comecomepay/internal/wallet"
	"github.com/comecomepay/comecomepay/internal/webhook"
	"go.opentelemetry.io/otel/trace"
)

// Options are test seams; production leaves them zero.
type Options struct {
	// Now replaces the wall clock of the domain services.
	Now func() time.Time
	// Issuer is a real card issuer adapter the embedding program builds
	// itself (the production end-to-end test's fake PokePay; see
	// docs/providers-issuer.md for the adapter to come). It counts as a real
	// provider; nil takes the adapter COMECOMEPAY_ISSUER_PROVIDER selects.
	Issuer IssuerAdapter
	// Tracing replaces the tracer provider built from the OTEL_* settings
	// (tests pass an in-memory recorder).
	Tracing trace.TracerProvider
	// beforeCheck runs between the binding of the services and the wiring
	// check, so a test can unwire a port and see the start refused.
	beforeCheck func(*wiring)
}

// App is a built, migrated service.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *store.DB
	Jobs     *jobs.Client
	Handler  http.Handler
	Accounts *account.Service
	Wallets  *wallet.Service
	CardFees *cardfee.Service
	Coupons  *coupon.Service
	KYC      *kyc.Service
	Cards    *card.Service
	Swaps    *swap.Service
	ThreeDS  *threeds.Service
	// Physical is the physical card order domain (upgrades, shipments).
	Physical *physical.Service
	// Referrals is the referral programme (codes, tiers, commissions).
	Referrals *referral.Service
	// IssuerSim is the sandbox card issuer (tests drive its failures).
	IssuerSim *issuersandbox.Issuer
	// IssuerFaults injects transport faults under the issuer guard and
	// records the calls that reach the simulator (sandbox mode only).
	IssuerFaults *issuerfaults.Issuer
	// Issuer is the guarded issuer port every domain calls.
	Issuer *issuerguard.Issuer
	Ledger *ledger.Ledger
	Inbox  *webhook.Inbox
	// Outbox records e-mails in sandbox mode; nil in production.
	Outbox *emailsandbox.Outbox
	// Pushes records pushes in sandbox mode; nil otherwise.
	Pushes *pushsandbox.Recorder
	// Content is announcements, site texts, app versions and the partner link.
	Content *content.Service
	// Notifications creates in-app notifications and queues their pushes.
	Notifications *notification.Store
	// Operators are the staff accounts of the admin API and console.
	Operators *operator.Service
	// Audit is the operators' append-only audit log.
	Audit *audit.Log
	// Approvals runs four-eyes requests.
	Approvals *approval.Service
	// Office is the back office: every operator action, audited.
	Office *backoffice.Service
	// Settings are the operator-set figures of API.md §3.3.
	Settings *settings.Service
	// Tracing is the tracer provider of every layer; Close flushes it.
	Tracing *tracing.Provider
	// instance is this process's identity in Idempotency-Key claims, alive
	// until Close (idempotency.Instance).
	instance *idempotency.Instance
}

// New opens the database, applies migrations and wires every component.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	now := opts.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	if err := guardProviders(cfg, log, opts.Issuer != nil); err != nil {
		return nil, err
	}
	tp, err := tracerProvider(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	log = slog.New(tracing.LogHandler(log.Handler()))
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("app: open database: %w", err)
	}
	db.Trace(tp)
	a := &App{Config: cfg, Log: log, DB: db, Tracing: tp}
	if err := a.build(ctx, now, opts); err != nil {
		if a.instance != nil {
			_ = a.instance.Close()
		}
		_ = db.Close()
		return nil, err
	}
	return a, nil
}

// tracerProvider is the test's provider, or the one the OTEL_* settings ask for.
func tracerProvider(ctx context.Context, cfg config.Config, opts Options) (*tracing.Provider, error) {
	if opts.Tracing != nil {
		return tracing.Wrap(opts.Tracing), nil
	}
	tp, err := tracing.New(ctx, tracing.Settings{Enabled: cfg.Tracing.Export, ServiceName: cfg.Tracing.ServiceName})
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return tp, nil
}

func (a *App) build(ctx context.Context, now func() time.Time, opts Options) error {
	cfg := a.Config
	if err := a.DB.Migrate(ctx); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	box, err := secret.NewBox("k1", map[string][]byte{"k1": cfg.DataKey})
	if err != nil {
		return fmt.Errorf("data key: %w", err)
	}
	sandbox := cfg.Mode == config.Sandbox

	var sender mail.Sender
	if cfg.SMTP.Configured() {
		if sender, err = emailsmtp.New(emailsmtp.Config{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, From: cfg.SMTP.From, TLS: emailsmtp.TLSMode(cfg.SMTP.TLS)}); err != nil {
			return fmt.Errorf("app: %w", err)
		}
	} else {
		a.Outbox = emailsandbox.NewOutbox(now)
		sender = a.Outbox
	}

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// Providers.
	a.Ledger = ledger.New(a.DB, now)
	custodySim := custodysandbox.New(hasherKey(cfg.DataKey, "custody-sandbox"))
	custodySim.SettleDelay, custodySim.AutoSettle = cfg.SandboxSettleDelay, cfg.SandboxAutoSettle
	currencies, err := wallet.SelectCurrencies(cfg.WalletCurrencies)
	if err != nil {
		return fmt.Errorf("COMECOMEPAY_WALLET_CURRENCIES: %w", err)
	}
	fxSim, err := fxsandbox.New(ctx, a.DB, cfg.FXRate, now)
	if err != nil {
		return fmt.Errorf("app: fx simulator: %w", err)
	}
	var rates wallet.Rates = wallet.FixedRates{Rate: cfg.FXRate}
	if cfg.Mode != config.Production {
		// POST /sandbox/fx changes it for every replica; staging mounts that
		// route too (behind its token), so it must take effect there as well.
		rates = fxSim
	}
	issuerSim := issuersandbox.New(a.DB, cfg.SandboxCardBIN, now)
	issuerSim.IssueDelay, issuerSim.FailureRate = cfg.SandboxIssueDelay, cfg.SandboxIssueFailureRate
	a.IssuerSim = issuerSim
	pusher, err := a.pusher(cfg, now, registry)
	if err != nil {
		return err
	}

	// The queue comes first, so every service gets it in its constructor;
	// the workers join its bundle once their services exist (River reads the
	// bundle when it starts working, not when the client is built).
	workers := river.NewWorkers()
	custodyAdapter, err := a.custodyPort(cfg, custodySim, registry, now)
	if err != nil {
		return err
	}
	kycProvider, err := a.kycPort(cfg, registry)
	if err != nil {
		return err
	}
	auth3DS, err := threeDSAuth(cfg)
	if err != nil {
		return err
	}
	// A supplied issuer that is polled (no pushed events) feeds the inbox
	// through the poller (docs/providers-issuer.md).
	polled, _ := opts.Issuer.(issuerpoll.Source)
	if a.Jobs, err = newJobs(a.DB, workers, cfg, a.Log, registry, a.Tracing, polled != nil); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}

	var issuerAdapter IssuerAdapter = simulatedIssuer{issuerSim, kycsandbox.Issuer{}}
	if opts.Issuer != nil {
		issuerAdapter = opts.Issuer
	}
	if a.instance, err = idempotency.Register(ctx, a.DB); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	w := a.buildServices(parts{now: now, box: box, hasher: secret.NewHasher(cfg.DataKey), sandbox: sandbox,
		currencies: currencies, custody: custodyAdapter, rates: rates, issuer: a.guardIssuer(issuerAdapter, sandbox && opts.Issuer == nil, registry),
		kyc: kycProvider})
	w.bindCycles()
	if opts.beforeCheck != nil {
		opts.beforeCheck(&w)
	}
	if err := w.check(); err != nil {
		return fmt.Errorf("wiring: %w", err)
	}

	if err := registerBusinessMetrics(registry, a, now); err != nil {
		return err
	}

	var kycIssuer kyc.IssuerReview = issuerAdapter
	inbox := a.Inbox
	a.registerWorkers(workers, w.purge, sender, box, custodyAdapter, kycIssuer, pusher, now)
	if polled != nil {
		poller, err := issuerpoll.New(issuerpoll.Deps{DB: a.DB, Source: polled, Cards: a.Cards, Inbox: inbox, Jobs: a.Jobs,
			Log: a.Log, Now: now})
		if err != nil {
			return fmt.Errorf("app: issuer poller: %w", err)
		}
		river.AddWorker(workers, issuerpoll.NewWorker(poller))
	}

	custodySigner := custody.NewSigner(cfg.CustodyAPIKey, cfg.CustodyPreviousAPIKey)
	server, err := httpapi.NewServer(httpapi.Deps{
		PlatformDeps: httpapi.PlatformDeps{Log: a.Log, DB: a.DB, Ready: a.DB, Registry: registry, Spec: api.Spec,
			Idempotency: w.idempotency, Jobs: a.Jobs, Now: now, Tracing: a.Tracing},
		EdgeDeps: httpapi.EdgeDeps{CORSOrigins: cfg.CORSOrigins, TrustProxyHeaders: cfg.TrustProxyHeaders,
			Limiter: ratelimit.NewRequestLimiter(a.DB, a.Log, now), RequestsPerIP: cfg.RequestsPerIP, RequestsPerUser: cfg.RequestsPerUser},
		UserDeps: httpapi.UserDeps{Accounts: a.Accounts, KYC: a.KYC, Devices: w.devices,
			Notifications: &notification.Reader{DB: a.DB, Now: now}, Content: a.Content, Referrals: a.Referrals},
		MoneyDeps: httpapi.MoneyDeps{Wallets: a.Wallets, Swaps: a.Swaps, CardFees: a.CardFees, Coupons: a.Coupons},
		CardDeps: httpapi.CardDeps{Cards: a.Cards, CardSecrets: w.cardSecrets, Physical: a.Physical, ThreeDS: a.ThreeDS,
			Settings: a.Settings},
		WebhookDeps: httpapi.WebhookDeps{Inbox: inbox, Custody: custodySigner, ThreeDSAuth: auth3DS,
			KYCWebhookSecret: cfg.KYCWebhookSecret, KYCWebhookPreviousSecret: cfg.KYCWebhookPreviousSecret,
			IssuerWebhookSecret: cfg.IssuerWebhookSecret, IssuerWebhookPreviousSecret: cfg.IssuerWebhookPreviousSecret,
			ThreeDSWebhookSecret: cfg.ThreeDSWebhookSecret, ThreeDSWebhookPreviousSecret: cfg.ThreeDSWebhookPreviousSecret},
		Admin: httpapi.AdminDeps{Operators: a.Operators, Audit: a.Audit, Approvals: a.Approvals, Office: a.Office,
			ConsoleCSRF: secret.NewHasher(hasherKey(cfg.DataKey, "console-csrf")), SecureConsoleCookies: strings.HasPrefix(cfg.PublicBaseURL, "https://")},
		Sandbox: httpapi.SandboxDeps{Enabled: sandboxHelpers(cfg), Token: cfg.SandboxToken,
			Simulators: sandboxapi.Simulators{Custody: custodySim, Issuer: sandboxCards{issuerSim}, ThreeDS: issuerSim, FX: fxSim,
				Outbox: sandboxOutbox{a, w.devices}, IssuerFailures: issuerSim, KYCIssuer: kycIssuer}},
	})
	if err != nil {
		return fmt.Errorf("app: http server: %w", err)
	}
	a.Handler = watchTransactions(server)
	// The simulator reports withdrawal outcomes through the real callback
	// path: signed, stored in the inbox, then applied.
	custodySim.Deliver = func(ctx context.Context, body []byte) error {
		nonce, ts := secret.Hex(8), strconv.FormatInt(time.Now().Unix(), 10)
		form := url.Values{"body": {string(body)}, "nonce": {nonce}, "timestamp": {ts},
			"sign": {custodySigner.Sign(string(body), nonce, ts)}}
		id, _, err := server.AcceptCustody(ctx, form)
		if err != nil {
			return fmt.Errorf("app: simulated custody callback: %w", err)
		}
		return inbox.Process(ctx, id)
	}
	// The simulated issuer reports card events through the real webhook path.
	issuerSim.Deliver = func(ctx context.Context, body []byte) error {
		id, err := server.AcceptIssuerEvent(ctx, webhooksig.SignIssuerEvent(cfg.IssuerWebhookSecret, time.Now(), body), body)
		if err != nil {
			return fmt.Errorf("app: simulated issuer event: %w", err)
		}
		return inbox.Process(ctx, id)
	}
	return nil
}

// newInbox is the webhook inbox with its processor per provider. The
// services it dispatches to exist; the back office replays through it.
func (a *App) newInbox(now func() time.Time) *webhook.Inbox {
	return webhook.NewInbox(a.DB, map[string]webhook.Processor{
		"custody": a.Wallets.CustodyProcessor(),
		"3ds":     a.ThreeDS.Processor(),
		"issuer": a.Cards.IssuerProcessor(map[string]card.EventHandler{
			"physical.order.updated": a.Physical.IssuerEventHandler(),
			"kyc.review.completed":   kycReviewEvents(a.KYC),
		}),
		// An approval queues the issuer review in the decision's transaction.
		"kyc": a.KYC.ProviderProcessor(a.Jobs),
	}, a.Log, now)
}

// watchTransactions makes each request a unit of work for the pool's guard
// (store.WatchTransactions): a handler that queries the pool while its own
// transaction is open answers 500 with store.ErrPoolInTx logged, instead of
// hanging SQLite's connection for every request behind it.
func watchTransactions(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(store.WatchTransactions(r.Context())))
	})
}

// guardIssuer puts the per-call timeout and the circuit breaker in front
// of the issuer adapter (the real adapter gets the same guard); in sandbox
// mode the fault injector sits between them, where a network would fail.
func (a *App) guardIssuer(adapter issuerguard.Port, sandbox bool, registry *prometheus.Registry) *issuerguard.Issuer {
	if sandbox {
		a.IssuerFaults = issuerfaults.New(adapter)
		adapter = a.IssuerFaults
	}
	// Counted under the guard: what reached the issuer (or its stand-in).
	adapter = issuerguard.Instrument(adapter, providermetrics.MustFor(registry))
	a.Issuer = issuerguard.New(adapter, issuerguard.Settings{CallTimeout: a.Config.IssuerTimeout,
		Failures: uint32(max(a.Config.IssuerBreakerFailures, 0)), Cooldown: a.Config.IssuerBreakerCooldown, Log: a.Log,
		Tracing: a.Tracing})
	registry.MustRegister(a.Issuer.BreakerCollector())
	return a.Issuer
}

// StartJobs starts working jobs.
func (a *App) StartJobs(ctx context.Context) error { return a.Jobs.Start(ctx) }

// Close stops the job workers (letting running jobs finish within ctx) and
// closes the database.
func (a *App) Close(ctx context.Context) error {
	var errs []error
	if err := a.Jobs.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, fmt.Errorf("stop jobs: %w", err))
	}
	// The claims of requests still tagged with this process are from now on
	// those of an ended one: other replicas may take them over.
	errs = append(errs, a.instance.Close(), a.DB.Close(), a.Tracing.Shutdown(ctx))
	return errors.Join(errs...)
}

// Serve runs the HTTP server on ln until ctx ends, then shuts down
// gracefully: in-flight requests finish within the configured timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// hasherKey derives a purpose-bound key from the data key, so one secret
// never serves two purposes.
func hasherKey(dataKey []byte, purpose string) []byte {
	return []byte(secret.NewHasher(dataKey).Sum("derive", purpose))
}
