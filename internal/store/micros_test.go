package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

func TestMicrosRoundTripOnBothEngines(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE micros_probe (id INTEGER PRIMARY KEY, at BIGINT NOT NULL, maybe BIGINT)`); err != nil {
			t.Fatalf("create probe table: %v", err)
		}
		moment := time.Date(2026, 12, 4, 23, 10, 5, 123456000, time.FixedZone("HKT", 8*3600))
		cases := []struct {
			id        int
			at, maybe time.Time
		}{
			{1, moment, moment},
			{2, time.Time{}, time.Time{}}, // "never": 0 and NULL
		}
		for _, c := range cases {
			if _, err := db.SQL.ExecContext(ctx, `INSERT INTO micros_probe (id, at, maybe) VALUES ($1, $2, $3)`,
				c.id, store.At(c.at), store.NullAt(c.maybe)); err != nil {
				t.Fatalf("insert %d: %v", c.id, err)
			}
			var at, maybe time.Time
			var raw int64
			var isNull bool
			if err := db.SQL.QueryRowContext(ctx, `SELECT at, maybe, at, maybe IS NULL FROM micros_probe WHERE id = $1`, c.id).
				Scan(store.TimeInto(&at), store.TimeInto(&maybe), &raw, &isNull); err != nil {
				t.Fatalf("select %d: %v", c.id, err)
			}
			if !at.Equal(c.at) || !maybe.Equal(c.maybe) {
				t.Fatalf("row %d: got %v / %v, want %v / %v", c.id, at, maybe, c.at, c.maybe)
			}
			if !c.at.IsZero() && (at.Location() != time.UTC || raw != c.at.UnixMicro()) {
				t.Fatalf("row %d: stored %d in %v, want %d UTC", c.id, raw, at.Location(), c.at.UnixMicro())
			}
			if c.maybe.IsZero() != isNull || (c.at.IsZero() && raw != 0) {
				t.Fatalf("row %d: zero time stored as raw=%d null=%v", c.id, raw, isNull)
			}
		}
	})
}
