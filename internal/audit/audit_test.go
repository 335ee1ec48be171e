package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

func TestAuditLogIsAppendOnlyAndMasked(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		clock := testclock.New(testclock.Start)
		log := audit.NewLog(audit.Deps{DB: db, Now: clock.Now})
		if err := log.Deps.Check(); err != nil {
			t.Fatal(err)
		}

		// Without an actor nothing is written.
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			return log.Record(ctx, tx, audit.Entry{Action: "user.freeze", TargetType: "user", TargetID: "1"})
		})
		if !errors.Is(err, audit.ErrNoActor) {
			t.Fatalf("record without actor: %v, want ErrNoActor", err)
		}

		actor := audit.Actor{Type: audit.ActorOperator, ID: 7, Label: "ops@example.com", Role: "compliance",
			IP: "203.0.113.9", UserAgent: "curl/8", RequestID: "req-1"}
		octx := audit.WithActor(ctx, actor)
		before := map[string]any{"status": "active", "email": "jane.doe@example.com", "phone": "+85291234567"}
		after := map[string]any{"status": "frozen", "profile": map[string]any{"full_name": "Jane Doe"},
			"password": "hunter2hunter2", "amount": "12.50"}
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			return log.Record(octx, tx, audit.Entry{Action: "user.freeze", TargetType: "user", TargetID: "42",
				Before: before, After: after, Reason: "fraud report"})
		}); err != nil {
			t.Fatalf("record: %v", err)
		}
		// A rolled-back change leaves no row.
		_ = db.InTx(ctx, func(tx *sql.Tx) error {
			if err := log.Record(octx, tx, audit.Entry{Action: "user.unfreeze", TargetType: "user", TargetID: "42"}); err != nil {
				return err
			}
			return errors.New("the change failed")
		})
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			return log.Record(audit.WithActor(ctx, audit.CLI()), tx, audit.Entry{Action: "withdrawal.approve",
				TargetType: "withdrawal", TargetID: "9"})
		}); err != nil {
			t.Fatalf("record cli: %v", err)
		}

		rows, total, err := log.List(ctx, audit.Filter{}, 10, 0)
		if err != nil || total != 2 || len(rows) != 2 {
			t.Fatalf("list: %d rows, total %d, err %v", len(rows), total, err)
		}
		got := rows[1]
		if got.Actor != actor || got.Action != "user.freeze" || got.TargetID != "42" || got.Reason != "fraud report" ||
			!got.At.Equal(clock.Now()) {
			t.Fatalf("row = %+v", got)
		}
		for _, clear := range []string{"jane.doe", "91234567", "Jane Doe", "hunter2"} {
			if strings.Contains(got.Before+got.After, clear) {
				t.Fatalf("personal data %q stored in clear: %s / %s", clear, got.Before, got.After)
			}
		}
		if !strings.Contains(got.Before, `"status":"active"`) || !strings.Contains(got.After, `"amount":"12.50"`) {
			t.Fatalf("non-personal state lost: %s / %s", got.Before, got.After)
		}

		// Filters: by actor type, action prefix, target.
		for _, c := range []struct {
			f    audit.Filter
			want int
		}{
			{audit.Filter{ActorType: audit.ActorCLI}, 1},
			{audit.Filter{ActorType: audit.ActorOperator, ActorID: 7}, 1},
			{audit.Filter{Action: "user."}, 1},
			{audit.Filter{Action: "withdrawal.approve"}, 1},
			{audit.Filter{Action: "withdrawal"}, 0},
			{audit.Filter{TargetType: "user", TargetID: "42"}, 1},
			{audit.Filter{From: clock.Now().Add(time.Microsecond)}, 0},
			{audit.Filter{To: clock.Now().Add(time.Microsecond)}, 2},
		} {
			if _, n, err := log.List(ctx, c.f, 10, 0); err != nil || n != c.want {
				t.Fatalf("filter %+v: %d rows, err %v; want %d", c.f, n, err, c.want)
			}
		}

		// The table refuses changes to what is written.
		if _, err := db.SQL.ExecContext(ctx, `UPDATE audit_log SET reason = 'nothing happened'`); err == nil {
			t.Fatal("UPDATE on audit_log succeeded")
		}
		if _, err := db.SQL.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
			t.Fatal("DELETE on audit_log succeeded")
		}
		if _, n, _ := log.List(ctx, audit.Filter{}, 10, 0); n != 2 {
			t.Fatalf("rows after refused changes = %d", n)
		}
	})
}
