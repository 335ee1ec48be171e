package card

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/store"
)

// AuditKind names what a cardholder saw or changed. The audit records the
// kind, never the value.
type AuditKind string

// Audited operations on card secrets.
const (
	AuditCVV        AuditKind = "cvv"
	AuditFullNumber AuditKind = "full_number"
	AuditPINQuery   AuditKind = "pin_query"
	AuditPINSet     AuditKind = "pin_set"
)

// counted reports whether the kind is a reveal the hourly limit counts
// (API.md §1.14: card number, CVV and PIN reveals). Setting a PIN shows
// nothing and is only audited.
func (k AuditKind) counted() bool { return k == AuditCVV || k == AuditFullNumber || k == AuditPINQuery }

// Audit outcomes: a row is written as pending before the issuer call, so an
// attempt is on record even if the process dies during the call.
const (
	outcomePending = "pending"
	outcomeOK      = "ok"
	outcomeFailed  = "failed"
)

// maxAuditText bounds client-supplied text kept in the audit.
const maxAuditText = 256

// checkLimit refuses a reveal beyond RevealLimit in the sliding window. The
// audit table is the counter: it lives in the database, so the limit holds
// across replicas, and the caller holds the user's row lock. Reveals the
// issuer failed do not count: the cardholder saw nothing.
func (s *Secrets) checkLimit(ctx context.Context, tx *sql.Tx, userID int64) error {
	now := s.Now()
	var (
		n      int
		oldest time.Time
	)
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM card_secret_audit
		WHERE user_id = $1 AND created_at > $2 AND kind IN ($3, $4, $5) AND outcome <> $6`,
		userID, store.At(now.Add(-s.RevealWindow)), string(AuditCVV), string(AuditFullNumber), string(AuditPINQuery), outcomeFailed).
		Scan(&n, store.TimeInto(&oldest)); err != nil {
		return fmt.Errorf("count reveals: %w", err)
	}
	if n < s.RevealLimit {
		return nil
	}
	wait := oldest.Add(s.RevealWindow).Sub(now)
	return apperr.New(apperr.CodeRateLimited).WithDetails("Too many card detail reveals; try again later").
		WithRetryAfter((wait + time.Second - 1).Truncate(time.Second))
}

// audit writes the pending row of an operation.
func (s *Secrets) audit(ctx context.Context, tx *sql.Tx, op secretOp, cardID int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO card_secret_audit (user_id, card_id, kind, outcome, client_ip, user_agent, session_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		op.userID, cardID, string(op.kind), outcomePending, clip(op.client.IP), clip(op.client.UserAgent), clip(op.client.SessionID),
		store.At(s.Now())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record %s audit: %w", op.kind, err)
	}
	return id, nil
}

// complete records the outcome of an operation.
func (s *Secrets) complete(ctx context.Context, id int64, outcome string) error {
	if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE card_secret_audit SET outcome = $1, finished_at = $2 WHERE id = $3`,
		outcome, store.At(s.Now()), id); err != nil {
		return fmt.Errorf("card: record outcome of audit %d: %w", id, err)
	}
	return nil
}

// clip bounds a client-supplied string by characters.
func clip(v string) string {
	r := []rune(v)
	if len(r) > maxAuditText {
		return string(r[:maxAuditText])
	}
	return v
}
