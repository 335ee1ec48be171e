package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the cache: statement texts are constants in
// the code, but a few are assembled per call (filters, IN lists), and those
// past the bound simply run unprepared.
const maxCachedStatements = 512

// stmtCache keeps the pool's statements prepared on SQLite. Its driver
// parses and plans every statement afresh on each call, which costs
// several times what running a short indexed query does; a prepared
// statement is parsed once per connection. (PostgreSQL's driver keeps a
// statement cache of its own on each connection.) Statements inside a
// transaction go through *sql.Tx and are not cached here.
type stmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// get returns query prepared, or nil when it runs unprepared: no cache
// (PostgreSQL), a full cache, or a failed prepare, whose error the
// unprepared call reports again.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, full := c.stmts[query], len(c.stmts) >= maxCachedStatements
	c.mu.RUnlock()
	if st != nil || full {
		return st
	}
	// Prepared outside the lock: preparing waits for the connection.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had := c.stmts[query]; had != nil {
		_ = st.Close()
		return had
	}
	c.stmts[query] = st
	return st
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
}
