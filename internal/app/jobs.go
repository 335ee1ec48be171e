package app

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/card/issuerpoll"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/notify"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/referral"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/swap"
	"github.com/comecomepay/comecomepay/internal/threeds"
	"github.com/comecomepay/comecomepay/internal/wallet"
	"github.com/comecomepay/comecomepay/internal/webhook"
	"go.opentelemetry.io/otel/trace"
)

// newJobs builds the queue on workers, which registerWorkers fills before
// the queue starts, with the periodic jobs.
func newJobs(db *store.DB, workers *river.Workers, cfg config.Config, log *slog.Logger, registry prometheus.Registerer,
	tp trace.TracerProvider, pollIssuer bool) (*jobs.Client, error) {
	periodic := []*river.PeriodicJob{
		// Custody balances against the ledger's omnibus, daily (the worker
		// skips while the last run is under 23 h old; API.md §3.7).
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return wallet.CustodyReconcileArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		// KYC sessions whose webhook never came are pulled from the provider.
		river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return kyc.SyncStaleArgs{}, nil }, nil),
	}
	if pollIssuer {
		periodic = append(periodic, issuerpoll.PeriodicJob(issuerpoll.DefaultInterval))
	}
	return jobs.New(db, workers, jobs.Options{
		PollInterval: cfg.JobPollInterval, Logger: log, Metrics: registry, Tracing: tp,
		Periodic: append(periodic, []*river.PeriodicJob{
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
		}...),
	})
}

// registerWorkers adds every job worker to the queue's bundle. River reads
// the bundle when a job is inserted or worked, so workers added after the
// client was built are picked up as long as this runs before StartJobs
// (River's own tests register after NewClient the same way).
func (a *App) registerWorkers(workers *river.Workers, purge *account.PurgeWorker, sender mail.Sender, box *secret.Box, custody custodyAdapter,
	kycIssuer kyc.IssuerReview, pusher notify.Pusher, now func() time.Time) {
	river.AddWorker(workers, wallet.NewSubmitWorker(a.Wallets, custody))
	river.AddWorker(workers, wallet.NewCustodyReconcileWorker(a.Wallets, custody))
	river.AddWorker(workers, kyc.NewReviewWorker(a.KYC, kycIssuer))
	river.AddWorker(workers, kyc.NewSyncWorker(a.KYC, a.Jobs))
	river.AddWorker(workers, kyc.NewSyncStaleWorker(a.KYC, a.Jobs))
	river.AddWorker(workers, card.NewIssueWorker(a.Cards))
	river.AddWorker(workers, card.NewStatusRecoverWorker(a.Cards))
	river.AddWorker(workers, card.NewExpireHoldsWorker(a.Cards))
	river.AddWorker(workers, card.NewReconcileWorker(a.Cards, a.Log))
	river.AddWorker(workers, swap.NewResolveWorker(a.Swaps))
	river.AddWorker(workers, threeds.NewExpireWorker(a.ThreeDS))
	river.AddWorker(workers, physical.NewRecoverWorker(a.Physical))
	river.AddWorker(workers, notify.NewPushWorker(a.DB, pusher, a.Log, now))
	river.AddWorker(workers, referral.NewCommissionWorker(a.Referrals))
	river.AddWorker(workers, mail.NewWorker(sender, box, a.Log))
	river.AddWorker(workers, purge)
	river.AddWorker(workers, webhook.NewWorker(a.Inbox))
	// Operators' broadcasts and coupon campaigns, in batches over the users.
	river.AddWorker(workers, notification.NewBroadcastWorker(notification.BroadcastDeps{DB: a.DB, Creator: a.Notifications,
		Recipients: a.Accounts, Log: a.Log, Now: now}))
	river.AddWorker(workers, coupon.NewAssignAllWorker(coupon.AssignAllDeps{Coupons: a.Coupons, Recipients: a.Accounts, Log: a.Log}))
}
