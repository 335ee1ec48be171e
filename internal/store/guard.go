package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"
)

// ErrPoolInTx is returned when code that holds a transaction queries the
// pool (or begins a second transaction) with the same unit of work's
// context. On SQLite the pool's one connection is the transaction's, so the
// query would wait forever; on PostgreSQL it would run outside the
// transaction and miss its uncommitted writes. Either way it is a bug.
var ErrPoolInTx = errors.New("store: pool used inside a transaction")

// Pool is the connection pool. It is a *sql.DB whose context-taking query
// methods refuse, with ErrPoolInTx, a context whose unit of work holds an
// open transaction (see WatchTransactions). On SQLite its plain SELECTs
// run on a reader pool (readpool.go), everything else on the one writer
// connection. Tools that need the bare *sql.DB (River's driver, goose) take
// Pool.DB, the writer.
type Pool struct {
	*sql.DB
	engine string
	tracer trace.Tracer

	// read is SQLite's reader pool for read-only statements outside a
	// transaction (readpool.go); nil on PostgreSQL and for an in-memory
	// database.
	read *sql.DB
}

// Close closes both pools.
func (p *Pool) Close() error {
	var readErr error
	if p.read != nil {
		readErr = p.read.Close()
	}
	return errors.Join(p.DB.Close(), readErr)
}

// txWatch counts the transactions a unit of work has open.
type txWatch struct{ open atomic.Int32 }

type txWatchKey struct{}

// WatchTransactions returns ctx marked as one unit of work (an HTTP
// request, a job): while InTx runs a transaction for ctx or a context
// derived from it, the pool refuses that context with ErrPoolInTx instead
// of hanging SQLite's single connection. InTx cannot mark the context its
// function uses (the function closes over the caller's), so the mark is
// made where the unit of work starts and InTx counts into it. Contexts
// without the mark are not checked.
func WatchTransactions(ctx context.Context) context.Context {
	return context.WithValue(ctx, txWatchKey{}, new(txWatch))
}

func watchOf(ctx context.Context) *txWatch {
	w, _ := ctx.Value(txWatchKey{}).(*txWatch)
	return w
}

// refuseInTx returns ErrPoolInTx, naming the start of the query, when
// ctx's unit of work holds a transaction. The check is one context lookup.
func refuseInTx(ctx context.Context, query string) error {
	if w := watchOf(ctx); w == nil || w.open.Load() == 0 {
		return nil
	}
	const shown = 60
	q := strings.Join(strings.Fields(query), " ")
	if len(q) > shown {
		q = q[:shown] + "…"
	}
	return fmt.Errorf("%w (%s)", ErrPoolInTx, q)
}

// ExecContext is sql.DB.ExecContext, refused inside the context's transaction.
func (p *Pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := refuseInTx(ctx, query); err != nil {
		return nil, err
	}
	ctx, span := p.startStatement(ctx, p.engine, query)
	res, err := p.DB.ExecContext(ctx, query, args...)
	endSpan(span, err)
	return res, err
}

// QueryContext is sql.DB.QueryContext, refused inside the context's transaction.
func (p *Pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := refuseInTx(ctx, query); err != nil {
		return nil, err
	}
	ctx, span := p.startStatement(ctx, p.engine, query)
	rows, err := p.reader(query).QueryContext(ctx, query, args...)
	endSpan(span, err)
	return rows, err
}

// QueryRowContext is sql.DB.QueryRowContext, refused inside the context's
// transaction: the returned row's Scan and Err report ErrPoolInTx.
func (p *Pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := refuseInTx(ctx, query); err != nil {
		// A *sql.Row can only be made by database/sql; a context that is
		// already done with err as its reason makes it carry err without
		// taking a connection.
		return p.DB.QueryRowContext(refusedContext{ctx, err}, query, args...)
	}
	ctx, span := p.startStatement(ctx, p.engine, query)
	row := p.reader(query).QueryRowContext(ctx, query, args...)
	endSpan(span, row.Err())
	return row
}

// BeginTx is sql.DB.BeginTx, refused inside the context's transaction (a
// second transaction needs a second connection).
func (p *Pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	if err := refuseInTx(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	return p.DB.BeginTx(ctx, opts)
}

// refusedContext is done from the start, with err as the reason.
type refusedContext struct {
	context.Context
	err error
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (c refusedContext) Done() <-chan struct{} { return closed }
func (c refusedContext) Err() error            { return c.err }
