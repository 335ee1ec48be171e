package accountdb

import (
	"context"
	"database/sql"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/store"
)

// CreateSession implements account.Repo.
func (r *Repo) CreateSession(ctx context.Context, q store.Querier, s account.Session) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5)`,
		s.ID, s.UserID, s.CreatedAt.UnixMicro(), s.IP, s.UserAgent)
	return err
}

// ActiveSession implements account.Repo.
func (r *Repo) ActiveSession(ctx context.Context, q store.Querier, sid string) (int64, account.Status, string, error) {
	var (
		userID           int64
		status, language string
	)
	err := q.QueryRowContext(ctx, `SELECT s.user_id, u.status, u.language FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1 AND s.revoked_at IS NULL`, sid).Scan(&userID, &status, &language)
	return userID, account.Status(status), language, store.NotFound(err)
}

// Language implements account.Repo.
func (r *Repo) Language(ctx context.Context, q store.Querier, userID int64) (string, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT language FROM users WHERE id = $1`, userID).Scan(&code)
	return code, store.NotFound(err)
}

// SetLanguage implements account.Repo.
func (r *Repo) SetLanguage(ctx context.Context, q store.Querier, userID int64, language string) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET language = $1 WHERE id = $2`, language, userID)
	return err
}

// RevokeSession implements account.Repo.
func (r *Repo) RevokeSession(ctx context.Context, q store.Querier, sid, reason string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL`,
		now.UnixMicro(), reason, sid)
	return err
}

// RevokeUserSessions implements account.Repo.
func (r *Repo) RevokeUserSessions(ctx context.Context, q store.Querier, userID int64, keepSID, reason string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, revoke_reason = $2
		WHERE user_id = $3 AND id <> $4 AND revoked_at IS NULL`, now.UnixMicro(), reason, userID, keepSID)
	return err
}

// InsertRefreshToken implements account.Repo.
func (r *Repo) InsertRefreshToken(ctx context.Context, q store.Querier, t account.RefreshToken) error {
	_, err := q.ExecContext(ctx, `INSERT INTO refresh_tokens (jti, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)`,
		t.JTI, t.SessionID, t.IssuedAt.UnixMicro(), t.ExpiresAt.UnixMicro())
	return err
}

// RefreshTokenForUpdate implements account.Repo.
func (r *Repo) RefreshTokenForUpdate(ctx context.Context, tx *sql.Tx, jti string) (account.RefreshToken, error) {
	var (
		t               account.RefreshToken
		issued, expires int64
		used            sql.NullInt64
		successor       sql.NullString
	)
	err := tx.QueryRowContext(ctx, `SELECT jti, session_id, issued_at, expires_at, used_at, successor_jti
		FROM refresh_tokens WHERE jti = $1`+r.db.ForUpdate(), jti).Scan(&t.JTI, &t.SessionID, &issued, &expires, &used, &successor)
	if err != nil {
		return account.RefreshToken{}, store.NotFound(err)
	}
	t.IssuedAt, t.ExpiresAt = time.UnixMicro(issued).UTC(), time.UnixMicro(expires).UTC()
	if used.Valid {
		at := time.UnixMicro(used.Int64).UTC()
		t.UsedAt = &at
	}
	t.SuccessorJTI = successor.String
	return t, nil
}

// MarkRefreshUsed implements account.Repo. The condition on used_at makes
// the rotation happen once even if two transactions raced past the lock.
func (r *Repo) MarkRefreshUsed(ctx context.Context, q store.Querier, jti, successor string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $1, successor_jti = $2 WHERE jti = $3 AND used_at IS NULL`,
		now.UnixMicro(), successor, jti)
	return affectedOne(res, err)
}
