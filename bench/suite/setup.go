package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/comecomepay/comecomepay/bench/seed"
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

// freshDB drops and creates database name and returns its URL.
func freshDB(ctx context.Context, o options, name string) (string, error) {
	conn, err := pgx.Connect(ctx, o.pgBase+"/postgres?sslmode=disable")
	if err != nil {
		return "", fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return "", fmt.Errorf("%s: %w", q, err)
		}
	}
	return o.pgBase + "/" + name + "?sslmode=disable", nil
}

// usersPlan is n funded users with nothing else: the load's senders and readers.
func usersPlan(n int) seed.Plan {
	return seed.Plan{Users: n, Deposit: 1_000_000 * seed.TransferAmount, PasswordHash: seed.UnusablePasswordHash, Chunk: 20_000}
}

// enableTxPassword sets the transaction password of the first user through
// the API (whatever scheme the server uses), then copies the stored hash to
// the others, which saves one slow hash per user.
func enableTxPassword(ctx context.Context, s *server, dbURL string, rep seed.Report) error {
	tok, err := signToken(rep.FirstUserID)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"transaction_password": txPassword, "confirm_transaction_password": txPassword})
	status, raw, err := call(ctx, "POST", s.base+"/api/v1/user/transaction-password/request", tok, body, nil)
	if err != nil || status != 200 {
		return fmt.Errorf("transaction password request: %d %s %v", status, raw, err)
	}
	var req struct {
		OTP      string `json:"otp"`
		TempHash string `json:"temp_hash"`
	}
	if err := json.Unmarshal(raw, &req); err != nil || req.OTP == "" {
		return fmt.Errorf("transaction password request answered %s (sandbox OTP echo expected)", raw)
	}
	body, _ = json.Marshal(map[string]string{"otp_code": req.OTP, "temp_hash": req.TempHash})
	if status, raw, err = call(ctx, "POST", s.base+"/api/v1/user/transaction-password/complete", tok, body, nil); err != nil || status != 200 {
		return fmt.Errorf("transaction password complete: %d %s %v", status, raw, err)
	}
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.SQL.ExecContext(ctx, `UPDATE users SET tx_password_hash = (SELECT tx_password_hash FROM users WHERE id = $1)
		WHERE id > $1 AND id <= $2`, rep.FirstUserID, rep.LastUserID)
	return err
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
