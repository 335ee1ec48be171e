package idempotency

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/comecomepay/comecomepay/internal/store"
)

// lockNamespace is the first key of the two-key advisory locks that mark a
// live process (PostgreSQL keeps two-key locks apart from one-key ones, so
// River's and anyone else's advisory locks never collide with ours).
const lockNamespace = 0x43435049 // "CCPI"

// recheckEvery bounds how long a lost lock session goes unnoticed by its own
// process: a claim made after that is tagged with a fresh, locked identity.
const recheckEvery = 2 * time.Second

// Instance is the identity of this process in the claims it makes, and the
// proof that it lives. On PostgreSQL the process holds a session-level
// advisory lock on its identity for as long as it runs, on a connection of
// its own: when the process dies the server ends that session and frees the
// lock at once, so another replica can tell a claim left by a dead process
// from one still executing and take it over without waiting for the claim
// to go stale. On SQLite (one process by design) every identity but the
// current one belongs to a process that has ended.
//
// An identity of 0 means "liveness unknown" (an engine without advisory
// locks): its claims are taken over only when stale, as before.
type Instance struct {
	db *store.DB

	id atomic.Int64

	mu      sync.Mutex // guards the fields below
	conn    *sql.Conn  // the session holding the lock (PostgreSQL)
	checked time.Time  // when the session was last known alive
	noLocks bool       // the engine has no advisory locks
	closed  bool
}

// Register gives this process an identity and, on PostgreSQL, takes its
// liveness lock. Close releases both.
func Register(ctx context.Context, db *store.DB) (*Instance, error) {
	in := &Instance{db: db}
	if db.Engine != store.Postgres {
		in.id.Store(randomID())
		return in, nil
	}
	if err := in.lock(ctx); err != nil {
		return nil, fmt.Errorf("idempotency: register instance: %w", err)
	}
	return in, nil
}

// lock takes a fresh identity's advisory lock on a dedicated session. An
// engine that refuses advisory locks leaves the identity 0.
func (in *Instance) lock(ctx context.Context) error {
	conn, err := in.db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	// A host that vanishes without closing its sockets is noticed by the
	// server within seconds instead of the kernel's two hours. These
	// settings only matter over TCP and are harmless elsewhere.
	_, _ = conn.ExecContext(ctx, `SELECT set_config('tcp_keepalives_idle', '5', false),
		set_config('tcp_keepalives_interval', '2', false), set_config('tcp_keepalives_count', '3', false)`)
	for range 5 {
		id := randomID()
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockNamespace, id).Scan(&got); err != nil {
			_ = conn.Close()
			in.id.Store(0)
			if unsupported(err) {
				in.noLocks = true // claims go stale the slow way
				return nil
			}
			return err
		}
		if got {
			in.id.Store(id)
			in.conn, in.checked = conn, time.Now()
			return nil
		}
		// Another live process drew the same identity: draw again.
	}
	_ = conn.Close()
	return errors.New("no free identity after 5 draws")
}

// unsupported reports an engine that speaks PostgreSQL's protocol without
// its advisory locks (undefined function, feature not supported).
func unsupported(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "42883" || pgErr.Code == "0A000")
}

// randomID draws a positive identity that fits PostgreSQL's int4 lock key.
func randomID() int64 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint32(b[:])>>1) + 1
}

// current is the identity to tag a new claim with. At most every
// recheckEvery it makes sure the lock session still lives; if the server
// ended it (a restart, a network cut) the old identity now looks dead to
// the other replicas, so the process takes a new one.
func (in *Instance) current(ctx context.Context) int64 {
	if in.db.Engine != store.Postgres || !in.mu.TryLock() {
		return in.id.Load() // or another request is checking right now
	}
	defer in.mu.Unlock()
	if in.noLocks || in.closed || time.Since(in.checked) < recheckEvery {
		return in.id.Load()
	}
	in.checked = time.Now()
	pingCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if in.conn != nil {
		if err := in.conn.PingContext(pingCtx); err == nil {
			return in.id.Load()
		}
		_ = in.conn.Close()
		in.conn = nil
	}
	if err := in.lock(pingCtx); err != nil {
		in.id.Store(0) // the database is unreachable: the next check tries again
	}
	return in.id.Load()
}

// ID is the identity claims are tagged with now (for logs and tests).
func (in *Instance) ID() int64 { return in.id.Load() }

// Close frees the liveness lock: claims still tagged with this identity are
// from then on those of an ended process.
func (in *Instance) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.closed = true
	if in.conn == nil {
		return nil
	}
	err := in.conn.Close()
	in.conn = nil
	if err != nil {
		return fmt.Errorf("idempotency: close instance: %w", err)
	}
	return nil
}

// ownerGone reports whether the process that tagged a claim with owner has
// ended, in tx (the Begin transaction that read the claim).
func (in *Instance) ownerGone(ctx context.Context, tx *sql.Tx, owner int64) (bool, error) {
	if owner == 0 {
		return false, nil // made before identities, or where liveness is unknown
	}
	if owner == in.ID() {
		return false, nil // this process: the request is still executing
	}
	if in.db.Engine != store.Postgres {
		return true, nil // one process per SQLite file: any other has ended
	}
	// A transaction-level try-lock succeeds only if no session holds the
	// owner's lock, i.e. the owner's session has ended; it is released with
	// tx, so a restarted owner could never be blocked by it.
	var free bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1, $2)`, lockNamespace, owner).Scan(&free); err != nil {
		return false, fmt.Errorf("owner %d alive: %w", owner, err)
	}
	return free, nil
}
