package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/sandboxseed"
)

const sandboxUsage = "usage: comecomepay sandbox seed   (sandbox mode only: a few users in every state, for the console)"

// sandboxCmd runs the sandbox-mode tools: `seed` fills the database with a
// few users in every state (sandboxseed) so the console is alive on first
// start. It refuses any other mode before touching the database.
func sandboxCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "seed" {
		return errors.New(sandboxUsage)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.Mode != config.Sandbox {
		return sandboxseed.ErrNotSandbox
	}
	// The seeded withdrawal must wait for an operator: this process does
	// not approve withdrawals by itself (a server started later keeps its
	// own setting; a pending withdrawal stays pending).
	cfg.SandboxWithdrawalsWaitForOperator = true
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	if err := a.StartJobs(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	if err := sandboxseed.Seed(ctx, a, stdout); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "sandbox seeded: sign in to the console to see it (users' password:", sandboxseed.Password+")")
	return nil
}
