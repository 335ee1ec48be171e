package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// RequestLimiter enforces the request limits of API.md §1.14 (so many
// requests per minute per IP, per user) across replicas without a database
// write per request.
//
// The limit is a sliding window, estimated from two fixed windows: the hits
// of the previous window, weighted by the share of it still inside the
// sliding window, plus the hits of the current one. A fixed window alone
// lets a client send twice the limit across a window boundary.
//
// Each replica counts in memory the hits it admitted and adds them to the
// key's request_counters row in batches, reading the shared totals back in
// the same statement; it decides from the last totals it read plus its own
// pending hits. What another replica admitted since that read is unseen,
// so a replica holds at most max/unsyncedShare admitted hits of a key
// outside the database: once it has that many, the next request of the key
// waits for a flush of the key (one statement) before it is decided. With
// N replicas a limit is therefore passed by at most N×max/unsyncedShare
// (3 replicas: under 10 %); one replica alone sees every hit and is exact.
// Any request that finds flushInterval passed since the last flush flushes
// every pending key, so the totals other replicas read stay fresh without a
// background goroutine; a replica that falls idle keeps fewer than the
// allowance of a key unflushed, which the bound above already counts.
//
// Refused requests are not counted: a client that retries while refused
// does not push its own window further out.
type RequestLimiter struct {
	db     *store.DB
	log    *slog.Logger
	now    func() time.Time
	window int64 // µs

	mu         sync.Mutex
	keys       map[string]*keyState
	dirty      map[string]*keyState // keys with hits admitted since the last flush
	lastFlush  time.Time
	flushing   bool
	lastSweep  time.Time
	flushAfter time.Duration
}

const (
	// unsyncedShare bounds a replica's unflushed hits of one key to
	// max/unsyncedShare (at least 1).
	unsyncedShare = 32
	// flushInterval is how often a replica publishes its pending hits.
	flushInterval = 100 * time.Millisecond
	// flushTimeout bounds a flush; it does not end with the request that
	// happens to run it.
	flushTimeout = 5 * time.Second
)

// keyState is one key as this replica knows it. Counts are in windows
// relative to window: prev is the window before it.
type keyState struct {
	window int64 // start (µs) of the window cur and pendingCur count in
	// prev and cur are the shared totals last read from the database (this
	// replica's flushed hits included).
	prev, cur int64
	// pendingPrev and pendingCur are hits admitted here and not yet flushed.
	pendingPrev, pendingCur int64
	// flushed is non-nil while a statement carries this key's pending hits,
	// and closed when it returns: one statement at a time per key, so no
	// hit is sent twice.
	flushed chan struct{}
}

// Decision is the answer to one request.
type Decision struct {
	Allowed bool
	// RetryAfter is, for a refusal, when the estimate will admit a request.
	RetryAfter time.Duration
}

// RequestWindow is the window of the request limits: API.md §1.14 counts
// requests per minute.
const RequestWindow = time.Minute

// NewRequestLimiter returns a limiter counting in the database of db.
func NewRequestLimiter(db *store.DB, log *slog.Logger, now func() time.Time) *RequestLimiter {
	return &RequestLimiter{db: db, log: log, now: now, window: RequestWindow.Microseconds(),
		keys: map[string]*keyState{}, dirty: map[string]*keyState{}, flushAfter: flushInterval}
}

// Allow counts one request of key against max per window, or refuses it.
// An error means the database could not be asked when it had to be.
func (l *RequestLimiter) Allow(ctx context.Context, key string, max int) (Decision, error) {
	limit := float64(max)
	justFlushed := false
	for {
		now := l.now()
		l.mu.Lock()
		st := l.state(key, now)
		var decision Decision
		switch {
		case st.estimate(now, l.window)+1 > limit:
			decision.RetryAfter = st.retryAfter(now, l.window, limit)
		// Right after its own flush the request is decided on fresh totals,
		// and no other request of the key was admitted meanwhile (they
		// were waiting for that flush).
		case justFlushed || st.pendingPrev+st.pendingCur < allowance(max):
			st.pendingCur++
			l.dirty[key] = st
			decision.Allowed = true
		}
		if decision.Allowed || decision.RetryAfter > 0 {
			flush := l.flushDue(now)
			l.mu.Unlock()
			if flush {
				l.flushAll(ctx)
			}
			return decision, nil
		}
		if st.flushed != nil {
			wait := st.flushed
			l.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return Decision{}, fmt.Errorf("ratelimit: wait for a flush: %w", ctx.Err())
			}
			continue
		}
		batch := l.take([]string{key})
		l.mu.Unlock()
		if err := l.flush(ctx, batch); err != nil {
			return Decision{}, err
		}
		justFlushed = true
	}
}

// allowance is how many admitted hits of a key with limit max a replica
// may hold outside the database.
func allowance(max int) int64 {
	return int64(math.Max(1, float64(max/unsyncedShare)))
}

// windowOf is the start (µs) of the fixed window holding t; every replica
// cuts the same windows from the wall clock.
func (l *RequestLimiter) windowOf(t time.Time) int64 {
	us := t.UnixMicro()
	return us - us%l.window
}

// state returns key's state moved to the window of now. Callers hold mu.
func (l *RequestLimiter) state(key string, now time.Time) *keyState {
	w := l.windowOf(now)
	st := l.keys[key]
	if st == nil {
		st = &keyState{window: w}
		l.keys[key] = st
	}
	st.roll(w, l.window)
	return st
}

