package seed

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comecomepay/comecomepay/internal/store"
)

// sink bulk-loads rows into one table. PostgreSQL takes them through COPY
// (pgx CopyFrom), the fastest path it has; SQLite through multi-row INSERTs
// in one transaction per batch, which is what it is fastest at.
type sink interface {
	load(ctx context.Context, table string, cols []string, rows [][]any) error
	exec(ctx context.Context, query string, args ...any) error
	queryInt(ctx context.Context, query string, args ...any) (int64, error)
	close(ctx context.Context) error
}

func openSink(ctx context.Context, url string, engine store.Engine, db *store.DB) (sink, error) {
	if engine == store.Postgres {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("seed: connect for COPY: %w", err)
		}
		// Foreign-key checks run as per-row triggers and cost COPY most of
		// its speed; the generator builds every reference itself (and the
		// smoke test checks them), so a superuser load skips them. Without
		// the right the load is slower, not wrong.
		if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
			fmt.Fprintln(os.Stderr, "seed: foreign-key triggers stay on (not a superuser): the load is slower")
		}
		return &pgSink{conn: conn}, nil
	}
	return &sqliteSink{db: db.SQL.DB}, nil
}

type pgSink struct{ conn *pgx.Conn }

func (p *pgSink) load(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	t0 := time.Now()
	defer func() {
		if os.Getenv("SEED_DEBUG") != "" {
			fmt.Fprintln(os.Stderr, table, len(rows), time.Since(t0))
		}
	}()
	if _, err := p.conn.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("seed: copy into %s: %w", table, err)
	}
	return nil
}

func (p *pgSink) exec(ctx context.Context, query string, args ...any) error {
	_, err := p.conn.Exec(ctx, query, args...)
	return err
}

func (p *pgSink) queryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := p.conn.QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}

func (p *pgSink) close(ctx context.Context) error { return p.conn.Close(ctx) }

type sqliteSink struct{ db *sql.DB }

// sqliteMaxParams stays under SQLite's limit on bound parameters per statement.
const sqliteMaxParams = 30000

func (s *sqliteSink) load(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: begin %s: %w", table, err)
	}
	defer func() { _ = tx.Rollback() }()
	per := max(1, sqliteMaxParams/len(cols))
	rowMarks := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(batch)*len(cols))
		for i, r := range batch {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(rowMarks)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("seed: insert into %s: %w", table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: commit %s: %w", table, err)
	}
	return nil
}

func (s *sqliteSink) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.db.ExecContext(ctx, query, args...)
	return err
}

func (s *sqliteSink) queryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

func (s *sqliteSink) close(context.Context) error { return nil }
