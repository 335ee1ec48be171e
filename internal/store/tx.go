package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// maxTxAttempts bounds how often a transaction that lost a serialisation or
// deadlock race is run again before the error is returned.
const maxTxAttempts = 5

// InTx runs fn in one transaction and commits when it returns nil. A
// transaction that fails with a serialisation failure or deadlock is retried a
// bounded number of times, so fn must not have effects outside the database.
//
// fn does all its database work through tx: while it runs, the pool refuses
// ctx's unit of work (WatchTransactions) with ErrPoolInTx, and so does a
// nested InTx, instead of waiting forever for SQLite's one connection.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if w := watchOf(ctx); w != nil {
		if err := refuseInTx(ctx, "BEGIN"); err != nil {
			return err
		}
		w.open.Add(1)
		defer w.open.Add(-1)
	}
	ctx, span := db.tracer.Start(ctx, "db transaction", trace.WithAttributes(attribute.String("db.system.name", string(db.Engine))))
	var err error
	defer func() { endSpan(span, err) }()
	for attempt := 1; attempt <= maxTxAttempts; attempt++ {
		span.SetAttributes(attribute.Int("db.transaction.attempts", attempt))
		err = db.runTx(ctx, fn)
		if err == nil || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	}
	return err
}

func (db *DB) runTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.SQL.DB.BeginTx(ctx, nil) // the pool's guard would refuse ctx: InTx counts it open already
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	fnErr := fn(tx)
	var keep *commitThenFail
	if fnErr != nil && !errors.As(fnErr, &keep) {
		return fnErr
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if keep != nil {
		return keep.err
	}
	return nil
}

type commitThenFail struct{ err error }

func (c *commitThenFail) Error() string { return c.err.Error() }
func (c *commitThenFail) Unwrap() error { return c.err }

// CommitThenFail, returned from an InTx function, commits the transaction and
// then makes InTx return err. It is for failures whose bookkeeping must stick,
// such as a counted wrong OTP attempt.
func CommitThenFail(err error) error { return &commitThenFail{err: err} }

// IsRetryable reports whether err is a transient conflict worth running the
// transaction again for.
func IsRetryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// ErrNotFound is returned by repositories when a row does not exist.
var ErrNotFound = errors.New("not found")

// NotFound translates sql.ErrNoRows into ErrNotFound and leaves other errors.
func NotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
