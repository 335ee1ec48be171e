// Package sandbox is the simulated FX rate source of sandbox mode: one
// USD-stablecoin → HKD mid rate, configured at start and changed with
// POST /sandbox/fx (API.md §4). The rate lives in the database (sim_fx_rates)
// so that every replica on one PostgreSQL quotes the same rate.
package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Bounds of a simulated rate: wide enough to exercise rounding and limits
// far from the peg (7.75–7.85), narrow enough that every conversion of an
// allowed amount stays far inside int64 minor units.
const (
	MinUSDTHKD money.Rate = money.RateScale / 100  // 0.01
	MaxUSDTHKD money.Rate = 1000 * money.RateScale // 1000
)

// RefreshEvery is how stale another replica's change may be here.
const RefreshEvery = time.Second

const pair = "USDT/HKD"

// ErrOutOfRange refuses a rate outside MinUSDTHKD–MaxUSDTHKD.
var ErrOutOfRange = apperr.Validation(map[string]string{
	"usdt_hkd": "must be between " + MinUSDTHKD.String() + " and " + MaxUSDTHKD.String(),
}).WithDetails("The simulated rate is out of range")

// Rates serves the stored rate from memory. Callers read rates inside their
// transactions, so a read never waits for a connection of its own: on SQLite
// (one process, one connection) memory is the truth, since SetUSDTHKD writes
// both; on PostgreSQL one caller at a time re-reads the row on the pool when
// the copy is over RefreshEvery old, and the others keep the copy meanwhile.
type Rates struct {
	db  *store.DB
	now func() time.Time

	mu         sync.Mutex
	rate       money.Rate
	version    int64
	checked    time.Time
	refreshing bool
}

// New returns the source on db, starting from the stored rate or, when
// none was ever set, from initial (COMECOMEPAY_FX_USDT_HKD).
func New(ctx context.Context, db *store.DB, initial money.Rate, now func() time.Time) (*Rates, error) {
	r := &Rates{db: db, now: now, rate: initial}
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// USDTHKD implements wallet.Rates.
func (r *Rates) USDTHKD(ctx context.Context) (money.Rate, error) {
	r.mu.Lock()
	refresh := r.db.Engine == store.Postgres && !r.refreshing && time.Since(r.checked) >= RefreshEvery
	if refresh {
		r.refreshing = true
	}
	r.mu.Unlock()
	if refresh {
		// A failed read keeps the last rate; a later call tries again.
		_ = r.load(ctx)
		r.mu.Lock()
		r.refreshing = false
		r.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rate, nil
}

// SetUSDTHKD stores a new rate for every replica; this one uses it at once.
func (r *Rates) SetUSDTHKD(ctx context.Context, rate money.Rate) error {
	if rate < MinUSDTHKD || rate > MaxUSDTHKD {
		return ErrOutOfRange
	}
	var version int64
	err := r.db.SQL.QueryRowContext(ctx, `INSERT INTO sim_fx_rates (pair, rate, version, updated_at) VALUES ($1, $2, 1, $3)
		ON CONFLICT (pair) DO UPDATE SET rate = excluded.rate, version = sim_fx_rates.version + 1, updated_at = excluded.updated_at
		RETURNING version`, pair, int64(rate), store.At(r.now())).Scan(&version)
	if err != nil {
		return fmt.Errorf("fx sandbox: set rate: %w", err)
	}
	r.keep(rate, version)
	return nil
}

func (r *Rates) load(ctx context.Context) error {
	var rate, version int64
	err := r.db.SQL.QueryRowContext(ctx, `SELECT rate, version FROM sim_fx_rates WHERE pair = $1`, pair).Scan(&rate, &version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		r.keep(0, 0)
		return nil
	case err != nil:
		return fmt.Errorf("fx sandbox: load rate: %w", err)
	}
	r.keep(money.Rate(rate), version)
	return nil
}

// keep records what the database said, unless a newer change is already
// known (a read that started before this replica's own write).
func (r *Rates) keep(rate money.Rate, version int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checked = time.Now()
	if version > r.version {
		r.rate, r.version = rate, version
	}
}
