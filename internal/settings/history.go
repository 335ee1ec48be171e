package settings

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Entry is a setting as operators see it: its definition, the value in
// force and its last change.
type Entry struct {
	Def
	Value     string // canonical text
	Stored    bool   // an operator set it (else the default applies)
	UpdatedAt time.Time
	UpdatedBy string
}

// List returns every stored setting with the value in force, in display
// order.
func (s *Service) List(ctx context.Context, q store.Querier) ([]Entry, error) {
	type row struct {
		value, by string
		at        time.Time
	}
	stored := map[string]row{}
	rows, err := q.QueryContext(ctx, `SELECT key, value, updated_at, updated_by_label FROM platform_settings`)
	if err != nil {
		return nil, fmt.Errorf("settings: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			key string
			r   row
		)
		if err := rows.Scan(&key, &r.value, store.TimeInto(&r.at), &r.by); err != nil {
			return nil, fmt.Errorf("settings: list: %w", err)
		}
		stored[key] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("settings: list: %w", err)
	}
	out := make([]Entry, 0, len(s.defs))
	for _, d := range s.defs {
		e := Entry{Def: d, Value: d.Default}
		if r, ok := stored[d.Key]; ok {
			e.Value, e.Stored, e.UpdatedAt, e.UpdatedBy = r.value, true, r.at, r.by
		}
		out = append(out, e)
	}
	return out, nil
}

// HistoryEntry is one recorded change.
type HistoryEntry struct {
	ID         int64
	Key        string
	Kind       Kind
	Old, New   string
	At         time.Time
	ActorType  string
	ActorID    int64
	ActorLabel string
	Reason     string
}

// KindOf returns the kind of a key's values (text for an unknown key).
func (s *Service) KindOf(key string) Kind {
	if d, ok := s.byKey[key]; ok {
		return d.Kind
	}
	if strings.HasPrefix(key, "card_fee.") {
		return KindCardFee
	}
	return KindText
}

// History lists recorded changes, newest first: of one key, of the keys
// starting with key when it ends in "." (e.g. "withdrawal_fee."), or all
// when key is "".
func (s *Service) History(ctx context.Context, key string, limit, offset int) ([]HistoryEntry, int, error) {
	where, args := "", []any{}
	switch {
	case strings.HasSuffix(key, "."):
		where, args = ` WHERE key LIKE $1 ESCAPE '\'`, append(args, likePrefix(key))
	case key != "":
		where, args = ` WHERE key = $1`, append(args, key)
	}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM platform_setting_changes`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("settings: history of %q: count: %w", key, err)
	}
	n := len(args)
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT id, key, old_value, new_value, changed_at, actor_type, actor_id, actor_label, reason
		FROM platform_setting_changes`+where+fmt.Sprintf(` ORDER BY id DESC LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("settings: history of %q: %w", key, err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		if err := rows.Scan(&h.ID, &h.Key, &h.Old, &h.New, store.TimeInto(&h.At), &h.ActorType, &h.ActorID, &h.ActorLabel, &h.Reason); err != nil {
			return nil, 0, fmt.Errorf("settings: history of %q: %w", key, err)
		}
		h.Kind = s.KindOf(h.Key)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("settings: history of %q: %w", key, err)
	}
	return out, total, nil
}

// likePrefix is a LIKE pattern matching text that starts with p (its own
// wildcards escaped: setting keys are full of "_").
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}
