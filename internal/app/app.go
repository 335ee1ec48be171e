// Package app is the composition root: it builds the store, the domain
// services, the providers, the job queue and the HTTP handler from a Config.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/api"
	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/account/accountdb"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/httpapi"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/notify"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
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
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/referral"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/swap"
	"github.com/comecomepay/comecomepay/internal/threeds"
	"github.com/comecomepay/comecomepay/internal/wallet"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// Options are test seams; production leaves them zero.
type Options struct {
	// Now replaces the wall clock of the domain services.
	Now func() time.Time
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
}

// New opens the database, applies migrations and wires every component.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	now := opts.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	if err := guardProviders(cfg, log); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db}
	if err := a.build(ctx, now); err != nil {
		_ = db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, now func() time.Time) error {
	cfg := a.Config
	if err := a.DB.Migrate(ctx); err != nil {
		return err
	}
	box, err := secret.NewBox("k1", map[string][]byte{"k1": cfg.DataKey})
	if err != nil {
		return fmt.Errorf("data key: %w", err)
	}
	hasher := secret.NewHasher(cfg.DataKey)
	sandbox := cfg.Mode == config.Sandbox

	var sender mail.Sender
	if cfg.SMTP.Configured() {
		sender = emailsmtp.New(emailsmtp.Config{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, From: cfg.SMTP.From, StartTLS: cfg.SMTP.StartTLS})
	} else {
		a.Outbox = emailsandbox.NewOutbox(now)
		sender = a.Outbox
	}

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// Domain services that need no job queue come first, so their workers
	// can be registered before the queue is built.
	a.Ledger = ledger.New(a.DB, now)
	custodySim := custodysandbox.New(hasherKey(cfg.DataKey, "custody-sandbox"))
	custodySim.SettleDelay, custodySim.AutoSettle = cfg.SandboxSettleDelay, cfg.SandboxAutoSettle
	limits := wallet.DefaultLimits
	limits.AutoApproveWithdrawals = sandbox
	limits.WithdrawalNeedsTxPassword = cfg.WithdrawalNeedsTxPassword
	currencies, err := wallet.SelectCurrencies(cfg.WalletCurrencies)
	if err != nil {
		return fmt.Errorf("COMECOMEPAY_WALLET_CURRENCIES: %w", err)
	}
	// Per-user quotas of withdrawals, KYC and card applications.
	quotas := ratelimit.NewCounter(now)
	fxSim, err := fxsandbox.New(ctx, a.DB, cfg.FXRate, now)
	if err != nil {
		return err
	}
	var rates wallet.Rates = wallet.FixedRates{Rate: cfg.FXRate}
	if sandbox {
		rates = fxSim // POST /sandbox/fx changes it for every replica
	}
	wallets := wallet.NewService(wallet.Deps{
		DB: a.DB, Ledger: a.Ledger, Currencies: wallet.NewCurrencies(currencies),
		Custody: custodySim,
		Rates:   rates, FXSpread: cfg.FXSpread,
		Limits: limits, Quotas: quotas, Log: a.Log, Now: now,
	})
	a.Wallets = wallets
	a.KYC = kyc.NewService(kyc.Deps{DB: a.DB, Box: box, Provider: kycsandbox.New(cfg.PublicBaseURL), Quotas: quotas, Now: now})
	issuerSim := issuersandbox.New(a.DB, cfg.SandboxCardBIN, now)
	issuerSim.IssueDelay, issuerSim.FailureRate = cfg.SandboxIssueDelay, cfg.SandboxIssueFailureRate
	a.IssuerSim = issuerSim
	issuer := a.guardIssuer(issuerSim, sandbox)
	notifications := notification.NewStore(now)
	a.Cards = card.NewService(card.Deps{DB: a.DB, KYC: a.KYC, Issuer: issuer, StatusIssuer: issuer, TradeSource: issuer, Balances: issuer, Log: a.Log, Ledger: a.Ledger,
		Refunds: wallets, RefundCurrencies: wallets.Currencies, RefundCurrency: "USDT-TRC20", Box: box, MaxCards: cfg.MaxCards,
		Quotas: quotas, IssueTimeout: 24 * time.Hour, Now: now})
	a.Swaps = swap.NewService(swap.Deps{DB: a.DB, Ledger: a.Ledger, Wallets: wallets, Cards: a.Cards, Issuer: issuer,
		Policy: swap.DefaultPolicy, Now: now})
	a.Physical = physical.NewService(physical.Deps{DB: a.DB, Cards: a.Cards, Ledger: a.Ledger, Wallets: wallets,
		OTP: otp.NewService(a.DB, hasher, nil, otp.DefaultPolicy, now), Issuer: issuer, Hasher: hasher, Box: box, Log: a.Log,
		UpgradeFee: physical.DefaultUpgradeFee, EchoOTP: sandbox, Now: now})
	// Commissions are paid in USDT-TRC20 (API.md §3.3); accounts, fees and
	// the queue are wired once they exist.
	a.Referrals = referral.NewService(referral.Deps{DB: a.DB, Ledger: a.Ledger, Wallets: wallets, Notifier: notifications,
		PayoutCurrency: referral.DefaultPayoutCurrency, Now: now})
	kycIssuer := kycsandbox.Issuer{}
	processors := map[string]webhook.Processor{"custody": wallets.CustodyProcessor()}
	// 3DS: its users and mailer are wired once accounts and the queue exist.
	a.ThreeDS = threeds.NewService(threeds.Deps{DB: a.DB, Box: box, Issuer: issuer, Cards: a.Cards,
		Notifications: notifications, Now: now})
	processors["3ds"] = a.ThreeDS.Processor()
	inbox := webhook.NewInbox(a.DB, processors, a.Log, now)
	a.Inbox = inbox

	pusher, err := a.pusher(cfg, now)
	if err != nil {
		return err
	}
	if a.Jobs, err = newJobs(a.DB, cfg, a.Log, registry, now, sender, box, inbox,
		worker(wallet.NewSubmitWorker(wallets, custodySim)), worker(kyc.NewReviewWorker(a.KYC, kycIssuer)),
		worker(card.NewIssueWorker(a.Cards)), worker(card.NewStatusRecoverWorker(a.Cards)), worker(card.NewExpireHoldsWorker(a.Cards)), worker(card.NewReconcileWorker(a.Cards, a.Log)), worker(swap.NewResolveWorker(a.Swaps)), worker(threeds.NewExpireWorker(a.ThreeDS)),
		worker(physical.NewRecoverWorker(a.Physical)), worker(notify.NewPushWorker(a.DB, pusher, a.Log, now)),

		worker(referral.NewCommissionWorker(a.Referrals))); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	processors["issuer"] = a.Cards.IssuerProcessor(map[string]card.EventHandler{
		"physical.order.updated": a.Physical.IssuerEventHandler(),
		"kyc.review.completed":   kycReviewEvents(a.KYC),
	})
	// An approval queues the issuer review in the decision's transaction.
	processors["kyc"] = a.KYC.ProviderProcessor(a.Jobs)

	var otpBox *secret.Box
	if sandbox {
		otpBox = box // lets a repeated login echo the code sent moments ago
	}
	hashProfile := account.DefaultHashProfile
	if cfg.PasswordHashProfile == "fast" {
		hashProfile = account.FastHashProfile
	}
	devices := notify.NewDevices(a.DB, now)
	a.Accounts = account.NewService(account.Deps{
		DB:       a.DB,
		Repo:     accountdb.New(a.DB),
		OTP:      otp.NewService(a.DB, hasher, otpBox, otp.DefaultPolicy, now),
		Limiter:  ratelimit.NewCounter(now),
		Mailer:   mail.NewQueue(a.Jobs, box),
		Notifier: notifications,
		Wallets:  wallets,
		KYC:      a.KYC,
		Guard:    account.Guards{wallets, a.Swaps, a.Cards, a.Physical},
		Devices:  devices,
		Signer:   account.NewSigner(cfg.JWTSecret, cfg.JWTPreviousSecrets, cfg.AccessTokenTTL, cfg.RefreshTokenTTL),
		Hasher:   hasher,
		Hash:     hashProfile,
		Now:      now,
		EchoOTP:  sandbox,
	})
	// The wallet consults accounts for statuses and transaction passwords.
	wallets.Users, wallets.TxPasswords = a.Accounts, a.Accounts
	a.Coupons = coupon.NewService(a.DB, now)
	a.CardFees = cardfee.NewService(cardfee.Deps{DB: a.DB, Ledger: a.Ledger, Wallets: wallets, Users: a.Accounts, Coupons: a.Coupons,
		Cards: a.Cards, MaxCards: cfg.MaxCards, Now: now})
	a.KYC.Users, a.KYC.Fees = a.Accounts, a.CardFees
	a.Cards.Users, a.Cards.Fees, a.Cards.Notifier = a.Accounts, a.CardFees, notifications
	a.Cards.Swaps, a.Cards.Jobs = a.Swaps, a.Jobs
	// Every notification is pushed by a job queued in its transaction.
	notifications.Jobs = a.Jobs
	notifications.Languages = a.Accounts
	wallets.Notifier = notifications
	a.KYC.Notifier = notifications
	a.Coupons.Notifier = notifications
	wallets.Cards = a.Cards
	a.Swaps.Users, a.Swaps.Jobs = a.Accounts, a.Jobs
	a.Physical.Users, a.Physical.Mailer, a.Physical.Jobs = a.Accounts, mail.NewQueue(a.Jobs, box), a.Jobs
	a.Physical.Notifier = notifications
	a.Cards.PhysicalOrders = a.Physical
	a.Referrals.Accounts, a.Referrals.Fees, a.Referrals.Jobs = a.Accounts, a.CardFees, a.Jobs
	a.Cards.Commissions, a.Swaps.Commissions = a.Referrals, a.Referrals
	a.ThreeDS.Users, a.ThreeDS.Mailer = threeDSUsers{a.Accounts}, mail.NewQueue(a.Jobs, box)
	// Card secrets (CVV, full number, PIN) come from the issuer per request;
	// PIN codes are e-mailed like the account's codes.
	cardSecrets := card.NewSecrets(card.SecretsDeps{DB: a.DB, Users: a.Accounts, Issuer: issuer,
		OTP: otp.NewService(a.DB, hasher, otpBox, otp.DefaultPolicy, now), Mailer: mail.NewQueue(a.Jobs, box), Log: a.Log,
		RevealLimit: card.DefaultRevealLimit, RevealWindow: card.DefaultRevealWindow, CodeTTL: otp.DefaultPolicy.TTL,
		EchoOTP: sandbox, Now: now})

	a.Content = content.NewService(a.DB, now)

	custodySigner := custody.NewSigner(cfg.CustodyAPIKey, cfg.CustodyPreviousAPIKey)
	server, err := httpapi.NewServer(httpapi.Deps{
		Log: a.Log, DB: a.DB, Accounts: a.Accounts, Wallets: wallets, CardFees: a.CardFees, Coupons: a.Coupons, Devices: devices, Ready: a.DB, Registry: registry, Spec: api.Spec,
		Idempotency: idempotency.NewStore(a.DB, now), Inbox: inbox, Jobs: a.Jobs,
		Custody: custodySigner, SandboxCustody: custodySim, SandboxCards: sandboxCards{issuerSim}, SandboxOutbox: sandboxOutbox{a}, SandboxFX: fxSim,
		Notifications:       &notification.Reader{DB: a.DB, Now: now},
		IssuerWebhookSecret: cfg.IssuerWebhookSecret,
		KYC:                 a.KYC, KYCIssuer: kycIssuer, Swaps: a.Swaps, KYCWebhookSecret: cfg.KYCWebhookSecret, Cards: a.Cards, IssuerFailures: issuerSim,
		Physical:    a.Physical,
		Referrals:   a.Referrals,
		CardSecrets: cardSecrets,
		CORSOrigins: cfg.CORSOrigins, TrustProxyHeaders: cfg.TrustProxyHeaders, Sandbox: sandboxHelpers(cfg),
		SandboxToken: cfg.SandboxToken,
		Limiter:      ratelimit.NewCounter(now), RequestsPerIP: cfg.RequestsPerIP, RequestsPerUser: cfg.RequestsPerUser, Now: now,
		ThreeDS: a.ThreeDS, ThreeDSWebhookSecret: cfg.ThreeDSWebhookSecret, SandboxThreeDS: issuerSim,
		KYCWebhookPreviousSecret: cfg.KYCWebhookPreviousSecret, IssuerWebhookPreviousSecret: cfg.IssuerWebhookPreviousSecret, ThreeDSWebhookPreviousSecret: cfg.ThreeDSWebhookPreviousSecret,
		Content: a.Content,
	})
	if err != nil {
		return err
	}
	a.Handler = server
	// The simulator reports withdrawal outcomes through the real callback
	// path: signed, stored in the inbox, then applied.
	custodySim.Deliver = func(ctx context.Context, body []byte) error {
		nonce, ts := secret.Hex(8), strconv.FormatInt(time.Now().Unix(), 10)
		form := url.Values{"body": {string(body)}, "nonce": {nonce}, "timestamp": {ts},
			"sign": {custodySigner.Sign(string(body), nonce, ts)}}
		id, _, err := server.AcceptCustody(ctx, form)
		if err != nil {
			return err
		}
		return inbox.Process(ctx, id)
	}
	// The simulated issuer reports card events through the real webhook path.
	issuerSim.Deliver = func(ctx context.Context, body []byte) error {
		id, err := server.AcceptIssuerEvent(ctx, httpapi.SignIssuerEvent(cfg.IssuerWebhookSecret, time.Now(), body), body)
		if err != nil {
			return err
		}
		return inbox.Process(ctx, id)
	}
	return nil
}

