// Command comecomepay is the ComeComePay backend: `serve` (the default) runs
// the API and the job workers, `migrate` applies migrations, `ledger verify`
// checks the ledger invariants, `sandbox seed` fills a sandbox database for
// the console, `config` prints the effective configuration
// with secrets masked, `version` prints the build.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "comecomepay:", err)
		os.Exit(1)
	}
}
