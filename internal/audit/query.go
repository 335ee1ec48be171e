package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Row is one stored audit entry. Before and After are the masked JSON
// states ("" when there was none).
type Row struct {
	ID         int64
	At         time.Time
	Actor      Actor
	Action     string
	TargetType string
	TargetID   string
	Before     string
	After      string
	Reason     string
}

// Filter selects rows; zero fields match everything. ActorID 0 with
// ActorType set matches every actor of that type (all CLI runs).
type Filter struct {
	ActorType  ActorType
	ActorID    int64
	Action     string // exact, or a prefix ending in "." ("withdrawal.")
	TargetType string
	TargetID   string
	From, To   time.Time // To is exclusive
}

// List returns one page of rows, newest first, and the number of rows the
// filter matches.
func (l *Log) List(ctx context.Context, f Filter, limit, offset int) ([]Row, int, error) {
	where, args := f.where()
	var total int
	if err := l.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit: list: count: %w", err)
	}
	args = append(args, limit, offset)
	rows, err := l.DB.SQL.QueryContext(ctx, `SELECT id, at, actor_type, actor_id, actor_label, actor_role, action,
		target_type, target_id, before_state, after_state, reason, ip, user_agent, request_id
		FROM audit_log`+where+` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var actorType string
		if err := rows.Scan(&r.ID, store.TimeInto(&r.At), &actorType, &r.Actor.ID, &r.Actor.Label, &r.Actor.Role,
			&r.Action, &r.TargetType, &r.TargetID, &r.Before, &r.After, &r.Reason, &r.Actor.IP,
			&r.Actor.UserAgent, &r.Actor.RequestID); err != nil {
			return nil, 0, fmt.Errorf("audit: list: scan: %w", err)
		}
		r.Actor.Type = ActorType(actorType)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	return out, total, nil
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.ActorType != "" {
		add("actor_type = ?", string(f.ActorType))
	}
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok && prefix != "" {
		// A prefix match without LIKE's wildcards: "withdrawal." matches
		// "withdrawal.approve" but not "withdrawals_x".
		add("substr(action, 1, ?) = ", len(f.Action))
		args = append(args, f.Action)
		conds[len(conds)-1] += "$" + strconv.Itoa(len(args))
	} else if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.TargetType != "" {
		add("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		add("target_id = ?", f.TargetID)
	}
	if !f.From.IsZero() {
		add("at >= ?", store.At(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", store.At(f.To))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
