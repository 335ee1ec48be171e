package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestReadOnlyRouting(t *testing.T) {
	t.Parallel()
	for query, want := range map[string]bool{
		`SELECT 1`:                             true,
		"  \n\tselect id FROM users":           true,
		"-- a comment\nSELECT 1":               true,
		"/* hint */ SELECT 1;":                 true,
		"SELECT 1;  \n":                        true,
		`SELECT(1)`:                            true,
		`SELECTED`:                             false,
		`SELECT 1; DELETE FROM users`:          false,
		`SELECT ';' FROM users`:                false, // unsure: the writer
		`WITH x AS (SELECT 1) SELECT * FROM x`: false,
		`WITH x AS (SELECT 1) DELETE FROM users WHERE id IN x`: false,
		`INSERT INTO users (email) VALUES ($1) RETURNING id`:   false,
		`UPDATE users SET email = $1 RETURNING id`:             false,
		`DELETE FROM users RETURNING id`:                       false,
		`PRAGMA table_info(users)`:                             false,
		`EXPLAIN QUERY PLAN SELECT 1`:                          false,
		`/* unterminated SELECT 1`:                             false,
		"-- only a comment":                                    false,
		``:                                                     false,
	} {
		if got := readOnly(query); got != want {
			t.Errorf("readOnly(%q) = %v, want %v", query, got, want)
		}
	}
}

// openFile opens a fresh SQLite file with one table.
func openFile(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "read.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if db.SQL.read == nil {
		t.Fatal("an SQLite file has no reader pool")
	}
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		t.Fatalf("create: %v", err)
	}
	return db
}

func count(ctx context.Context, t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// TestReadsRunBesideWriter: while a write transaction holds the writer
// connection (BEGIN IMMEDIATE, one uncommitted insert), a plain SELECT on
// the pool answers at once from the last committed state instead of
// queuing, several reads hold connections at the same time, and the commit
// is visible to the very next read.
func TestReadsRunBesideWriter(t *testing.T) {
	t.Parallel()
	db := openFile(t)
	ctx := context.Background()
	if _, err := db.SQL.ExecContext(ctx, `INSERT INTO items (name) VALUES ('a')`); err != nil {
		t.Fatalf("insert: %v", err)
	}
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO items (name) VALUES ('b')`); err != nil {
			return err
		}
		// Unwatched context: before the reader pool this waited for the
		// transaction's connection, i.e. until the deadline.
		readCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		start := time.Now()
		held, err := db.SQL.QueryContext(readCtx, `SELECT name FROM items`)
		if err != nil {
			return err
		}
		defer held.Close()
		// A second read while the first still holds its connection.
		if n := count(readCtx, t, db); n != 1 {
			t.Errorf("read beside the transaction counts %d items, want the committed 1", n)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("reads beside the transaction took %v", took)
		}
		return held.Close()
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if n := count(ctx, t, db); n != 2 {
		t.Fatalf("read after commit counts %d items, want 2", n)
	}
}

// TestWritesStayOnWriter: statements that write, including those that
// return rows, run on the writer; the reader pool itself refuses writes.
func TestWritesStayOnWriter(t *testing.T) {
	t.Parallel()
	db := openFile(t)
	ctx := context.Background()
	var id int64
	if err := db.SQL.QueryRowContext(ctx, `INSERT INTO items (name) VALUES ($1) RETURNING id`, "a").Scan(&id); err != nil || id != 1 {
		t.Fatalf("INSERT … RETURNING through the pool: id=%d err=%v", id, err)
	}
	rows, err := db.SQL.QueryContext(ctx, `WITH doomed AS (SELECT id FROM items) DELETE FROM items WHERE id IN doomed RETURNING id`)
	if err != nil {
		t.Fatalf("writable CTE through the pool: %v", err)
	}
	for rows.Next() {
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatalf("writable CTE through the pool: %v", err)
	}
	if n := count(ctx, t, db); n != 0 {
		t.Fatalf("after the CTE delete: %d items", n)
	}
	// A write that reached the reader pool fails loudly (query_only).
	_, err = db.SQL.read.ExecContext(ctx, `INSERT INTO items (name) VALUES ('x')`)
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("write on the reader pool: err = %v, want a read-only refusal", err)
	}
}

// TestReaderPoolTraced: statements on both pools are spans.
func TestReaderPoolTraced(t *testing.T) {
	t.Parallel()
	db := openFile(t)
	exporter := tracetest.NewInMemoryExporter()
	db.Trace(sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter)))
	ctx := context.Background()
	if _, err := db.SQL.ExecContext(ctx, `INSERT INTO items (name) VALUES ('a')`); err != nil {
		t.Fatal(err)
	}
	count(ctx, t, db)
	names := map[string]bool{}
	for _, s := range exporter.GetSpans().Snapshots() {
		names[s.Name()] = true
	}
	if !names["db INSERT"] || !names["db SELECT"] {
		t.Fatalf("spans %v, want db INSERT and db SELECT", names)
	}
}

// TestInMemoryHasNoReader: every connection to :memory: is a database of
// its own, so reads share the one connection there.
func TestInMemoryHasNoReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if db.SQL.read != nil {
		t.Fatal("in-memory database got a reader pool")
	}
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)`); err != nil {
		t.Fatal(err)
	}
	if n := count(ctx, t, db); n != 0 {
		t.Fatalf("count = %d", n)
	}
}
