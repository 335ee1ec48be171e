package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// cachedOnWriter is how many statements the writer connection holds prepared.
func cachedOnWriter(t *testing.T, db *DB) int {
	t.Helper()
	conn, err := db.SQL.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.Raw(func(dc any) error {
		n = len(dc.(*cachingConn).stmts)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// Statements run in transactions are prepared once per connection and
// reused; a text repeated while its own rows are open runs unprepared
// beside it; a failed statement stays usable; scripts are not cached.
func TestSQLiteConnectionsReuseStatements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "stmts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE); CREATE TABLE u (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	before := cachedOnWriter(t, db)
	const insert, list = `INSERT INTO t (v) VALUES ($1)`, `SELECT id, v FROM t ORDER BY id`
	for i, v := range []string{"a", "b", "c"} {
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, insert, v)
			return err
		}); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if got := cachedOnWriter(t, db) - before; got != 1 {
		t.Fatalf("three inserts of one text left %d new prepared statements, want 1 (the script is not cached)", got)
	}
	// The unique violation fails the statement, which must stay usable.
	if err := db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, insert, "a")
		return err
	}); err == nil {
		t.Fatal("duplicate insert succeeded")
	}
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		outer, err := tx.QueryContext(ctx, list)
		if err != nil {
			return err
		}
		defer outer.Close()
		var pairs int
		for outer.Next() {
			var id int64
			var v string
			if err := outer.Scan(&id, &v); err != nil {
				return err
			}
			// The same text while outer's rows are open.
			inner, err := tx.QueryContext(ctx, list)
			if err != nil {
				return err
			}
			for inner.Next() {
				pairs++
			}
			if err := inner.Close(); err != nil {
				return err
			}
		}
		if pairs != 9 {
			t.Errorf("nested reads of the same text saw %d pairs, want 9", pairs)
		}
		_, err = tx.ExecContext(ctx, insert, "d")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("rows = %d (%v), want 4", n, err)
	}
}
