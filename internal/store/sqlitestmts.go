package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"

	"modernc.org/sqlite"
)

// SQLite's driver parses and plans every statement afresh unless it was
// prepared, and that costs several times what a short indexed query does.
// Inside a transaction the cost is paid while the one writer connection is
// held, so it serialises every writer: it was a third of a transfer's time.
// PostgreSQL's driver keeps a statement cache on each connection; this is
// the same for SQLite, below database/sql, so that the pool's queries,
// transactions and River's statements all reuse their prepared statements.

// maxCachedStatements bounds each connection's cache: statement texts are
// constants in the code, but a few are assembled per call (filters, IN
// lists), and those past the bound run unprepared.
const maxCachedStatements = 512

// openSQLite opens dsn with every connection caching its statements.
func openSQLite(dsn string) *sql.DB {
	return sql.OpenDB(sqliteConnector{dsn: dsn, driver: &sqlite.Driver{}})
}

type sqliteConnector struct {
	dsn    string
	driver *sqlite.Driver
}

func (c sqliteConnector) Driver() driver.Driver { return c.driver }

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		_ = conn.Close()
		return nil, errors.New("store: the sqlite driver's connection lacks the context methods")
	}
	return &cachingConn{sqliteConn: inner, stmts: map[string]*cachedStmt{}}, nil
}

// sqliteConn is what the driver's connection implements and database/sql
// uses; embedding it keeps every one of these available on cachingConn.
type sqliteConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachedStmt is busy while rows read from it are open: a second use of the
// same text then (a query repeated while iterating its own rows) must not
// reset it under the first, so it runs unprepared.
type cachedStmt struct {
	stmt preparedStmt
	busy bool
}

// cachingConn is one SQLite connection with its prepared statements.
// database/sql uses a connection from one goroutine at a time and closes
// rows under the same connection lock, so the cache needs no lock of its own.
type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

// statement returns query prepared and marked busy, or nil when it is to
// run unprepared (several statements, in use, or a full cache).
func (c *cachingConn) statement(ctx context.Context, query string) (*cachedStmt, error) {
	if st := c.stmts[query]; st != nil {
		if st.busy {
			return nil, nil
		}
		st.busy = true
		return st, nil
	}
	if len(c.stmts) >= maxCachedStatements || !singleStatement(query) {
		return nil, nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ps, ok := ds.(preparedStmt)
	if !ok {
		_ = ds.Close()
		return nil, nil
	}
	st := &cachedStmt{stmt: ps, busy: true}
	c.stmts[query] = st
	return st, nil
}

// singleStatement reports whether query holds no ';' before its end:
// scripts (migrations) are not worth caching.
func singleStatement(query string) bool {
	body := strings.TrimSuffix(strings.TrimRight(query, " \t\r\n"), ";")
	return !strings.Contains(body, ";")
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	defer func() { st.busy = false }()
	return st.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := st.stmt.QueryContext(ctx, args)
	if err != nil {
		st.busy = false
		return nil, err
	}
	return &releasingRows{Rows: rows, st: st}, nil
}

// Close finalises the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.stmt.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// releasingRows frees its statement for the next use when closed (the
// driver resets it then) and passes on the column type information.
type releasingRows struct {
	driver.Rows
	st *cachedStmt
}

func (r *releasingRows) Close() error {
	err := r.Rows.Close()
	if r.st != nil {
		r.st.busy = false
		r.st = nil
	}
	return err
}

func (r *releasingRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *releasingRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *releasingRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *releasingRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *releasingRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
