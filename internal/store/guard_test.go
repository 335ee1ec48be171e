package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestPoolRefusedInsideTransaction: while a watched unit of work holds a
// transaction, every way of reaching the pool with its context (or one
// derived from it) fails at once with ErrPoolInTx, and a nested InTx too;
// after the commit the pool serves the same context again.
func TestPoolRefusedInsideTransaction(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		db := storetest.New(t, engine)
		ctx := store.WatchTransactions(context.Background())
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			derived, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			var n int
			for name, err := range map[string]error{
				"QueryRowContext": db.SQL.QueryRowContext(ctx, `SELECT 1`).Scan(&n),
				"derived context": db.SQL.QueryRowContext(derived, `SELECT 1`).Scan(&n),
				"Row.Err":         db.SQL.QueryRowContext(ctx, `SELECT 1`).Err(),
				"ExecContext":     second(db.SQL.ExecContext(ctx, `SELECT 1`)),
				"QueryContext":    second(db.SQL.QueryContext(ctx, `SELECT 1`)),
				"BeginTx":         second(db.SQL.BeginTx(ctx, nil)),
				"nested InTx":     db.InTx(ctx, func(*sql.Tx) error { return nil }),
			} {
				if !errors.Is(err, store.ErrPoolInTx) {
					t.Errorf("%s inside the transaction: err = %v, want ErrPoolInTx", name, err)
				}
			}
			// The transaction itself is unaffected.
			return tx.QueryRowContext(ctx, `SELECT 1`).Scan(&n)
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		var n int
		if err := db.SQL.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("pool after commit: n=%d err=%v", n, err)
		}
		// A rolled-back transaction closes the watch too.
		boom := errors.New("boom")
		if err := db.InTx(ctx, func(*sql.Tx) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if _, err := db.SQL.ExecContext(ctx, `SELECT 1`); err != nil {
			t.Fatalf("pool after rollback: %v", err)
		}
		// An unwatched context is not checked: another unit of work may use
		// the pool while this one's transaction is open (on SQLite it waits).
		if err := db.InTx(ctx, func(*sql.Tx) error {
			if engine == store.Postgres {
				_, err := db.SQL.ExecContext(context.Background(), `SELECT 1`)
				return err
			}
			return nil
		}); err != nil {
			t.Fatalf("unwatched context refused: %v", err)
		}
	})
}

// TestPoolInTransactionFailsFastOnSQLite: the statement that used to wait
// forever for SQLite's single writer connection (here: until a deadline)
// now returns ErrPoolInTx at once. (A plain SELECT would not wait unwatched:
// it runs on the reader pool; watched, it is refused all the same.)
func TestPoolInTransactionFailsFastOnSQLite(t *testing.T) {
	t.Parallel()
	db := storetest.New(t, store.SQLite)
	// query runs a pool query with queryCtx inside a transaction of txCtx.
	query := func(txCtx, queryCtx context.Context) (time.Duration, error) {
		var took time.Duration
		var queryErr error
		err := db.InTx(txCtx, func(*sql.Tx) error {
			start := time.Now()
			var n int
			queryErr = db.SQL.QueryRowContext(queryCtx, `UPDATE goose_db_version SET is_applied = is_applied WHERE id < 0 RETURNING id`).Scan(&n)
			took = time.Since(start)
			return nil
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		return took, queryErr
	}

	// Unwatched, the pool query waits for the connection the transaction
	// holds: only the deadline ends it.
	deadline, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if took, err := query(context.Background(), deadline); !errors.Is(err, context.DeadlineExceeded) || took < 250*time.Millisecond {
		t.Fatalf("unwatched: err = %v after %v, want the deadline (a would-be deadlock)", err, took)
	}

	watched := store.WatchTransactions(context.Background())
	took, err := query(watched, watched)
	if !errors.Is(err, store.ErrPoolInTx) {
		t.Fatalf("watched: err = %v, want ErrPoolInTx", err)
	}
	if took > 50*time.Millisecond {
		t.Fatalf("watched: refused after %v, want at once", took)
	}
	t.Logf("refused in %v: %v", took, err)
}

func second[T any](_ T, err error) error { return err }
