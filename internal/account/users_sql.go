package account

// The account domain's SQL, in the package like every other domain's: one
// text for SQLite and PostgreSQL, the only engine difference (row locks)
// from store.DB.ForUpdate. Methods return store.ErrNotFound for missing rows.

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

const userColumns = `id, email, password_hash, first_name, last_name, phone, account_type, status, referral_code,
	referred_by, date_of_birth, address, city, state, post_code, area_code, bill_country_code,
	COALESCE(tx_password_hash, ''), tx_password_failures, tx_password_locked_until, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var (
		u                             User
		status                        string
		referredBy                    sql.NullInt64
		first, last, phone, dob       sql.NullString
		addr, city, state, post, area sql.NullString
		bill                          sql.NullString
	)
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &first, &last, &phone, &u.AccountType, &status, &u.ReferralCode,
		&referredBy, &dob, &addr, &city, &state, &post, &area, &bill,
		&u.TxPasswordHash, &u.TxPasswordFails, store.TimeInto(&u.TxPasswordLock), store.TimeInto(&u.CreatedAt), store.TimeInto(&u.UpdatedAt))
	if err != nil {
		return User{}, store.NotFound(err)
	}
	u.Status = Status(status)
	if referredBy.Valid {
		u.ReferredBy = &referredBy.Int64
	}
	u.FirstName, u.LastName, u.Phone, u.DateOfBirth = ptr(first), ptr(last), ptr(phone), ptr(dob)
	u.Address, u.City, u.State, u.PostCode, u.AreaCode, u.BillCountryCode = ptr(addr), ptr(city), ptr(state), ptr(post), ptr(area), ptr(bill)
	return u, nil
}

func ptr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func (s *Service) userByID(ctx context.Context, q store.Querier, id int64) (User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

func (s *Service) userByIDForUpdate(ctx context.Context, tx *sql.Tx, id int64) (User, error) {
	return scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+s.DB.ForUpdate(), id))
}

func (s *Service) userByEmail(ctx context.Context, q store.Querier, email string) (User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
}

func (s *Service) emailTaken(ctx context.Context, q store.Querier, email string) (bool, error) {
	var taken bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)`, email).Scan(&taken)
	return taken, err
}

func (s *Service) userIDByReferralCode(ctx context.Context, q store.Querier, code string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE referral_code = $1`, code).Scan(&id)
	return id, store.NotFound(err)
}

func (s *Service) insertUser(ctx context.Context, q store.Querier, u User) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO users (email, password_hash, account_type, status, referral_code, referred_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		u.Email, u.PasswordHash, u.AccountType, string(u.Status), u.ReferralCode, u.ReferredBy, store.At(u.CreatedAt)).Scan(&id)
	return id, err
}

// saveProfile updates the profile fields that are set: a nil field keeps
// its value; an empty string clears it.
func (s *Service) saveProfile(ctx context.Context, q store.Querier, id int64, p ProfileUpdate, now time.Time) error {
	sets := []struct {
		column string
		value  *string
	}{
		{"first_name", p.FirstName}, {"last_name", p.LastName}, {"date_of_birth", p.DateOfBirth},
		{"account_type", p.AccountType}, {"address", p.Address}, {"city", p.City}, {"state", p.State},
		{"post_code", p.PostCode}, {"area_code", p.AreaCode}, {"bill_country_code", p.Bill},
	}
	query := `UPDATE users SET updated_at = $1`
	args := []any{store.At(now)}
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

func (s *Service) setUserColumn(ctx context.Context, q store.Querier, id int64, now time.Time, column string, value any) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET `+column+` = $1, updated_at = $2 WHERE id = $3`, value, store.At(now), id)
	return affectedOne(res, err)
}

func (s *Service) setPasswordHash(ctx context.Context, q store.Querier, id int64, hash string, now time.Time) error {
	return s.setUserColumn(ctx, q, id, now, "password_hash", hash)
}

func (s *Service) setEmail(ctx context.Context, q store.Querier, id int64, email string, now time.Time) error {
	return s.setUserColumn(ctx, q, id, now, "email", email)
}

func (s *Service) setPhone(ctx context.Context, q store.Querier, id int64, phone string, now time.Time) error {
	return s.setUserColumn(ctx, q, id, now, "phone", phone)
}

// setTxPassword sets the transaction password; it also clears failures and lock.
func (s *Service) setTxPassword(ctx context.Context, q store.Querier, id int64, hash string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET tx_password_hash = $1, tx_password_failures = 0,
		tx_password_locked_until = 0, updated_at = $2 WHERE id = $3`, hash, store.At(now), id)
	return affectedOne(res, err)
}

func (s *Service) setTxPasswordFailures(ctx context.Context, q store.Querier, id int64, fails int, lockedUntil time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET tx_password_failures = $1, tx_password_locked_until = $2 WHERE id = $3`,
		fails, store.At(lockedUntil), id)
	return affectedOne(res, err)
}

func (s *Service) setStatus(ctx context.Context, q store.Querier, id int64, status Status, now time.Time) error {
	if status == StatusDeactivated {
		res, err := q.ExecContext(ctx, `UPDATE users SET status = $1, deactivated_at = $2, updated_at = $2 WHERE id = $3`,
			string(status), store.At(now), id)
		return affectedOne(res, err)
	}
	return s.setUserColumn(ctx, q, id, now, "status", string(status))
}

func (s *Service) recordLogin(ctx context.Context, q store.Querier, id int64, ip string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET last_login_at = $1, last_login_ip = $2 WHERE id = $3`, store.At(now), ip, id)
	return affectedOne(res, err)
}

// setWalletID copies the user's wallet id into the users row (see
// sessionUser).
func (s *Service) setWalletID(ctx context.Context, q store.Querier, userID int64, walletID string) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET wallet_id = $1 WHERE id = $2`, walletID, userID)
	return err
}

// storedLanguage returns the user's recorded language ("en", "zh", "ar").
func (s *Service) storedLanguage(ctx context.Context, q store.Querier, userID int64) (string, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT language FROM users WHERE id = $1`, userID).Scan(&code)
	return code, store.NotFound(err)
}

// setLanguage records the user's language ("en", "zh", "ar").
func (s *Service) setLanguage(ctx context.Context, q store.Querier, userID int64, language string) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET language = $1 WHERE id = $2`, language, userID)
	return err
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
