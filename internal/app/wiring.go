package app

import (
	"errors"
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/notify"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	issuerguard "github.com/comecomepay/comecomepay/internal/providers/issuer/guard"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/referral"
	"github.com/comecomepay/comecomepay/internal/swap"
	"github.com/comecomepay/comecomepay/internal/threeds"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// parts are what the domain services are built from: the platform pieces
// and the provider ports, made before any service.
type parts struct {
	now        func() time.Time
	box        *secret.Box
	hasher     *secret.Hasher
	sandbox    bool
	currencies []wallet.Currency
	custody    custodyAdapter
	rates      wallet.Rates
	issuer     *issuerguard.Issuer
	kyc        kyc.Provider
}

// wiring is the App's domain services while they are being wired, with the
// pieces the HTTP layer and the workers take that the App does not keep.
type wiring struct {
	*App
	devices     *notify.Devices
	cardSecrets *card.Secrets
	idempotency *idempotency.Store
	purge       *account.PurgeWorker
}

// buildServices builds every domain service with its collaborators passed
// to its constructor, in dependency order. The job queue exists already.
// The only collaborators left out are the back edges of the true two-way
// dependencies, which bindCycles sets.
func (a *App) buildServices(p parts) wiring {
	cfg, now, box, hasher := a.Config, p.now, p.box, p.hasher
	w := wiring{App: a, devices: notify.NewDevices(a.DB, now), idempotency: idempotency.NewStore(a.DB, a.instance, now)}
	var otpBox *secret.Box
	if p.sandbox {
		otpBox = box // lets a repeated login echo the code sent moments ago
	}
	// Per-user quotas of withdrawals, KYC and card applications.
	quotas := ratelimit.NewCounter(now)

	// Every notification is pushed by a job queued in its transaction, in
	// its recipient's language (Languages: bindCycles).
	a.Notifications = notification.NewService(notification.Deps{Jobs: a.Jobs, Now: now})
	hashProfile := account.DefaultHashProfile
	if cfg.PasswordHashProfile == "fast" {
		hashProfile = account.FastHashProfile
	}
	// Wallets, KYC and Guard: bindCycles.
	a.Accounts = account.NewService(account.Deps{
		DB:       a.DB,
		OTP:      otp.NewService(a.DB, hasher, otpBox, otp.DefaultPolicy, now),
		Limiter:  ratelimit.NewCounter(now),
		Mailer:   mail.NewQueue(a.Jobs, box),
		Notifier: a.Notifications,
		Devices:  w.devices,
		Signer:   account.NewSigner(cfg.JWTSecret, cfg.JWTPreviousSecrets, cfg.AccessTokenTTL, cfg.RefreshTokenTTL),
		Hasher:   hasher,
		Hash:     hashProfile,
		Now:      now,
		EchoOTP:  p.sandbox,
	})
	a.Coupons = coupon.NewService(coupon.Deps{DB: a.DB, Notifier: a.Notifications, Now: now})
	// The operator settings (API.md §3.3), read by each consumer when used.
	a.Settings = a.newSettings(p)
	// Sandbox mode approves every withdrawal; otherwise the settings'
	// auto-approval threshold decides.
	limits := wallet.Limits{AutoApproveWithdrawals: p.sandbox && !cfg.SandboxWithdrawalsWaitForOperator}
	// Cards: bindCycles.
	a.Wallets = wallet.NewService(wallet.Deps{
		DB: a.DB, Ledger: a.Ledger, Currencies: wallet.NewCurrencies(p.currencies),
		Custody: p.custody,
		Rates:   p.rates, FXSpread: cfg.FXSpread,
		// The wallet consults accounts for statuses and transaction passwords.
		Users: a.Accounts, TxPasswords: a.Accounts, Notifier: a.Notifications,
		Limits: limits, Settings: a.Settings, Quotas: quotas, Log: a.Log, Now: now,
	})
	// Cards: bindCycles.
	a.CardFees = cardfee.NewService(cardfee.Deps{DB: a.DB, Ledger: a.Ledger, Wallets: a.Wallets, Users: a.Accounts, Coupons: a.Coupons,
		Settings: a.Settings, Now: now})
	a.KYC = kyc.NewService(kyc.Deps{DB: a.DB, Box: box, Provider: p.kyc, Fees: a.CardFees, Users: a.Accounts,
		Notifier: a.Notifications, Quotas: quotas, Now: now})
	a.Referrals = referral.NewService(referral.Deps{DB: a.DB, Ledger: a.Ledger, Wallets: a.Wallets, Accounts: a.Accounts,
		Fees: a.CardFees, Notifier: a.Notifications, Jobs: a.Jobs, Settings: a.Settings, Now: now})
	// The audit log records operators' actions, some inside domains
	// (an operator's card change finished by the recovery job).
	a.Audit = audit.NewLog(audit.Deps{DB: a.DB, Now: now})
	// Swaps and PhysicalOrders: bindCycles.
	a.Cards = card.NewService(card.Deps{DB: a.DB, Fees: a.CardFees, KYC: a.KYC, Users: a.Accounts, Issuer: p.issuer,
		StatusIssuer: p.issuer, TradeSource: p.issuer, Balances: p.issuer, Log: a.Log, Ledger: a.Ledger,
		Refunds: a.Wallets, RefundCurrencies: a.Wallets.Currencies, Box: box,
		Notifier: a.Notifications, Jobs: a.Jobs, Commissions: a.Referrals, Settings: a.Settings,
		Quotas: quotas, Audit: a.Audit, Now: now})
	a.Swaps = swap.NewService(swap.Deps{DB: a.DB, Ledger: a.Ledger, Wallets: a.Wallets, Cards: a.Cards, Users: a.Accounts,
		Issuer: p.issuer, Jobs: a.Jobs, Commissions: a.Referrals, Policy: swap.DefaultPolicy, Settings: a.Settings, Now: now})
	a.Physical = physical.NewService(physical.Deps{DB: a.DB, Cards: a.Cards, Users: a.Accounts, Ledger: a.Ledger, Wallets: a.Wallets,
		OTP: otp.NewService(a.DB, hasher, nil, otp.DefaultPolicy, now), Mailer: mail.NewQueue(a.Jobs, box), Issuer: p.issuer,
		Jobs: a.Jobs, Hasher: hasher, Box: box, Log: a.Log, Notifier: a.Notifications,
		Settings: a.Settings, EchoOTP: p.sandbox, Now: now})
	a.ThreeDS = threeds.NewService(threeds.Deps{DB: a.DB, Box: box, Issuer: p.issuer, Cards: a.Cards,
		Users: threeDSUsers{a.Accounts}, Mailer: mail.NewQueue(a.Jobs, box), Notifications: a.Notifications, Now: now})
	// Card secrets (CVV, full number, PIN) come from the issuer per request;
	// PIN codes are e-mailed like the account's codes.
	w.cardSecrets = card.NewSecrets(card.SecretsDeps{DB: a.DB, Users: a.Accounts, Issuer: p.issuer,
		OTP: otp.NewService(a.DB, hasher, otpBox, otp.DefaultPolicy, now), Mailer: mail.NewQueue(a.Jobs, box), Log: a.Log,
		RevealLimit: card.DefaultRevealLimit, RevealWindow: card.DefaultRevealWindow, CodeTTL: otp.DefaultPolicy.TTL,
		EchoOTP: p.sandbox, Now: now})
	a.Content = content.NewService(a.DB, now)
	// Each package purges its own short-lived rows; the account's job
	// runs them together.
	w.purge = account.NewPurgeWorker(account.PurgeDeps{DB: a.DB, Codes: a.Accounts.OTP, RateCounters: a.Accounts.Limiter,
		IdempotencyKeys: w.idempotency, Now: now})
	a.Operators = operator.NewService(operator.Deps{DB: a.DB, Audit: a.Audit, Box: box, Hash: hashProfile,
		Policy: operator.DefaultPolicy, Now: now})
	// The inbox's processors are the services above; the back office
	// replays events through it.
	a.Inbox = a.newInbox(now)
	// Approvals executes the back office's actions (Approvals: bindCycles).
	a.Office = w.backOffice(now)
	a.Approvals = approval.NewService(approval.Deps{DB: a.DB, Audit: a.Audit, Executors: a.Office.Executors(), Now: now})
	return w
}

// bindCycles sets the back edges of the domains that need each other, the
// only collaborators not passed to a constructor. Each line is one true
// two-way dependency; the service built first gets the later one here.
func (w wiring) bindCycles() {
	// accounts ↔ notifications: texts in the recipient's language.
	w.Notifications.Languages = w.Accounts
	// accounts ↔ wallets, kyc: the profile shows the wallet id and KYC status.
	w.Accounts.Wallets, w.Accounts.KYC = w.Wallets, w.KYC
	// accounts ↔ wallets, swaps, cards, physical: money, applications and
	// orders in flight block a deactivation.
	w.Accounts.Guard = account.Guards{w.Wallets, w.Swaps, w.Cards, w.Physical}
	// wallets ↔ cards: the wallet's HKD line is the cards' balance.
	w.Wallets.Cards = w.Cards
	// cardfee ↔ cards: the slot rules count the user's cards.
	w.CardFees.Cards = w.Cards
	// cards ↔ swaps: no cancellation while a swap of the card settles.
	w.Cards.Swaps = w.Swaps
	// cards ↔ physical: issuing a physical card opens its order.
	w.Cards.PhysicalOrders = w.Physical
	// back office ↔ approvals: an approved four-eyes request executes a
	// back-office action.
	w.Office.Approvals = w.Approvals
}

// check refuses a start with any service missing a collaborator: a
// forgotten port must fail here, not strand money when a path first meets it.
func (w wiring) check() error {
	return errors.Join(w.Notifications.Check(), w.Accounts.Check(), w.Coupons.Check(), w.Settings.Check(), w.Wallets.Check(),
		w.CardFees.Check(), w.KYC.Check(), w.Referrals.Check(), w.Cards.Check(), w.Swaps.Check(),
		w.Physical.Check(), w.ThreeDS.Check(), w.cardSecrets.Check(), w.purge.Check(), w.Audit.Check(),
		w.Operators.Check(), w.Approvals.Check(), w.Office.Check())
}
