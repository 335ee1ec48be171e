// Package store is the database plumbing shared by every domain: opening the
// engine named by a URL, transactions with bounded retry, migrations and the
// translation of driver errors. It knows no domain.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"go.opentelemetry.io/otel/trace"
)

// Engine names a supported database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Querier is what both *sql.DB and *sql.Tx offer; repositories take it so the
// caller decides whether a query runs inside its transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database of one engine.
type DB struct {
	// SQL is the pool; it refuses a context whose unit of work holds a
	// transaction (ErrPoolInTx).
	SQL    *Pool
	Engine Engine
	tracer trace.Tracer
}

// Open connects to the database named by rawURL: a postgres:// or
// postgresql:// URL selects PostgreSQL; sqlite:// or a bare file path selects
// SQLite. The SQLite directory is created when missing.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	engine, dsn, readDSN, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var pool *sql.DB
	switch engine {
	case Postgres:
		pool, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		pool.SetMaxOpenConns(25)
		pool.SetMaxIdleConns(25)
		pool.SetConnMaxIdleTime(5 * time.Minute)
	case SQLite:
		pool = openSQLite(dsn)
		// One writer connection: writers queue in Go instead of failing
		// with SQLITE_BUSY, and every transaction is serialisable by
		// construction. Code holding a transaction must therefore never
		// query the pool. Plain SELECTs outside a transaction go to a
		// reader pool instead (readpool.go).
		pool.SetMaxOpenConns(1)
		pool.SetMaxIdleConns(1)
		pool.SetConnMaxIdleTime(0)
		pool.SetConnMaxLifetime(0)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pingCtx); err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("connect to %s database: %w", engine, err)
	}
	p := &Pool{DB: pool, engine: string(engine), tracer: noopTracer()}
	if readDSN != "" {
		// Opened after the writer's ping, which put the file in WAL mode.
		if p.read, err = openReader(pingCtx, readDSN); err != nil {
			_ = pool.Close()
			return nil, err
		}
	}
	return &DB{SQL: p, Engine: engine, tracer: noopTracer()}, nil
}

// Close releases the connections.
func (db *DB) Close() error { return db.SQL.Close() }

// parseURL returns the engine, the DSN of the pool and, for an SQLite file,
// the DSN of its reader pool ("" when reads share the writer).
func parseURL(rawURL string) (engine Engine, dsn, readDSN string, err error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		u, err := url.Parse(rawURL)
		if err != nil {
			return "", "", "", errors.New("database url is not a valid postgres url")
		}
		// A server that does not answer must fail requests quickly (503)
		// rather than hold them until the client gives up.
		if q := u.Query(); q.Get("connect_timeout") == "" {
			q.Set("connect_timeout", "5")
			u.RawQuery = q.Encode()
		}
		return Postgres, u.String(), "", nil
	case rawURL == "":
		return "", "", "", errors.New("database url is empty")
	}
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return "", "", "", errors.New("sqlite database path is empty")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", "", "", fmt.Errorf("create database directory: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	r := url.Values{"_pragma": slices.Clone(q["_pragma"])}
	r.Add("_pragma", "query_only(1)")
	q.Set("_txlock", "immediate")
	dsn, readDSN = "file:"+path+"?"+q.Encode(), "file:"+path+"?"+r.Encode()
	if strings.HasPrefix(path, ":memory:") {
		// Each connection to :memory: is a database of its own: a reader
		// would see an empty one.
		readDSN = ""
	}
	return SQLite, dsn, readDSN, nil
}

// ForUpdate returns the row-lock suffix for a SELECT on this engine. SQLite
// needs none: its single connection already serialises transactions.
//
// On PostgreSQL it is FOR NO KEY UPDATE, not FOR UPDATE: lockers still
// exclude each other, but the FOR KEY SHARE lock that a foreign-key check
// takes on the referenced row passes. With FOR UPDATE, two transactions that
// each lock their own row and then insert a row referencing the other's
// (A pays B while B pays A) deadlock. An UPDATE that later changes a unique
// key or a DELETE of the locked row takes the stronger lock by itself.
func (db *DB) ForUpdate() string {
	if db.Engine == Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// ForShare returns the shared row-lock suffix for a SELECT on this engine
// ("" on SQLite, serialised anyway). Shared holders do not wait for each
// other, only for a holder of ForUpdate: many writers can pass a gate row
// at once while one closer excludes them all.
func (db *DB) ForShare() string {
	if db.Engine == Postgres {
		return " FOR SHARE"
	}
	return ""
}
