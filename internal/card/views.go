package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Card is a card record.
type Card struct {
	ID          int64
	UserID      int64
	TaskID      int64
	PublicToken string
	MaskedPAN   string
	Currency    string
	Status      Status
	IsPhysical  bool
	KYCID       int64
	MemberName  string
	ThreeDSPlan string
	Balance     money.Amount // HKD cents
	FeePaid     money.Amount // USD cents
	Expiry      string       // "YYYY-MM-DD HH:MM:SS" UTC
	// LockedByAdmin marks an operator freeze the user cannot lift.
	LockedByAdmin bool
	// StatusUpdatedBy is who made the last status change: user, operator or issuer.
	StatusUpdatedBy string
	// PendingStatus is a status change in flight at the issuer ("" = none).
	PendingStatus Status
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     *time.Time
}

var cardColumns = `id, user_id, task_id, public_token, masked_pan, currency, status, is_physical, kyc_id, member_name,
	three_ds_plan, ` + balanceColumn + `, fee_paid, expiry, created_at, updated_at, deleted_at, locked_by_admin, status_updated_by, pending_status`

func scanCard(row interface{ Scan(...any) error }) (Card, error) {
	var (
		c       Card
		deleted time.Time
	)
	if err := row.Scan(&c.ID, &c.UserID, &c.TaskID, &c.PublicToken, &c.MaskedPAN, &c.Currency, &c.Status, &c.IsPhysical, &c.KYCID,
		&c.MemberName, &c.ThreeDSPlan, &c.Balance, &c.FeePaid, &c.Expiry, store.TimeInto(&c.CreatedAt), store.TimeInto(&c.UpdatedAt),
		store.TimeInto(&deleted), &c.LockedByAdmin, &c.StatusUpdatedBy, &c.PendingStatus); err != nil {
		return Card{}, store.NotFound(err)
	}
	c.DeletedAt = optional(deleted)
	return c, nil
}

// Progress is the view of GET /card/apply/progress/{task_id}.
type Progress struct {
	TaskID       int64
	Status       TaskStatus
	FailReason   string
	CreatedAt    time.Time
	CompletedAt  *time.Time
	LastPolledAt *time.Time
	KYCID        int64
	Card         *Card
}

// Progress returns a task of the user and records the poll.
func (s *Service) Progress(ctx context.Context, userID, taskID int64) (Progress, error) {
	now := s.Now()
	res, err := s.DB.SQL.ExecContext(ctx, `UPDATE card_tasks SET last_polled_at = $1 WHERE id = $2 AND user_id = $3`,
		store.At(now), taskID, userID)
	if err != nil {
		return Progress{}, fmt.Errorf("card: progress of task %d: record poll: %w", taskID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Progress{}, ErrTaskNotFound.WithDetails("No such card application")
	}
	var (
		p                 Progress
		cardID            sql.NullInt64
		completed, polled time.Time
	)
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT id, status, fail_reason, kyc_id, card_id, created_at, completed_at, last_polled_at
		FROM card_tasks WHERE id = $1`, taskID).Scan(&p.TaskID, &p.Status, &p.FailReason, &p.KYCID, &cardID, store.TimeInto(&p.CreatedAt),
		store.TimeInto(&completed), store.TimeInto(&polled)); err != nil {
		return Progress{}, fmt.Errorf("card: progress of task %d: %w", taskID, err)
	}
	p.CompletedAt, p.LastPolledAt = optional(completed), optional(polled)
	if cardID.Valid {
		c, err := scanCard(s.DB.SQL.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = $1`, cardID.Int64))
		if err != nil {
			return Progress{}, fmt.Errorf("card: progress of task %d: card %d: %w", taskID, cardID.Int64, err)
		}
		p.Card = &c
	}
	return p, nil
}

// List returns the user's cards, oldest first.
func (s *Service) List(ctx context.Context, userID int64, includeCancelled bool) ([]Card, error) {
	q := `SELECT ` + cardColumns + ` FROM cards WHERE user_id = $1`
	args := []any{userID}
	if !includeCancelled {
		q += ` AND status <> $2`
		args = append(args, StatusCancelled)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("card: cards of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Card
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil, fmt.Errorf("card: cards of user %d: %w", userID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("card: cards of user %d: %w", userID, err)
	}
	return out, nil
}

// Get returns one of the user's cards by record id or public token.
func (s *Service) Get(ctx context.Context, userID, id int64, publicToken string) (Card, error) {
	return s.get(ctx, s.DB.SQL, userID, id, publicToken, "")
}

func (s *Service) get(ctx context.Context, q store.Querier, userID, id int64, publicToken, suffix string) (Card, error) {
	var row *sql.Row
	if publicToken != "" {
		row = q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE public_token = $1 AND user_id = $2`+suffix, publicToken, userID)
	} else {
		row = q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = $1 AND user_id = $2`+suffix, id, userID)
	}
	c, err := scanCard(row)
	if errors.Is(err, store.ErrNotFound) {
		return Card{}, ErrCardNotFound.WithDetails("No such card")
	}
	if err != nil {
		if publicToken == "" {
			publicToken = "#" + strconv.FormatInt(id, 10)
		}
		return Card{}, fmt.Errorf("card: card %s of user %d: %w", publicToken, userID, err)
	}
	return c, nil
}

// optional is t as an optional moment: nil for the zero time (a NULL column).
func optional(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