// roll moves the state to window w: the current window becomes the
// previous one; counts two or more windows old weigh nothing any more.
func (st *keyState) roll(w, length int64) {
	switch {
	case st.window >= w:
		return
	case st.window == w-length:
		st.prev, st.pendingPrev = st.cur, st.pendingCur
	default:
		st.prev, st.pendingPrev = 0, 0
	}
	st.cur, st.pendingCur = 0, 0
	st.window = w
}

// estimate is the sliding-window count at now.
func (st *keyState) estimate(now time.Time, length int64) float64 {
	elapsed := float64(now.UnixMicro()-st.window) / float64(length)
	return float64(st.prev+st.pendingPrev)*(1-elapsed) + float64(st.cur+st.pendingCur)
}

// retryAfter is how long until estimate+1 ≤ limit, assuming no further
// hits: while the previous window slides out, or else into the next
// window, while this one does.
func (st *keyState) retryAfter(now time.Time, length int64, limit float64) time.Duration {
	elapsed := float64(now.UnixMicro()-st.window) / float64(length)
	prev, cur, room := float64(st.prev+st.pendingPrev), float64(st.cur+st.pendingCur), limit-1
	var windows float64 // from the start of the current window
	if cur <= room && prev > 0 {
		windows = 1 - (room-cur)/prev
	} else {
		windows = 1 + math.Max(0, 1-room/cur)
	}
	ms := math.Ceil((windows - elapsed) * float64(length) / 1000)
	// A millisecond more, so that a client waiting exactly this long is
	// admitted despite rounding.
	return time.Duration(max(ms, 0)+1) * time.Millisecond
}

// flushDue reports whether this request should flush every pending key,
// and claims the flush if so. Callers hold mu.
func (l *RequestLimiter) flushDue(now time.Time) bool {
	if l.flushing || now.Sub(l.lastFlush) < l.flushAfter {
		return false
	}
	l.flushing, l.lastFlush = true, now
	return true
}

// flushAll publishes every pending key. A failure is logged, not returned:
// the request running it was already admitted, and the hits stay pending
// for the next flush.
func (l *RequestLimiter) flushAll(ctx context.Context) {
	l.mu.Lock()
	keys := make([]string, 0, len(l.dirty))
	for key, st := range l.dirty {
		switch {
		case st.flushed != nil: // in flight; what it did not carry goes next time
		case st.pendingPrev+st.pendingCur == 0:
			delete(l.dirty, key)
		default:
			keys = append(keys, key)
			delete(l.dirty, key)
		}
	}
	batch := l.take(keys)
	l.sweep()
	l.mu.Unlock()
	err := l.flush(ctx, batch)
	l.mu.Lock()
	l.flushing = false
	l.mu.Unlock()
	if err != nil {
		l.log.WarnContext(ctx, "request limits: flush failed; the hits stay pending", "keys", len(batch), "error", err)
	}
}

// sweep forgets, once a window, the keys with nothing left that weighs:
// no pending hits and no hit in the last two windows. Callers hold mu.
func (l *RequestLimiter) sweep() {
	now := l.now()
	if now.Sub(l.lastSweep) < time.Duration(l.window)*time.Microsecond {
		return
	}
	l.lastSweep = now
	w := l.windowOf(now)
	for key, st := range l.keys {
		if st.flushed == nil && st.pendingPrev+st.pendingCur == 0 && st.window < w-l.window {
			delete(l.keys, key)
		}
	}
}

// pendingHits is one key's share of a flush.
type pendingHits struct {
	key          string
	state        *keyState
	window       int64
	prev, cur    int64 // the deltas sent
	flushed      chan struct{}
	sharedWindow int64 // what the database answered
	sharedPrev   int64
	sharedCur    int64
	answered     bool
}

// take snapshots the pending hits of keys and marks them in flight.
// Callers hold mu.
func (l *RequestLimiter) take(keys []string) []pendingHits {
	batch := make([]pendingHits, 0, len(keys))
	for _, key := range keys {
		st := l.keys[key]
		if st == nil || st.flushed != nil {
			continue
		}
		st.flushed = make(chan struct{})
		batch = append(batch, pendingHits{key: key, state: st, window: st.window, prev: st.pendingPrev, cur: st.pendingCur,
			flushed: st.flushed})
	}
	return batch
}

// flush sends a batch in one statement and folds the answer into the
// states. On failure the hits stay pending.
func (l *RequestLimiter) flush(ctx context.Context, batch []pendingHits) error {
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
	defer cancel()
	err := l.addHits(ctx, batch)
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range batch {
		p := &batch[i]
		if err == nil && p.answered {
			p.state.settle(p, l.window)
		}
		p.state.flushed = nil
		close(p.flushed)
	}
	if err != nil {
		return fmt.Errorf("ratelimit: flush request counts: %w", err)
	}
	return nil
}

// settle takes the flushed hits out of pending and the totals read back
// in, wherever the state's window has moved meanwhile. Totals only grow
// within a window, so the larger of two reads is the newer.
func (st *keyState) settle(p *pendingHits, length int64) {
	switch st.window {
	case p.window:
		st.pendingPrev = max(0, st.pendingPrev-p.prev)
		st.pendingCur = max(0, st.pendingCur-p.cur)
	case p.window + length:
		st.pendingPrev = max(0, st.pendingPrev-p.cur)
	}
	switch p.sharedWindow {
	case st.window:
		st.prev, st.cur = max(st.prev, p.sharedPrev), max(st.cur, p.sharedCur)
	case st.window - length:
		st.prev = max(st.prev, p.sharedCur)
	case st.window + length:
		// Another replica's clock is already in the next window.
		st.cur = max(st.cur, p.sharedPrev)
	}
}
