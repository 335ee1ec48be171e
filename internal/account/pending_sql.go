package account

import (
	"context"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

func (s *Service) pendingRegistration(ctx context.Context, q store.Querier, email string) (PendingRegistration, error) {
	var (
		p        PendingRegistration
		verified time.Time
	)
	err := q.QueryRowContext(ctx, `SELECT email, referral_code, verified_at, created_at, updated_at
		FROM pending_registrations WHERE email = $1`, email).
		Scan(&p.Email, &p.ReferralCode, store.TimeInto(&verified), store.TimeInto(&p.CreatedAt), store.TimeInto(&p.UpdatedAt))
	if err != nil {
		return PendingRegistration{}, store.NotFound(err)
	}
	if !verified.IsZero() {
		p.VerifiedAt = &verified
	}
	return p, nil
}

func (s *Service) putPendingRegistration(ctx context.Context, q store.Querier, p PendingRegistration) error {
	var verified time.Time
	if p.VerifiedAt != nil {
		verified = *p.VerifiedAt
	}
	_, err := q.ExecContext(ctx, `INSERT INTO pending_registrations (email, referral_code, verified_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (email) DO UPDATE SET referral_code = excluded.referral_code, verified_at = excluded.verified_at,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
		p.Email, p.ReferralCode, store.NullAt(verified), store.At(p.CreatedAt), store.At(p.UpdatedAt))
	return err
}

func (s *Service) deletePendingRegistration(ctx context.Context, q store.Querier, email string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM pending_registrations WHERE email = $1`, email)
	return err
}

func (s *Service) pendingChange(ctx context.Context, q store.Querier, userID int64, kind ChangeKind) (PendingChange, error) {
	var (
		c PendingChange
		k string
	)
	err := q.QueryRowContext(ctx, `SELECT user_id, kind, target, step, handle, secret_hash, created_at, expires_at
		FROM pending_changes WHERE user_id = $1 AND kind = $2`, userID, string(kind)).
		Scan(&c.UserID, &k, &c.Target, &c.Step, &c.Handle, &c.SecretHash, store.TimeInto(&c.CreatedAt), store.TimeInto(&c.ExpiresAt))
	if err != nil {
		return PendingChange{}, store.NotFound(err)
	}
	c.Kind = ChangeKind(k)
	return c, nil
}

func (s *Service) putPendingChange(ctx context.Context, q store.Querier, c PendingChange) error {
	_, err := q.ExecContext(ctx, `INSERT INTO pending_changes (user_id, kind, target, step, handle, secret_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (user_id, kind) DO UPDATE SET target = excluded.target, step = excluded.step, handle = excluded.handle,
			secret_hash = excluded.secret_hash, created_at = excluded.created_at, expires_at = excluded.expires_at`,
		c.UserID, string(c.Kind), c.Target, c.Step, c.Handle, c.SecretHash, store.At(c.CreatedAt), store.At(c.ExpiresAt))
	return err
}

func (s *Service) deletePendingChange(ctx context.Context, q store.Querier, userID int64, kind ChangeKind) error {
	_, err := q.ExecContext(ctx, `DELETE FROM pending_changes WHERE user_id = $1 AND kind = $2`, userID, string(kind))
	return err
}
