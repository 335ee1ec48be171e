package approval_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

func operatorCtx(db *store.DB, t *testing.T, email string) context.Context {
	t.Helper()
	var id int64
	if err := db.SQL.QueryRow(`INSERT INTO operators (email, display_name, role, status, password_hash, totp_secret, created_at, updated_at)
		VALUES ($1, $1, 'finance', 'active', 'x', 'x', 1, 1) RETURNING id`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorOperator, ID: id, Label: email, Role: "finance"})
}

func TestFourEyes(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		db := storetest.New(t, engine)
		clock := testclock.New(testclock.Start)
		log := audit.NewLog(audit.Deps{DB: db, Now: clock.Now})
		var executed atomic.Int32
		failNext := false
		svc := approval.NewService(approval.Deps{DB: db, Audit: log, Now: clock.Now, Executors: map[approval.Kind]approval.Executor{
			"ledger.adjust": func(ctx context.Context, tx *sql.Tx, r approval.Request) (any, any, error) {
				if failNext {
					return nil, nil, errors.New("insufficient balance")
				}
				executed.Add(1)
				return map[string]any{"balance": 0}, map[string]any{"balance": int64(r.Amount)}, nil
			},
		}})
		if err := svc.Deps.Check(); err != nil {
			t.Fatal(err)
		}
		alice, bob := operatorCtx(db, t, "alice@example.com"), operatorCtx(db, t, "bob@example.com")
		others := make([]context.Context, 10)
		for i := range others {
			others[i] = operatorCtx(db, t, fmt.Sprintf("op%d@example.com", i))
		}

		if _, err := svc.Submit(audit.WithActor(context.Background(), audit.CLI()), approval.New{Kind: "ledger.adjust"}); err == nil {
			t.Fatal("the CLI made a four-eyes request")
		}
		req, err := svc.Submit(alice, approval.New{Kind: "ledger.adjust", TargetType: "user", TargetID: "42",
			Amount: 500_000, Currency: "USDT-TRC20", Payload: map[string]any{"user_id": 42}, Reason: "goodwill"})
		if err != nil || req.Status != approval.Pending {
			t.Fatalf("submit: %+v %v", req, err)
		}
		if _, err := svc.Submit(bob, approval.New{Kind: "ledger.adjust", TargetType: "user", TargetID: "42"}); !errors.Is(err, approval.ErrOpen) {
			t.Fatalf("second open request on the same target: %v", err)
		}
		if _, err := svc.Approve(alice, req.ID, "mine"); !errors.Is(err, approval.ErrSelfApproval) {
			t.Fatalf("self-approval: %v", err)
		}
		// A failing action leaves the request pending and unexecuted.
		failNext = true
		if _, err := svc.Approve(bob, req.ID, "try"); err == nil {
			t.Fatal("approval of a failing action succeeded")
		}
		failNext = false
		if got, _ := svc.Get(context.Background(), req.ID); got.Status != approval.Pending {
			t.Fatalf("after a failed execution: %s", got.Status)
		}

		// Ten operators approve at once: executed once.
		var wg sync.WaitGroup
		var ok atomic.Int32
		for _, ctx := range others {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.Approve(ctx, req.ID, "ok"); err == nil {
					ok.Add(1)
				} else if !errors.Is(err, approval.ErrNotPending) {
					t.Errorf("concurrent approval: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 || executed.Load() != 1 {
			t.Fatalf("%d approvals succeeded, executed %d times", ok.Load(), executed.Load())
		}
		got, _ := svc.Get(context.Background(), req.ID)
		if got.Status != approval.Executed || got.DecidedBy == 0 || got.DecidedBy == got.RequestedBy {
			t.Fatalf("decided: %+v", got)
		}
		if _, err := svc.Reject(bob, req.ID, "late"); !errors.Is(err, approval.ErrNotPending) {
			t.Fatalf("reject after execution: %v", err)
		}
		// The action's row names the approver; one row per call.
		rows, _, _ := log.List(context.Background(), audit.Filter{Action: "ledger.adjust"}, 10, 0)
		if len(rows) != 1 || rows[0].Actor.ID != got.DecidedBy || rows[0].TargetID != "42" {
			t.Fatalf("action audit rows: %+v", rows)
		}

		// Reject: nothing executes; a new request for the target is possible again.
		req2, err := svc.Submit(alice, approval.New{Kind: "ledger.adjust", TargetType: "user", TargetID: "42", Amount: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Reject(bob, req2.ID, "no ticket"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Approve(bob, req2.ID, ""); !errors.Is(err, approval.ErrNotPending) {
			t.Fatalf("approve after reject: %v", err)
		}
		if list, n, err := svc.List(context.Background(), approval.Pending, 10, 0); err != nil || n != 0 || len(list) != 0 {
			t.Fatalf("pending list: %v %d %v", list, n, err)
		}
		if _, n, _ := svc.List(context.Background(), "", 10, 0); n != 2 {
			t.Fatalf("all requests: %d", n)
		}
		if executed.Load() != 1 {
			t.Fatalf("executed %d times", executed.Load())
		}
	})
}
