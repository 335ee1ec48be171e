package approval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

const requestColumns = `id, kind, target_type, target_id, amount, currency, payload, reason, status,
	requested_by, requested_at, decided_by, decided_at, decision_reason`

func scanRequest(row interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var kind, status, payload string
	var amount int64
	err := row.Scan(&r.ID, &kind, &r.TargetType, &r.TargetID, &amount, &r.Currency, &payload, &r.Reason, &status,
		&r.RequestedBy, store.TimeInto(&r.RequestedAt), &r.DecidedBy, store.TimeInto(&r.DecidedAt), &r.DecisionReason)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, ErrNotFound
	}
	r.Kind, r.Status, r.Amount, r.Payload = Kind(kind), Status(status), money.Amount(amount), []byte(payload)
	return r, err
}

// Get returns one request.
func (s *Service) Get(ctx context.Context, id int64) (Request, error) {
	r, err := scanRequest(s.DB.SQL.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM approval_requests WHERE id = $1`, id))
	if err != nil {
		return Request{}, fmt.Errorf("approval: get %d: %w", id, err)
	}
	return r, nil
}

// List returns requests in a status ("" = all), newest first.
func (s *Service) List(ctx context.Context, status Status, limit, offset int) ([]Request, int, error) {
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM approval_requests WHERE $1 = '' OR status = $1`,
		string(status)).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("approval: list: %w", err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+requestColumns+` FROM approval_requests
		WHERE $1 = '' OR status = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, string(status), limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("approval: list: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("approval: list: %w", err)
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
