// Package accountdb stores the account domain in SQL that runs unchanged on
// SQLite and PostgreSQL; the only engine difference (row locks) comes from
// store.DB.ForUpdate.
package accountdb

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Repo implements account.Repo.
type Repo struct{ db *store.DB }

// New returns a Repo for db's engine.
func New(db *store.DB) *Repo { return &Repo{db: db} }

var _ account.Repo = (*Repo)(nil)

const userColumns = `id, email, password_hash, first_name, last_name, phone, account_type, status, referral_code,
	referred_by, date_of_birth, address, city, state, post_code, area_code, bill_country_code,
	COALESCE(tx_password_hash, ''), tx_password_failures, tx_password_locked_until, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (account.User, error) {
	var (
		u                             account.User
		status                        string
		referredBy                    sql.NullInt64
		lockUntil, created, updated   int64
		first, last, phone, dob       sql.NullString
		addr, city, state, post, area sql.NullString
		bill                          sql.NullString
	)
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &first, &last, &phone, &u.AccountType, &status, &u.ReferralCode,
		&referredBy, &dob, &addr, &city, &state, &post, &area, &bill,
		&u.TxPasswordHash, &u.TxPasswordFails, &lockUntil, &created, &updated)
	if err != nil {
		return account.User{}, store.NotFound(err)
	}
	u.Status = account.Status(status)
	if referredBy.Valid {
		u.ReferredBy = &referredBy.Int64
	}
	u.FirstName, u.LastName, u.Phone, u.DateOfBirth = ptr(first), ptr(last), ptr(phone), ptr(dob)
	u.Address, u.City, u.State, u.PostCode, u.AreaCode, u.BillCountryCode = ptr(addr), ptr(city), ptr(state), ptr(post), ptr(area), ptr(bill)
	if lockUntil > 0 {
		u.TxPasswordLock = time.UnixMicro(lockUntil).UTC()
	}
	u.CreatedAt, u.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return u, nil
}

func ptr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// UserByID implements account.Repo.
func (r *Repo) UserByID(ctx context.Context, q store.Querier, id int64) (account.User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UserByIDForUpdate implements account.Repo.
func (r *Repo) UserByIDForUpdate(ctx context.Context, tx *sql.Tx, id int64) (account.User, error) {
	return scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+r.db.ForUpdate(), id))
}

// UserByEmail implements account.Repo.
func (r *Repo) UserByEmail(ctx context.Context, q store.Querier, email string) (account.User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
}

// EmailTaken implements account.Repo.
func (r *Repo) EmailTaken(ctx context.Context, q store.Querier, email string) (bool, error) {
	var taken bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)`, email).Scan(&taken)
	return taken, err
}

// UserIDByReferralCode implements account.Repo.
func (r *Repo) UserIDByReferralCode(ctx context.Context, q store.Querier, code string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE referral_code = $1`, code).Scan(&id)
	return id, store.NotFound(err)
}

// CreateUser implements account.Repo.
func (r *Repo) CreateUser(ctx context.Context, q store.Querier, u account.User) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO users (email, password_hash, account_type, status, referral_code, referred_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		u.Email, u.PasswordHash, u.AccountType, string(u.Status), u.ReferralCode, u.ReferredBy, u.CreatedAt.UnixMicro()).Scan(&id)
	return id, err
}

// UpdateProfile implements account.Repo. A nil field keeps its value; an
// empty string clears it.
func (r *Repo) UpdateProfile(ctx context.Context, q store.Querier, id int64, p account.ProfileUpdate, now time.Time) error {
	sets := []struct {
		column string
		value  *string
	}{
		{"first_name", p.FirstName}, {"last_name", p.LastName}, {"date_of_birth", p.DateOfBirth},
		{"account_type", p.AccountType}, {"address", p.Address}, {"city", p.City}, {"state", p.State},
		{"post_code", p.PostCode}, {"area_code", p.AreaCode}, {"bill_country_code", p.Bill},
	}
	query := `UPDATE users SET updated_at = $1`
	args := []any{now.UnixMicro()}
	for _, s := range sets {
		if s.value == nil {
			continue
		}
		args = append(args, nullable(*s.value))
		query += ", " + s.column + " = $" + strconv.Itoa(len(args))
	}
	args = append(args, id)
	res, err := q.ExecContext(ctx, query+` WHERE id = $`+strconv.Itoa(len(args)), args...)
	return affectedOne(res, err)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (r *Repo) set(ctx context.Context, q store.Querier, id int64, now time.Time, column string, value any) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET `+column+` = $1, updated_at = $2 WHERE id = $3`, value, now.UnixMicro(), id)
	return affectedOne(res, err)
}

// SetPasswordHash implements account.Repo.
func (r *Repo) SetPasswordHash(ctx context.Context, q store.Querier, id int64, hash string, now time.Time) error {
	return r.set(ctx, q, id, now, "password_hash", hash)
}

// SetEmail implements account.Repo.
func (r *Repo) SetEmail(ctx context.Context, q store.Querier, id int64, email string, now time.Time) error {
	return r.set(ctx, q, id, now, "email", email)
}

// SetPhone implements account.Repo.
func (r *Repo) SetPhone(ctx context.Context, q store.Querier, id int64, phone string, now time.Time) error {
	return r.set(ctx, q, id, now, "phone", phone)
}

// SetTxPassword implements account.Repo; it also clears failures and lock.
func (r *Repo) SetTxPassword(ctx context.Context, q store.Querier, id int64, hash string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET tx_password_hash = $1, tx_password_failures = 0,
		tx_password_locked_until = 0, updated_at = $2 WHERE id = $3`, hash, now.UnixMicro(), id)
	return affectedOne(res, err)
}

// SetTxPasswordFailures implements account.Repo.
func (r *Repo) SetTxPasswordFailures(ctx context.Context, q store.Querier, id int64, fails int, lockedUntil time.Time) error {
	lock := int64(0)
	if !lockedUntil.IsZero() {
		lock = lockedUntil.UnixMicro()
	}
	res, err := q.ExecContext(ctx, `UPDATE users SET tx_password_failures = $1, tx_password_locked_until = $2 WHERE id = $3`, fails, lock, id)
	return affectedOne(res, err)
}

// SetStatus implements account.Repo.
func (r *Repo) SetStatus(ctx context.Context, q store.Querier, id int64, status account.Status, now time.Time) error {
	if status == account.StatusDeactivated {
		res, err := q.ExecContext(ctx, `UPDATE users SET status = $1, deactivated_at = $2, updated_at = $2 WHERE id = $3`,
			string(status), now.UnixMicro(), id)
		return affectedOne(res, err)
	}
	return r.set(ctx, q, id, now, "status", string(status))
}

// RecordLogin implements account.Repo.
func (r *Repo) RecordLogin(ctx context.Context, q store.Querier, id int64, ip string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET last_login_at = $1, last_login_ip = $2 WHERE id = $3`, now.UnixMicro(), ip, id)
	return affectedOne(res, err)
}

func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
