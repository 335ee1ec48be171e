package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/comecomepay/comecomepay/bench/seed"
	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// perIPOverride raises the per-IP limit: every request of the suite comes
// from 127.0.0.1, which stands for the many client addresses of production.
const perIPOverride = "1000000"

// limitsOn is the default configuration with the one override the suite declares.
var limitsOn = map[string]string{"COMECOMEPAY_RATE_LIMIT_PER_IP": perIPOverride}

// limitsOff switches both request limits off, to measure what they cost.
var limitsOff = map[string]string{"COMECOMEPAY_RATE_LIMIT_PER_IP": "0", "COMECOMEPAY_RATE_LIMIT_PER_USER": "0"}

const txPassword = "246810"

// checkpoint writes out what the setup or a reference run left in the WAL,
// so that a measurement does not pay for a checkpoint the suite itself
// provoked (seeding or pgbench -N write far more than the load between).
func checkpoint(ctx context.Context, o options) error { return onServer(ctx, o, "CHECKPOINT") }

// freshDB drops and creates database name and returns its URL.
func freshDB(ctx context.Context, o options, name string) (string, error) {
	if err := onServer(ctx, o, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)", "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return o.pgBase + "/" + name + "?sslmode=disable", nil
}

// onServer runs statements, one after the other, on the server's postgres database.
func onServer(ctx context.Context, o options, statements ...string) error {
	conn, err := pgx.Connect(ctx, o.pgBase+"/postgres?sslmode=disable")
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	for _, q := range statements {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// usersPlan is n funded users: the load's senders and readers.
//
// The users have some history (transfers, notifications, every tenth a card
// and its fee payment), so that no table the benchmarks write to starts
// empty: the planner's first plans for a statement on an empty table are
// sequential scans, which a server's cached statements would keep for the
// whole run, though production tables are never empty.
func usersPlan(n int) seed.Plan {
	return seed.Plan{Users: n, TransfersPerUser: 2, NotificationsPerUser: 3, CardEvery: 10, TradesPerCard: 2,
		Deposit: 1_000_000 * seed.TransferAmount, PasswordHash: seed.UnusablePasswordHash, Chunk: 20_000}
}

// enableTxPassword gives every seeded user the transaction password in the
// server's keyed form (account.TxPasswordHash under the data key the suite
// gives its servers), so every transfer goes through the real check.
func enableTxPassword(ctx context.Context, _ *server, dbURL string, rep seed.Report) error {
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	hasher := secret.NewHasher(dataKey)
	const chunk = 500
	for first := rep.FirstUserID; first <= rep.LastUserID; first += chunk {
		var values strings.Builder
		var args []any
		for id := first; id < first+chunk && id <= rep.LastUserID; id++ {
			if values.Len() > 0 {
				values.WriteString(", ")
			}
			fmt.Fprintf(&values, "(CAST($%d AS BIGINT), CAST($%d AS TEXT))", len(args)+1, len(args)+2)
			args = append(args, id, account.TxPasswordHash(hasher, id, txPassword))
		}
		if _, err := db.SQL.ExecContext(ctx, `UPDATE users SET tx_password_hash = v.column2 FROM (VALUES `+values.String()+`) AS v
			WHERE users.id = v.column1`, args...); err != nil {
			return fmt.Errorf("set transaction passwords: %w", err)
		}
	}
	return nil
}

var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)

// pgbench runs pgbench with mode ("-N" simple update, "-S" select only) at
// clients for the suite's duration on its own database, and returns tps.
func pgbench(ctx context.Context, o options, mode string, clients int) (float64, error) {
	out, err := exec.CommandContext(ctx, "pgbench", "-h", "127.0.0.1", "-U", "postgres", mode, "-c", strconv.Itoa(clients), "-j", "2",
		"-T", strconv.Itoa(int(o.secs.Seconds())), "ccp_bench_pgbench").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench %s -c %d: %w: %s", mode, clients, err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// pgbenchInit creates pgbench's tables at scale 10 once per run.
func pgbenchInit(ctx context.Context, o options) error {
	if pgbenchReady {
		return nil
	}
	if _, err := freshDB(ctx, o, "ccp_bench_pgbench"); err != nil {
		return err
	}
	if out, err := exec.CommandContext(ctx, "pgbench", "-h", "127.0.0.1", "-U", "postgres", "-i", "-q", "-s", "10",
		"ccp_bench_pgbench").CombinedOutput(); err != nil {
		return fmt.Errorf("pgbench -i: %w: %s", err, out)
	}
	pgbenchReady = true
	return nil
}

var pgbenchReady bool
