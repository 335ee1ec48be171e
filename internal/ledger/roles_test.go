package ledger_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestProductionRoleCannotRewriteTheBook applies docs/postgres-roles.sql to
// a fresh database and runs as the application role it describes: the
// service starts (its migration step is a no-op) and posts, but can neither
// change the book nor switch the guards off.
func TestProductionRoleCannotRewriteTheBook(t *testing.T) {
	t.Parallel()
	if os.Getenv(storetest.PostgresURLEnv) == "" {
		t.Skip("PostgreSQL roles: " + storetest.PostgresURLEnv + " is not set")
	}
	ctx := context.Background()
	ownerURL := storetest.URL(t, store.Postgres)
	owner, err := sql.Open("pgx", ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	suffix := make([]byte, 16)
	_, _ = rand.Read(suffix)
	app, password := "ccp_test_app_"+hex.EncodeToString(suffix[:3]), hex.EncodeToString(suffix)
	if _, err := owner.ExecContext(ctx, "CREATE ROLE "+app+" LOGIN PASSWORD '"+password+"'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = owner.ExecContext(context.Background(), "DROP OWNED BY "+app)
		_, _ = owner.ExecContext(context.Background(), "DROP ROLE "+app)
	})
	recipe, err := os.ReadFile("../../docs/postgres-roles.sql")
	if err != nil {
		t.Fatal(err)
	}
	script := strings.NewReplacer("comecomepay_app", app, "comecomepay_owner", "CURRENT_USER").Replace(string(recipe))
	if _, err := owner.ExecContext(ctx, script); err != nil {
		t.Fatalf("apply docs/postgres-roles.sql: %v", err)
	}

	u, err := url.Parse(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(app, password)
	db, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("start-up migration as the application role: %v", err)
	}
	l := ledger.New(db, time.Now)
	if err := post(ctx, db, l, deposit(7, 50, "dep")); err != nil {
		t.Fatalf("post as the application role: %v", err)
	}
	if err := post(ctx, db, l, transfer(7, 8, 20, "trf")); err != nil {
		t.Fatalf("post as the application role: %v", err)
	}
	for _, q := range []string{
		`UPDATE ledger_postings SET amount = amount * 2`,
		`DELETE FROM ledger_postings`,
		`TRUNCATE ledger_postings, ledger_transactions, ledger_accounts`,
		`UPDATE ledger_accounts SET may_go_negative = TRUE`,
		`ALTER TABLE ledger_postings DISABLE TRIGGER USER`,
		`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_user_not_negative`,
	} {
		if _, err := db.SQL.ExecContext(ctx, q); err == nil {
			t.Errorf("the application role may: %s", q)
		}
	}
	report, err := l.VerifySnapshot(ctx)
	if err != nil || !report.OK() || report.Transactions != 2 {
		t.Fatalf("verify: %v\n%s", err, report)
	}
}