// guardIssuer puts the per-call timeout and the circuit breaker in front
// of the issuer adapter (the real adapter gets the same guard); in sandbox
// mode the fault injector sits between them, where a network would fail.
func (a *App) guardIssuer(adapter issuerguard.Port, sandbox bool) *issuerguard.Issuer {
	if sandbox {
		a.IssuerFaults = issuerfaults.New(adapter)
		adapter = a.IssuerFaults
	}
	a.Issuer = issuerguard.New(adapter, issuerguard.Settings{CallTimeout: a.Config.IssuerTimeout,
		Failures: uint32(max(a.Config.IssuerBreakerFailures, 0)), Cooldown: a.Config.IssuerBreakerCooldown, Log: a.Log})
	return a.Issuer
}

// newJobs registers every worker and periodic job and builds the queue.
func newJobs(db *store.DB, cfg config.Config, log *slog.Logger, registry prometheus.Registerer, now func() time.Time,
	sender mail.Sender, box *secret.Box, inbox *webhook.Inbox, domain ...func(*river.Workers)) (*jobs.Client, error) {
	workers := river.NewWorkers()
	for _, add := range domain {
		add(workers)
	}
	river.AddWorker(workers, mail.NewWorker(sender, box, log))
	river.AddWorker(workers, account.NewPurgeWorker(db, now))
	river.AddWorker(workers, webhook.NewWorker(inbox))
	return jobs.New(db, workers, jobs.Options{
		PollInterval: cfg.JobPollInterval, Logger: log, Metrics: registry,
		Periodic: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return account.PurgeArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			// Card balances at the issuer against the ledger (API.md §3.7).
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return card.ReconcileArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			// Authorisations never cleared release their holds.
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return card.ExpireHoldsArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			// Live 3DS challenges end at their expiry (API.md §2.11.4).
			river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return threeds.ExpireArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		},
	})
}

// worker registers a domain's job worker with the queue.
func worker[T river.JobArgs](w river.Worker[T]) func(*river.Workers) {
	return func(ws *river.Workers) { river.AddWorker(ws, w) }
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
	errs = append(errs, a.DB.Close())
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
