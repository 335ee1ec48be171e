package referral

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Code returns the user's referral code (generated if missing).
func (s *Service) Code(ctx context.Context, userID int64) (string, error) {
	code, err := s.Accounts.EnsureReferralCode(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("referral: code of user %d: %w", userID, err)
	}
	return code, nil
}

// Stats is GET /user/referral-stats: referee counts and commission sums in
// payout-currency minor units.
type Stats struct {
	Level1, Level2             int
	Total, Pending, ThisMonth  money.Amount
	L1Card, L2Card, L1Tx, L2Tx money.Amount
	Decimals                   int
}

// Stats sums the user's referees and commissions. Sums count credited
// commissions (money received); Pending those waiting on a frozen account.
func (s *Service) Stats(ctx context.Context, userID int64) (Stats, error) {
	v, err := s.Settings.Get(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("referral: stats of user %d: %w", userID, err)
	}
	st := Stats{Decimals: s.decimalsOf(v.CommissionPayoutCurrency)}
	if st.Level1, st.Level2, err = s.Accounts.RefereeCounts(ctx, s.DB.SQL, userID); err != nil {
		return Stats{}, fmt.Errorf("referral: stats of user %d: %w", userID, err)
	}
	now := s.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	sum := func(cond string) string {
		return `COALESCE(SUM(CASE WHEN ` + cond + ` THEN commission_amount ELSE 0 END), 0)`
	}
	err = s.DB.SQL.QueryRowContext(ctx, `SELECT `+sum(`status = 'credited'`)+`, `+sum(`status = 'pending'`)+`,
		`+sum(`status = 'credited' AND credited_at >= $2`)+`,
		`+sum(`status = 'credited' AND level = 1 AND type = 'card_opening'`)+`,
		`+sum(`status = 'credited' AND level = 2 AND type = 'card_opening'`)+`,
		`+sum(`status = 'credited' AND level = 1 AND type = 'transaction'`)+`,
		`+sum(`status = 'credited' AND level = 2 AND type = 'transaction'`)+`
		FROM commissions WHERE beneficiary_id = $1`, userID, store.At(month)).
		Scan(&st.Total, &st.Pending, &st.ThisMonth, &st.L1Card, &st.L2Card, &st.L1Tx, &st.L2Tx)
	if err != nil {
		return Stats{}, fmt.Errorf("referral: stats of user %d: %w", userID, err)
	}
	return st, nil
}

// decimalsOf returns the decimals of a payout currency (6, the
// stablecoins', for one no longer enabled).
func (s *Service) decimalsOf(currency string) int {
	if c, ok := s.Wallets.Currencies.Get(currency); ok {
		return c.Decimals
	}
	return 6
}

// CommissionFilter narrows GET /user/commissions; zero values match all.
type CommissionFilter struct {
	Type  CommissionType
	Level int
}

// Commissions lists the user's commissions, newest first, with referee
// e-mails masked.
func (s *Service) Commissions(ctx context.Context, userID int64, f CommissionFilter, limit, offset int) ([]CommissionView, int, error) {
	where, args := ` WHERE beneficiary_id = $1`, []any{userID}
	if f.Type != "" {
		args = append(args, f.Type)
		where += ` AND type = $` + strconv.Itoa(len(args))
	}
	if f.Level != 0 {
		args = append(args, f.Level)
		where += ` AND level = $` + strconv.Itoa(len(args))
	}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM commissions`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("referral: count commissions of user %d: %w", userID, err)
	}
	n := len(args)
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT id, referee_id, level, type, source_amount, rate, commission_amount, currency,
		status, created_at FROM commissions`+where+` ORDER BY id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2),
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("referral: list commissions of user %d: %w", userID, err)
	}
	var out []CommissionView
	for rows.Next() {
		var c CommissionView
		if err := rows.Scan(&c.ID, &c.RefereeID, &c.Level, &c.Type, &c.SourceAmount, &c.Rate, &c.Amount, &c.Currency,
			&c.Status, store.TimeInto(&c.CreatedAt)); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("referral: list commissions of user %d: %w", userID, err)
		}
		c.Decimals = s.decimalsOf(c.Currency)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("referral: list commissions of user %d: %w", userID, err)
	}
	// Read after the rows are closed: SQLite has a single connection.
	emails := map[int64]string{}
	for i, c := range out {
		if _, ok := emails[c.RefereeID]; !ok {
			p, err := s.Accounts.Person(ctx, s.DB.SQL, c.RefereeID)
			if err != nil {
				return nil, 0, fmt.Errorf("referral: list commissions of user %d: referee %d: %w", userID, c.RefereeID, err)
			}
			emails[c.RefereeID] = MaskEmail(p.Email)
		}
		out[i].RefereeEmail = emails[c.RefereeID]
	}
	return out, total, nil
}

// CommissionView is a row of GET /user/commissions.
type CommissionView struct {
	ID           int64
	RefereeID    int64
	RefereeEmail string
	Level        int
	Type         CommissionType
	SourceAmount money.Amount // USD in payout minor units
	Rate         money.Rate
	Amount       money.Amount
	Currency     string
	Status       CommissionStatus
	CreatedAt    time.Time
	Decimals     int
}

// Referrals lists the user's referees at level 1, 2 or both (0), newest
// first, e-mails masked.
func (s *Service) Referrals(ctx context.Context, userID int64, level, limit, offset int) ([]account.Referee, int, error) {
	list, total, err := s.Accounts.Referees(ctx, userID, level, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("referral: referees of user %d: %w", userID, err)
	}
	for i := range list {
		list[i] = masked(list[i])
	}
	return list, total, nil
}

// Referrers returns who referred the user (level 1) and who referred them
// (level 2), masked; nil where there is none.
func (s *Service) Referrers(ctx context.Context, userID int64) (l1, l2 *account.Referee, err error) {
	below := userID
	var out [2]*account.Referee
	for i := range out {
		id, err := s.Accounts.ReferrerOf(ctx, s.DB.SQL, below)
		if err != nil {
			return nil, nil, fmt.Errorf("referral: referrers of user %d: %w", userID, err)
		}
		if id == 0 {
			return out[0], out[1], nil
		}
		p, err := s.Accounts.Person(ctx, s.DB.SQL, id)
		if err != nil {
			return nil, nil, fmt.Errorf("referral: referrers of user %d: %w", userID, err)
		}
		m := masked(p)
		out[i], below = &m, id
	}
	return out[0], out[1], nil
}
