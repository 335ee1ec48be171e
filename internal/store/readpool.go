package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
)

// SQLite's one writer connection also served every read, so reads outside a
// transaction (most of an authenticated GET) queued behind each other and
// behind writers. In WAL mode readers on other connections run beside the
// writer and see every committed write, so the SQLite pool sends plain
// SELECTs to a small reader pool on the same file. Everything else —
// writes, transactions, River, migrations, Conn — stays on the writer, so
// writers still never meet SQLITE_BUSY among themselves.

// readerConns is the reader pool's size: a few connections are enough to
// keep the cores busy; more would only add memory and checkpoint pressure.
func readerConns() int {
	return min(4, 2*runtime.GOMAXPROCS(0))
}

// openReader opens the reader pool on dsn (query_only: a write that was
// routed here by mistake fails instead of racing the writer).
func openReader(ctx context.Context, dsn string) (*sql.DB, error) {
	db := openSQLite(dsn)
	n := readerConns()
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect sqlite reader: %w", err)
	}
	return db, nil
}

// readOnly reports whether query may run on the reader pool: one statement
// whose first keyword is SELECT. WITH is refused (SQLite allows a CTE in
// front of INSERT/UPDATE/DELETE), as is anything with a second statement
// (a ';' before the end, even inside a literal: when unsure, the writer).
// SELECT cannot write in SQLite; RETURNING only follows a write keyword.
func readOnly(query string) bool {
	q := skipSpaceAndComments(query)
	if len(q) < len("SELECT") || !strings.EqualFold(q[:6], "SELECT") {
		return false
	}
	if len(q) > 6 && isIdentChar(q[6]) {
		return false
	}
	body := strings.TrimRight(q, " \t\r\n")
	body = strings.TrimSuffix(body, ";")
	return !strings.Contains(body, ";")
}

// skipSpaceAndComments drops leading white space, -- and /* */ comments.
func skipSpaceAndComments(q string) string {
	for {
		q = strings.TrimLeft(q, " \t\r\n")
		switch {
		case strings.HasPrefix(q, "--"):
			i := strings.IndexByte(q, '\n')
			if i < 0 {
				return ""
			}
			q = q[i+1:]
		case strings.HasPrefix(q, "/*"):
			i := strings.Index(q[2:], "*/")
			if i < 0 {
				return ""
			}
			q = q[2+i+2:]
		default:
			return q
		}
	}
}

func isIdentChar(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// reader returns the connections query runs on: the reader pool for a
// read-only statement when there is one, else the writer.
func (p *Pool) reader(query string) *sql.DB {
	if p.read != nil && readOnly(query) {
		return p.read
	}
	return p.DB
}
