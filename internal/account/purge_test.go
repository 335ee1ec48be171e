package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

func TestPurgeDeletesOnlyFinishedRows(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		old, fresh := now.Add(-48*time.Hour).UnixMicro(), now.Add(-time.Hour).UnixMicro()
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO otp_codes (purpose, subject, code_hash, sent_at, expires_at, flow_started_at) VALUES ('login', 'old', 'h', $1, $1, $1)`, []any{old}},
			{`INSERT INTO otp_codes (purpose, subject, code_hash, sent_at, expires_at, flow_started_at) VALUES ('login', 'fresh', 'h', $1, $1, $1)`, []any{fresh}},
			{`INSERT INTO pending_registrations (email, created_at, updated_at) VALUES ('old@x.io', $1, $1)`, []any{old}},
			{`INSERT INTO rate_counters (key, window_start, hits) VALUES ('old', $1, 3)`, []any{old}},
			{`INSERT INTO idempotency_keys (user_id, key, fingerprint, state, lock_token, created_at, expires_at)
				VALUES (1, 'old-key-1', 'f', 'done', 't', $1, $1)`, []any{old}},
			{`INSERT INTO idempotency_keys (user_id, key, fingerprint, state, lock_token, created_at, expires_at)
				VALUES (1, 'fresh-key', 'f', 'done', 't', $1, $1)`, []any{fresh}},
		} {
			if _, err := db.SQL.ExecContext(ctx, q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
		clock := func() time.Time { return now }
		instance, err := idempotency.Register(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = instance.Close() })
		w := account.NewPurgeWorker(account.PurgeDeps{DB: db, Codes: otp.NewService(db, secret.NewHasher(make([]byte, 32)), nil, otp.DefaultPolicy, clock),
			RateCounters: ratelimit.NewCounter(clock), IdempotencyKeys: idempotency.NewStore(db, instance, clock), Now: clock})
		if err := w.Work(ctx, &river.Job[account.PurgeArgs]{}); err != nil {
			t.Fatalf("purge: %v", err)
		}
		for _, c := range []struct {
			query string
			want  int
		}{
			{`SELECT COUNT(*) FROM otp_codes WHERE subject = 'old'`, 0},
			{`SELECT COUNT(*) FROM otp_codes WHERE subject = 'fresh'`, 1},
			{`SELECT COUNT(*) FROM pending_registrations`, 0},
			{`SELECT COUNT(*) FROM rate_counters`, 0},
			{`SELECT COUNT(*) FROM idempotency_keys WHERE key = 'old-key-1'`, 0},
			{`SELECT COUNT(*) FROM idempotency_keys WHERE key = 'fresh-key'`, 1},
		} {
			var n int
			if err := db.SQL.QueryRowContext(ctx, c.query).Scan(&n); err != nil || n != c.want {
				t.Errorf("%s = %d (err %v), want %d", c.query, n, err, c.want)
			}
		}
	})
}
