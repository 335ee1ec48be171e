package ratelimit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/comecomepay/comecomepay/internal/store"
)

// addHitsSet folds a replica's deltas into a row. The sender's window is
// excluded.window_start, its hits of that window excluded.hits and of the
// window before excluded.previous_hits; the row may be behind the sender
// (it shifts), level with it, or one window ahead (the sender's clock or
// flush was late: its current hits belong to the row's previous window).
// SET expressions read the row as it was, on both engines.
const addHitsSet = ` ON CONFLICT (key) DO UPDATE SET
	hits = CASE
		WHEN request_counters.window_start = excluded.window_start THEN request_counters.hits + excluded.hits
		WHEN request_counters.window_start < excluded.window_start THEN excluded.hits
		ELSE request_counters.hits END,
	previous_hits = CASE
		WHEN request_counters.window_start = excluded.window_start THEN request_counters.previous_hits + excluded.previous_hits
		WHEN request_counters.window_start = excluded.window_start - $%[1]d THEN request_counters.hits + excluded.previous_hits
		WHEN request_counters.window_start < excluded.window_start THEN excluded.previous_hits
		WHEN request_counters.window_start = excluded.window_start + $%[1]d THEN request_counters.previous_hits + excluded.hits
		ELSE request_counters.previous_hits END,
	window_start = CASE WHEN request_counters.window_start < excluded.window_start
		THEN excluded.window_start ELSE request_counters.window_start END
	RETURNING key, window_start, previous_hits, hits`

// The batch travels as arrays (PostgreSQL) or one JSON document (SQLite),
// so the statement text is the same for every batch size: PostgreSQL's
// prepared-statement cache keeps one entry, not one per size.
var (
	addHitsPostgres = `INSERT INTO request_counters (key, window_start, hits, previous_hits)
	SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])` + fmt.Sprintf(addHitsSet, 5)
	// WHERE true: SQLite's parser needs it between INSERT … SELECT and
	// ON CONFLICT.
	addHitsSQLite = `INSERT INTO request_counters (key, window_start, hits, previous_hits)
	SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
	FROM JSON_EACH($1) WHERE true` + fmt.Sprintf(addHitsSet, 2)
)

// addHits adds the batch's deltas in one statement and records the totals
// each row holds afterwards. Keys go in sorted order, so two replicas'
// flushes lock rows in the same order and cannot deadlock.
func (l *RequestLimiter) addHits(ctx context.Context, batch []pendingHits) error {
	slices.SortFunc(batch, func(a, b pendingHits) int { return strings.Compare(a.key, b.key) })
	var (
		query string
		args  []any
	)
	switch l.db.Engine {
	case store.Postgres:
		keys, windows, hits, prevs := make([]string, len(batch)), make([]int64, len(batch)), make([]int64, len(batch)), make([]int64, len(batch))
		for i, p := range batch {
			keys[i], windows[i], hits[i], prevs[i] = p.key, p.window, p.cur, p.prev
		}
		query, args = addHitsPostgres, []any{keys, windows, hits, prevs, l.window}
	default:
		rows := make([][4]any, len(batch))
		for i, p := range batch {
			rows[i] = [4]any{p.key, p.window, p.cur, p.prev}
		}
		doc, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		query, args = addHitsSQLite, []any{string(doc), l.window}
	}
	rows, err := l.db.SQL.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	at := make(map[string]int, len(batch))
	for i, p := range batch {
		at[p.key] = i
	}
	for rows.Next() {
		var (
			key                string
			window, prev, hits int64
		)
		if err := rows.Scan(&key, &window, &prev, &hits); err != nil {
			return err
		}
		if i, ok := at[key]; ok {
			p := &batch[i]
			p.sharedWindow, p.sharedPrev, p.sharedCur, p.answered = window, prev, hits, true
		}
	}
	return rows.Err()
}
