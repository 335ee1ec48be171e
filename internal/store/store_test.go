package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

func TestStoreBehaviour(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		if err := db.Ready(ctx); err != nil {
			t.Fatalf("Ready on a migrated database: %v", err)
		}
		// Migrate is idempotent.
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		// Positional $n placeholders and RETURNING work on both engines.
		var id int64
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `INSERT INTO users (email, password_hash, referral_code, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4) RETURNING id`, "a@b.com", "x", "ABCDEFGH", int64(1)).Scan(&id)
		})
		if err != nil || id <= 0 {
			t.Fatalf("insert: id=%d err=%v", id, err)
		}
		// A failing fn rolls back.
		boom := errors.New("boom")
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET email = $1 WHERE id = $2`, "c@d.com", id); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx error = %v, want boom", err)
		}
		var email string
		if err := db.SQL.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, id).Scan(&email); err != nil || email != "a@b.com" {
			t.Fatalf("after rollback email=%q err=%v", email, err)
		}
		// Unique violations are recognised on both engines.
		_, err = db.SQL.ExecContext(ctx, `INSERT INTO users (email, password_hash, referral_code, created_at, updated_at)
			VALUES ($1, 'x', 'ZZZZZZZZ', 1, 1)`, "a@b.com")
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate email error %v is not a unique violation", err)
		}
		if got := store.NotFound(db.SQL.QueryRowContext(ctx, `SELECT email FROM users WHERE id = -1`).Scan(&email)); !errors.Is(got, store.ErrNotFound) {
			t.Fatalf("NotFound = %v", got)
		}
	})
}
