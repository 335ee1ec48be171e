package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// run is the whole program behind main, so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout)
	case "migrate":
		return migrate(ctx, getenv, stdout)
	case "ledger":
		if len(rest) != 1 || rest[0] != "verify" {
			return errors.New("usage: comecomepay ledger verify")
		}
		return verifyLedger(ctx, getenv, stdout)
	case "reconcile":
		if len(rest) != 0 {
			return errors.New("usage: comecomepay reconcile")
		}
		return reconcile(ctx, getenv, stdout)
	case "withdrawals":
		return withdrawals(ctx, rest, getenv, stdout)
	case "coupons":
		return coupons(ctx, rest, getenv, stdout)
	case "content":
		return contentCmd(ctx, rest, getenv, os.Stdin, stdout)
	case "tiers":
		return tiers(ctx, rest, getenv, stdout)
	case "sandbox":
		return sandboxCmd(ctx, rest, getenv, stdout)
	case "admin":
		return adminCmd(ctx, rest, getenv, os.Stdin, stdout)
	case "config":
		cfg, err := loadConfig(getenv)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, cfg.String())
		return nil
	case "version":
		fmt.Fprintln(stdout, "comecomepay", buildVersion())
		return nil
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate, ledger verify, reconcile, withdrawals, coupons, tiers, content, sandbox seed, admin, config or version)", cmd)
	}
}

func loadConfig(getenv func(string) string) (config.Config, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	cfg, err = config.EnsureSandboxSecrets(cfg)
	if err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.StringVar(&cfg.HTTPAddr, "addr", cfg.HTTPAddr, "listen address (overrides COMECOMEPAY_HTTP_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, human := newLogger(stdout, cfg.LogLevel, cfg.LogFormat)
	if cfg.Mode == config.Sandbox {
		log.Warn("SANDBOX MODE: simulated providers, OTP codes are echoed in responses; never expose this instance to real users",
			"data_dir", cfg.DataDir)
	}
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		_ = a.Close(context.WithoutCancel(ctx))
		return fmt.Errorf("listen: %w", err)
	}
	if err := a.StartJobs(ctx); err != nil {
		_ = a.Close(context.WithoutCancel(ctx))
		return fmt.Errorf("start jobs: %w", err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "mode", string(cfg.Mode), "database", string(a.DB.Engine), "version", buildVersion())
	announce(stdout, log, human, startupOf(ctx, a, ln.Addr(), strings.TrimSpace(getenv("COMECOMEPAY_PUBLIC_BASE_URL")) != ""))
	serveErr := a.Serve(ctx, ln)
	log.Info("shutting down")
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	return errors.Join(serveErr, a.Close(stopCtx))
}

// openStore opens the configured database without building the service.
func openStore(ctx context.Context, getenv func(string) string) (*store.DB, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DatabaseURL)
}

func migrate(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	db, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied (%s)\n", db.Engine)
	return nil
}

// verifyLedger checks the ledger invariants on a consistent snapshot; it is
// safe while the server runs and exits non-zero on drift.
func verifyLedger(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	db, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Ready(ctx); err != nil {
		return fmt.Errorf("database not ready: %w", err)
	}
	report, err := ledger.New(db, time.Now).VerifySnapshot(ctx)
	if err != nil {
		return fmt.Errorf("verify ledger: %w", err)
	}
	fmt.Fprint(stdout, report.String())
	if !report.OK() {
		return fmt.Errorf("ledger drift: %d problem(s)", len(report.Problems))
	}
	return nil
}

// reconcile compares card balances at the issuer with the ledger once and
// exits non-zero on a difference.
func reconcile(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	a, err := openApp(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx))
	r, err := a.Cards.Reconcile(ctx, nil)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	fmt.Fprint(stdout, r.String())
	if len(r.Mismatches) > 0 {
		return fmt.Errorf("card balances differ from the issuer's: %d card(s)", len(r.Mismatches))
	}
	return nil
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return version
}
