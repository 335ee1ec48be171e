package accountdb

import (
	"context"
	"database/sql"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/store"
)

// PendingRegistration implements account.Repo.
func (r *Repo) PendingRegistration(ctx context.Context, q store.Querier, email string) (account.PendingRegistration, error) {
	var (
		p                account.PendingRegistration
		verified         sql.NullInt64
		created, updated int64
	)
	err := q.QueryRowContext(ctx, `SELECT email, referral_code, verified_at, created_at, updated_at
		FROM pending_registrations WHERE email = $1`, email).Scan(&p.Email, &p.ReferralCode, &verified, &created, &updated)
	if err != nil {
		return account.PendingRegistration{}, store.NotFound(err)
	}
	if verified.Valid {
		at := time.UnixMicro(verified.Int64).UTC()
		p.VerifiedAt = &at
	}
	p.CreatedAt, p.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return p, nil
}

// PutPendingRegistration implements account.Repo.
func (r *Repo) PutPendingRegistration(ctx context.Context, q store.Querier, p account.PendingRegistration) error {
	var verified any
	if p.VerifiedAt != nil {
		verified = p.VerifiedAt.UnixMicro()
	}
	_, err := q.ExecContext(ctx, `INSERT INTO pending_registrations (email, referral_code, verified_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (email) DO UPDATE SET referral_code = excluded.referral_code, verified_at = excluded.verified_at,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
		p.Email, p.ReferralCode, verified, p.CreatedAt.UnixMicro(), p.UpdatedAt.UnixMicro())
	return err
}

// DeletePendingRegistration implements account.Repo.
func (r *Repo) DeletePendingRegistration(ctx context.Context, q store.Querier, email string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM pending_registrations WHERE email = $1`, email)
	return err
}

// PendingChange implements account.Repo.
func (r *Repo) PendingChange(ctx context.Context, q store.Querier, userID int64, kind account.ChangeKind) (account.PendingChange, error) {
	var (
		c                account.PendingChange
		k                string
		created, expires int64
	)
	err := q.QueryRowContext(ctx, `SELECT user_id, kind, target, step, handle, secret_hash, created_at, expires_at
		FROM pending_changes WHERE user_id = $1 AND kind = $2`, userID, string(kind)).
		Scan(&c.UserID, &k, &c.Target, &c.Step, &c.Handle, &c.SecretHash, &created, &expires)
	if err != nil {
		return account.PendingChange{}, store.NotFound(err)
	}
	c.Kind = account.ChangeKind(k)
	c.CreatedAt, c.ExpiresAt = time.UnixMicro(created).UTC(), time.UnixMicro(expires).UTC()
	return c, nil
}

// PutPendingChange implements account.Repo.
func (r *Repo) PutPendingChange(ctx context.Context, q store.Querier, c account.PendingChange) error {
	_, err := q.ExecContext(ctx, `INSERT INTO pending_changes (user_id, kind, target, step, handle, secret_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (user_id, kind) DO UPDATE SET target = excluded.target, step = excluded.step, handle = excluded.handle,
			secret_hash = excluded.secret_hash, created_at = excluded.created_at, expires_at = excluded.expires_at`,
		c.UserID, string(c.Kind), c.Target, c.Step, c.Handle, c.SecretHash, c.CreatedAt.UnixMicro(), c.ExpiresAt.UnixMicro())
	return err
}

// DeletePendingChange implements account.Repo.
func (r *Repo) DeletePendingChange(ctx context.Context, q store.Querier, userID int64, kind account.ChangeKind) error {
	_, err := q.ExecContext(ctx, `DELETE FROM pending_changes WHERE user_id = $1 AND kind = $2`, userID, string(kind))
	return err
}
