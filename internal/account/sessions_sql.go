package account

import (
	"context"
	"database/sql"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

func (s *Service) insertSession(ctx context.Context, q store.Querier, sess Session) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5)`,
		sess.ID, sess.UserID, store.At(sess.CreatedAt), sess.IP, sess.UserAgent)
	return err
}

// activeSession returns the owner, status and language of a session that is
// not revoked; store.ErrNotFound otherwise.
func (s *Service) activeSession(ctx context.Context, q store.Querier, sid string) (int64, Status, string, error) {
	var (
		userID           int64
		status, language string
	)
	err := q.QueryRowContext(ctx, `SELECT s.user_id, u.status, u.language FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1 AND s.revoked_at IS NULL`, sid).Scan(&userID, &status, &language)
	return userID, Status(status), language, store.NotFound(err)
}

// sessionUser returns the user of a session that is not revoked, the
// language on record and the wallet id copied into the row ("" when not
// copied); store.ErrNotFound otherwise. One statement is the session check
// and the user read of an authenticated request.
func (s *Service) sessionUser(ctx context.Context, q store.Querier, sid string) (User, string, string, error) {
	var language, walletID string
	u, err := scanUser(alsoScan{q.QueryRowContext(ctx, `SELECT `+userColumns+`, language, COALESCE(wallet_id, '') FROM users
		WHERE id = (SELECT user_id FROM sessions WHERE id = $1 AND revoked_at IS NULL)`, sid), []any{&language, &walletID}})
	return u, language, walletID, err
}

// alsoScan scans a row into scanUser's destinations and then into more.
type alsoScan struct {
	row  interface{ Scan(...any) error }
	more []any
}

func (a alsoScan) Scan(dest ...any) error { return a.row.Scan(append(dest, a.more...)...) }

func (s *Service) revokeSession(ctx context.Context, q store.Querier, sid, reason string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL`,
		store.At(now), reason, sid)
	return err
}

// revokeUserSessions revokes every live session of the user except keepSID.
func (s *Service) revokeUserSessions(ctx context.Context, q store.Querier, userID int64, keepSID, reason string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1, revoke_reason = $2
		WHERE user_id = $3 AND id <> $4 AND revoked_at IS NULL`, store.At(now), reason, userID, keepSID)
	return err
}

func (s *Service) insertRefreshToken(ctx context.Context, q store.Querier, t RefreshToken) error {
	_, err := q.ExecContext(ctx, `INSERT INTO refresh_tokens (jti, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)`,
		t.JTI, t.SessionID, store.At(t.IssuedAt), store.At(t.ExpiresAt))
	return err
}

func (s *Service) refreshTokenForUpdate(ctx context.Context, tx *sql.Tx, jti string) (RefreshToken, error) {
	var (
		t         RefreshToken
		used      time.Time
		successor sql.NullString
	)
	err := tx.QueryRowContext(ctx, `SELECT jti, session_id, issued_at, expires_at, used_at, successor_jti
		FROM refresh_tokens WHERE jti = $1`+s.DB.ForUpdate(), jti).
		Scan(&t.JTI, &t.SessionID, store.TimeInto(&t.IssuedAt), store.TimeInto(&t.ExpiresAt), store.TimeInto(&used), &successor)
	if err != nil {
		return RefreshToken{}, store.NotFound(err)
	}
	if !used.IsZero() {
		t.UsedAt = &used
	}
	t.SuccessorJTI = successor.String
	return t, nil
}

// markRefreshUsed rotates a refresh token. The condition on used_at makes
// the rotation happen once even if two transactions raced past the lock.
func (s *Service) markRefreshUsed(ctx context.Context, q store.Querier, jti, successor string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $1, successor_jti = $2 WHERE jti = $3 AND used_at IS NULL`,
		store.At(now), successor, jti)
	return affectedOne(res, err)
}
