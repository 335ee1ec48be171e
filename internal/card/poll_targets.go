package card

import (
	"context"
	"fmt"
	"strconv"
)

// TaskReference is the issuer-side reference of an issuance task (the
// idempotency key IssueCard sends and an issuer echoes as task_ref).
func TaskReference(taskID int64) string { return "task-" + strconv.FormatInt(taskID, 10) }

// TasksAtIssuer returns the references of tasks submitted to the issuer and
// not yet ended, oldest first: what an issuer that is polled must be asked
// about. A task still pending was never sent, so the issuer cannot know it.
func (s *Service) TasksAtIssuer(ctx context.Context, limit int) ([]string, error) {
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT id FROM card_tasks WHERE status = $1 ORDER BY id LIMIT $2`, TaskProcessing, limit)
	if err != nil {
		return nil, fmt.Errorf("card: tasks at the issuer: %w", err)
	}
	defer rows.Close()
	var refs []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("card: tasks at the issuer: %w", err)
		}
		refs = append(refs, TaskReference(id))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("card: tasks at the issuer: %w", err)
	}
	return refs, nil
}

// CardAtIssuer is what a poller compares with the issuer's view of a card.
type CardAtIssuer struct {
	ID          int64
	PublicToken string
	Status      Status
	// Claimed: a change of ours is at the issuer right now; the issuer may
	// already show it, so a difference proves nothing until it ends.
	Claimed bool
	// Changes counts the card's recorded status changes: it tells one
	// difference from the next one with the same code (frozen, active,
	// frozen again), so an event derived from it is new exactly when the
	// local state moved since.
	Changes int64
}

// CardsAtIssuer returns up to limit cards the issuer still holds open
// (not cancelled here), by id after afterID.
func (s *Service) CardsAtIssuer(ctx context.Context, afterID int64, limit int) ([]CardAtIssuer, error) {
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT c.id, c.public_token, c.status, c.pending_status,
		(SELECT COUNT(*) FROM card_status_changes h WHERE h.card_id = c.id)
		FROM cards c WHERE c.status <> $1 AND c.id > $2 ORDER BY c.id LIMIT $3`, StatusCancelled, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("card: cards at the issuer: %w", err)
	}
	defer rows.Close()
	var out []CardAtIssuer
	for rows.Next() {
		var (
			c       CardAtIssuer
			pending string
		)
		if err := rows.Scan(&c.ID, &c.PublicToken, &c.Status, &pending, &c.Changes); err != nil {
			return nil, fmt.Errorf("card: cards at the issuer: %w", err)
		}
		c.Claimed = pending != ""
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("card: cards at the issuer: %w", err)
	}
	return out, nil
}
