package card

import (
	"fmt"
	"github.com/comecomepay/comecomepay/internal/store"

	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"github.com/riverqueue/river"
)

// DefaultHoldTTL is how long an authorisation may stay uncleared before its
// hold is released (card networks expire authorisations after about a
// month; the issuer would send a reversal, which then changes nothing).
const DefaultHoldTTL = 30 * 24 * time.Hour

// ExpireHoldsArgs is the periodic job that releases stale authorisations.
type ExpireHoldsArgs struct{}

// Kind implements river.JobArgs.
func (ExpireHoldsArgs) Kind() string { return "card.holds.expire" }

// ExpireHoldsWorker releases the holds of authorisations older than the TTL.
type ExpireHoldsWorker struct {
	river.WorkerDefaults[ExpireHoldsArgs]
	s *Service
}

// NewExpireHoldsWorker returns the worker for ExpireHoldsArgs.
func NewExpireHoldsWorker(s *Service) *ExpireHoldsWorker { return &ExpireHoldsWorker{s: s} }

// Work implements river.Worker.
func (w *ExpireHoldsWorker) Work(ctx context.Context, _ *river.Job[ExpireHoldsArgs]) error {
	_, err := w.s.ExpireHolds(ctx)
	return err
}

// ExpireHolds releases the hold of every authorisation still uncleared
// after the hold TTL, as a full reversal through the card-event handling
// (so a real reversal arriving later moves nothing). A trade that fails is
// logged and skipped, so it cannot hold up the others. It returns how many
// it released.
func (s *Service) ExpireHolds(ctx context.Context) (int, error) {
	released, after := 0, int64(0)
	for {
		n, last, err := s.expireHoldsPage(ctx, after)
		released += n
		if err != nil || last == 0 {
			return released, err
		}
		after = last
	}
}

// expireHoldsPage handles up to one page of stale holds with trade ids
// above after; last is the highest trade id seen (0 = no more).
func (s *Service) expireHoldsPage(ctx context.Context, after int64) (released int, last int64, err error) {
	ttl := s.HoldTTL
	if ttl <= 0 {
		ttl = DefaultHoldTTL
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT t.trade_id, t.amount, c.public_token FROM card_trades t JOIN cards c ON c.id = t.card_id
		WHERE t.held > 0 AND t.trade_clear = 0 AND t.trade_time < $1 AND t.trade_id > $2 ORDER BY t.trade_id LIMIT 500`,
		store.At(s.Now().Add(-ttl)), after)
	if err != nil {
		return 0, 0, fmt.Errorf("card: expire holds: list stale holds: %w", err)
	}
	type stale struct {
		id     int64
		amount int64
		token  string
	}
	var list []stale
	for rows.Next() {
		var st stale
		if err := rows.Scan(&st.id, &st.amount, &st.token); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("card: expire holds: list stale holds: %w", err)
		}
		list = append(list, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("card: expire holds: list stale holds: %w", err)
	}
	if len(list) == 0 {
		return 0, 0, nil
	}
	for _, st := range list {
		raw, _ := json.Marshal(map[string]any{"trade_id": st.id, "reversal_amount": json.Number(fixed2(moneyOf(st.amount)))})
		ev := IssuerEvent{ID: "expiry:" + strconv.FormatInt(st.id, 10), Type: "card.transaction.reversed", OccurredAt: s.Now(),
			PublicToken: st.token, Data: raw}
		if err := s.DB.InTx(ctx, func(tx *sql.Tx) error { _, err := s.applyTradeEvent(ctx, tx, ev); return err }); err != nil {
			if ctx.Err() != nil {
				return released, 0, fmt.Errorf("card: expire hold of trade %d: %w", st.id, err)
			}
			s.Log.ErrorContext(ctx, "releasing an expired card hold failed", "trade_id", st.id, "error", err)
			continue
		}
		released++
	}
	return released, list[len(list)-1].id, nil
}
