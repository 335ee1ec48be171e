package store

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"time"
)

// Every table stores a moment as Unix microseconds in an integer column: one
// portable representation that sorts, compares and survives both engines
// without time-zone or precision surprises. These types do the conversion in
// one place instead of at every query.

// Micros is a time.Time as a query argument for a NOT NULL column. The zero
// time is stored as 0, the tables' "never" (a lock that never expires, a
// timestamp not yet set), so time.Time{} round-trips.
type Micros time.Time

// At converts t for a NOT NULL microseconds column.
func At(t time.Time) Micros { return Micros(t) }

// Value implements driver.Valuer.
func (m Micros) Value() (driver.Value, error) { return toMicros(time.Time(m)), nil }

// NullMicros is a time.Time as a query argument for a nullable column: the
// zero time is stored as NULL.
type NullMicros time.Time

// NullAt converts t for a nullable microseconds column.
func NullAt(t time.Time) NullMicros { return NullMicros(t) }

// Value implements driver.Valuer.
func (m NullMicros) Value() (driver.Value, error) {
	if time.Time(m).IsZero() {
		return nil, nil
	}
	return time.Time(m).UnixMicro(), nil
}

// TimeInto scans a microseconds column into *dst as UTC; 0 and NULL scan as
// the zero time.
func TimeInto(dst *time.Time) sql.Scanner { return timeScanner{dst} }

type timeScanner struct{ dst *time.Time }

func (s timeScanner) Scan(src any) error {
	micros, ok, err := integer(src)
	if err != nil {
		return fmt.Errorf("store: scan microseconds into time: %w", err)
	}
	if !ok || micros == 0 {
		*s.dst = time.Time{}
		return nil
	}
	*s.dst = time.UnixMicro(micros).UTC()
	return nil
}

func toMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// integer reads what the drivers hand back for an integer column: int64 from
// both, text or bytes from SQLite when the column was written as text.
func integer(src any) (n int64, ok bool, err error) {
	switch v := src.(type) {
	case nil:
		return 0, false, nil
	case int64:
		return v, true, nil
	case int32:
		return int64(v), true, nil
	case []byte:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil, err
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil, err
	default:
		return 0, false, fmt.Errorf("unsupported type %T", src)
	}
}
