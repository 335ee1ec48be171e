package operator

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// tokenPrefix marks operator tokens so that one pasted into the wrong place
// (a user API call, a log search) is recognisable; it is not what keeps them
// apart — the stores are separate.
const tokenPrefix = "ccpop_"

// IssuedSession is a session as its holder receives it: the token appears
// here once and is stored only as a hash.
type IssuedSession struct {
	ID        string
	Token     string
	ExpiresAt time.Time
}

// Session is a session as listed.
type Session struct {
	ID           string
	OperatorID   int64
	IP           string
	UserAgent    string
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time
	RevokedAt    time.Time
	RevokeReason string
}

// Principal is a signed-in operator.
type Principal struct {
	OperatorID int64
	Email      string
	Role       Role
	SessionID  string
}

// touchEvery bounds how often a session's last use is written: the idle
// time-out is enforced to within this much, and a busy console does not
// write on every request.
const touchEvery = time.Minute

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Service) openSession(ctx context.Context, tx *sql.Tx, operatorID int64, client audit.Actor, now time.Time) (IssuedSession, error) {
	is := IssuedSession{ID: "os_" + secret.Base62(20), Token: tokenPrefix + secret.Base62(43),
		ExpiresAt: now.Add(s.Policy.SessionLifetime).UTC()}
	_, err := tx.ExecContext(ctx, `INSERT INTO operator_sessions (id, operator_id, token_hash, ip, user_agent,
		created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
		is.ID, operatorID, tokenHash(is.Token), client.IP, text.Truncate(client.UserAgent, 512), store.At(now), store.At(is.ExpiresAt))
	return is, err
}

// Authenticate resolves a bearer token to its operator. A token that is
// unknown, revoked, past its lifetime or idle time-out, or whose operator is
// disabled, is ErrUnauthorized: every replica reads the same rows, so a
// revocation holds everywhere at once.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return Principal{}, ErrUnauthorized
	}
	var p Principal
	var role, status string
	var lastSeen, expires time.Time
	err := s.DB.SQL.QueryRowContext(ctx, `SELECT s.id, s.operator_id, s.last_seen_at, s.expires_at, o.email, o.role, o.status
		FROM operator_sessions s JOIN operators o ON o.id = s.operator_id
		WHERE s.token_hash = $1 AND s.revoked_at = 0`, tokenHash(token)).
		Scan(&p.SessionID, &p.OperatorID, store.TimeInto(&lastSeen), store.TimeInto(&expires), &p.Email, &role, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, ErrUnauthorized
	}
	if err != nil {
		return Principal{}, fmt.Errorf("operator: authenticate: %w", err)
	}
	now := s.Now()
	if Status(status) != Active || !now.Before(expires) || now.Sub(lastSeen) >= s.Policy.IdleTimeout {
		return Principal{}, ErrUnauthorized
	}
	p.Role = Role(role)
	if now.Sub(lastSeen) >= touchEvery {
		if _, err := s.DB.SQL.ExecContext(ctx, `UPDATE operator_sessions SET last_seen_at = $1 WHERE id = $2 AND revoked_at = 0`,
			store.At(now), p.SessionID); err != nil {
			return Principal{}, fmt.Errorf("operator: authenticate: touch session: %w", err)
		}
	}
	return p, nil
}

// Refresh replaces the session's token: the old one stops working at once.
// The session keeps its absolute lifetime; only the idle clock restarts.
func (s *Service) Refresh(ctx context.Context, token string) (IssuedSession, error) {
	p, err := s.Authenticate(ctx, token)
	if err != nil {
		return IssuedSession{}, err
	}
	now := s.Now()
	is := IssuedSession{ID: p.SessionID, Token: tokenPrefix + secret.Base62(43)}
	err = s.DB.SQL.QueryRowContext(ctx, `UPDATE operator_sessions SET token_hash = $1, last_seen_at = $2
		WHERE id = $3 AND token_hash = $4 AND revoked_at = 0 RETURNING expires_at`,
		tokenHash(is.Token), store.At(now), p.SessionID, tokenHash(token)).Scan(store.TimeInto(&is.ExpiresAt))
	if errors.Is(err, sql.ErrNoRows) {
		// Another refresh with the same token won the race.
		return IssuedSession{}, ErrUnauthorized
	}
	if err != nil {
		return IssuedSession{}, fmt.Errorf("operator: refresh: %w", err)
	}
	return is, nil
}

// Sessions lists an operator's sessions that are still usable.
func (s *Service) Sessions(ctx context.Context, operatorID int64) ([]Session, error) {
	now := s.Now()
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT id, operator_id, ip, user_agent, created_at, last_seen_at, expires_at,
		revoked_at, revoke_reason FROM operator_sessions
		WHERE operator_id = $1 AND revoked_at = 0 AND expires_at > $2 AND last_seen_at > $3 ORDER BY created_at DESC`,
		operatorID, store.At(now), store.At(now.Add(-s.Policy.IdleTimeout)))
	if err != nil {
		return nil, fmt.Errorf("operator: sessions of %d: %w", operatorID, err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var x Session
		if err := rows.Scan(&x.ID, &x.OperatorID, &x.IP, &x.UserAgent, store.TimeInto(&x.CreatedAt),
			store.TimeInto(&x.LastSeenAt), store.TimeInto(&x.ExpiresAt), store.TimeInto(&x.RevokedAt), &x.RevokeReason); err != nil {
			return nil, fmt.Errorf("operator: sessions of %d: %w", operatorID, err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// RevokeSession ends one session of an operator, audited for the actor on
// ctx (the operator signing out, or a super_admin).
func (s *Service) RevokeSession(ctx context.Context, operatorID int64, sessionID, reason string) error {
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE operator_sessions SET revoked_at = $1, revoke_reason = $2
			WHERE id = $3 AND operator_id = $4 AND revoked_at = 0`, store.At(s.Now()), reason, sessionID, operatorID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrSessionNotFound
		}
		return s.Audit.Record(ctx, tx, audit.Entry{Action: "operator.session_revoke", TargetType: "operator_session",
			TargetID: sessionID, Reason: reason})
	})
	if err != nil {
		return fmt.Errorf("operator: revoke session: %w", err)
	}
	return nil
}

// ErrSessionNotFound means no live session of that operator has the id.
var ErrSessionNotFound = apperr.New("SESSION_NOT_FOUND")

func (s *Service) revokeAll(ctx context.Context, tx *sql.Tx, operatorID int64, reason string) error {
	_, err := tx.ExecContext(ctx, `UPDATE operator_sessions SET revoked_at = $1, revoke_reason = $2
		WHERE operator_id = $3 AND revoked_at = 0`, store.At(s.Now()), reason, operatorID)
	return err
}
