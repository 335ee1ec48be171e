package referral

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Tier is one row of the tier table: the commission rates of a referrer
// whose qualified direct referees number between Min and Max.
type Tier struct {
	Level       int
	Name        string
	Description string
	Min         int64
	Max         int64 // 0 = no upper bound
	L1Card      money.Rate
	L1Tx        money.Rate
	L2Card      money.Rate
	L2Tx        money.Rate
}

// Contains tells whether a referral count falls in the tier's range.
func (t Tier) Contains(count int64) bool {
	return count >= t.Min && (t.Max == 0 || count <= t.Max)
}

// Rate is the tier's rate for a commission type and level.
func (t Tier) Rate(typ CommissionType, level int) money.Rate {
	switch {
	case typ == TypeCardOpening && level == 1:
		return t.L1Card
	case typ == TypeCardOpening && level == 2:
		return t.L2Card
	case typ == TypeTransaction && level == 1:
		return t.L1Tx
	case typ == TypeTransaction && level == 2:
		return t.L2Tx
	}
	return 0
}

// one is the rate 1 (100 %).
const one = money.Rate(money.RateScale)

// DefaultTiers is the table of API.md §3.5 (also seeded by the migration).
var DefaultTiers = []Tier{
	{1, "V1", "0–10 qualified referrals", 0, 10, 20_000_000, 10_000_000, 5_000_000, 5_000_000},
	{2, "V2", "11–30 qualified referrals", 11, 30, 25_000_000, 15_000_000, 10_000_000, 5_000_000},
	{3, "V3", "31–100 qualified referrals", 31, 100, 30_000_000, 20_000_000, 10_000_000, 10_000_000},
	{4, "V4", "101+ qualified referrals", 101, 0, 35_000_000, 25_000_000, 15_000_000, 10_000_000},
}

func invalid(format string, args ...any) error {
	return apperr.Validation(nil).WithDetails(fmt.Sprintf(format, args...))
}

// ValidateTiers checks a tier table against API.md §3.5: rates in [0, 1],
// level-1 + level-2 rate ≤ 1 for each commission type, and referral ranges
// that are contiguous and non-overlapping in tier order. We also require the
// ranges to start at 0 and the last to be open-ended, so that every count
// has exactly one tier.
func ValidateTiers(tiers []Tier) error {
	if len(tiers) == 0 {
		return invalid("at least one tier is required")
	}
	sorted := slices.Clone(tiers)
	slices.SortFunc(sorted, func(a, b Tier) int { return a.Level - b.Level })
	for i, t := range sorted {
		name := "tier " + strconv.Itoa(t.Level)
		if t.Level <= 0 {
			return invalid("%s: tier levels are positive integers", name)
		}
		if i > 0 && sorted[i-1].Level == t.Level {
			return invalid("%s: appears twice", name)
		}
		if t.Name == "" {
			return invalid("%s: a name is required", name)
		}
		for _, r := range []money.Rate{t.L1Card, t.L1Tx, t.L2Card, t.L2Tx} {
			if r < 0 || r > one {
				return invalid("%s: rates are fractions between 0 and 1", name)
			}
		}
		if t.L1Card+t.L2Card > one || t.L1Tx+t.L2Tx > one {
			return invalid("%s: level-1 and level-2 rates of one commission type add up to more than 1", name)
		}
		if t.Min < 0 || (t.Max != 0 && t.Max < t.Min) {
			return invalid("%s: the referral range %d–%d is empty", name, t.Min, t.Max)
		}
		switch {
		case i == 0 && t.Min != 0:
			return invalid("%s: the first tier must start at 0 referrals", name)
		case i > 0 && sorted[i-1].Max == 0:
			return invalid("%s: only the last tier may be open-ended (max 0)", name)
		case i > 0 && t.Min != sorted[i-1].Max+1:
			return invalid("%s: starts at %d but the tier before ends at %d (ranges must be contiguous, without overlap)",
				name, t.Min, sorted[i-1].Max)
		}
	}
	if sorted[len(sorted)-1].Max != 0 {
		return invalid("tier %d: the last tier must be open-ended (max 0)", sorted[len(sorted)-1].Level)
	}
	// The two levels of one event are paid at two beneficiaries' tiers, so
	// the bound that keeps a commission within its source is on the highest
	// rates of each level, across tiers.
	var l1Card, l2Card, l1Tx, l2Tx money.Rate
	for _, t := range sorted {
		l1Card, l2Card, l1Tx, l2Tx = max(l1Card, t.L1Card), max(l2Card, t.L2Card), max(l1Tx, t.L1Tx), max(l2Tx, t.L2Tx)
	}
	if l1Card+l2Card > one || l1Tx+l2Tx > one {
		return invalid("the highest level-1 and level-2 rates of one commission type add up to more than 1 across tiers")
	}
	return nil
}

// TierFor picks the tier of a referral count from a valid table (ordered by
// level); a count no range holds gets the first tier.
func TierFor(tiers []Tier, count int64) Tier {
	for _, t := range tiers {
		if t.Contains(count) {
			return t
		}
	}
	if len(tiers) == 0 {
		return Tier{}
	}
	return tiers[0]
}

// Tiers returns the tier table ordered by level.
func (s *Service) Tiers(ctx context.Context) ([]Tier, error) { return s.tiers(ctx, s.DB.SQL, "") }

func (s *Service) tiers(ctx context.Context, q store.Querier, suffix string) ([]Tier, error) {
	rows, err := q.QueryContext(ctx, `SELECT tier_level, tier_name, description, min_referral_count, max_referral_count,
		level1_card_opening_rate, level1_transaction_rate, level2_card_opening_rate, level2_transaction_rate
		FROM tier_configs ORDER BY tier_level`+suffix)
	if err != nil {
		return nil, fmt.Errorf("referral: read tiers: %w", err)
	}
	defer rows.Close()
	var out []Tier
	for rows.Next() {
		var t Tier
		if err := rows.Scan(&t.Level, &t.Name, &t.Description, &t.Min, &t.Max, &t.L1Card, &t.L1Tx, &t.L2Card, &t.L2Tx); err != nil {
			return nil, fmt.Errorf("referral: read tiers: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("referral: read tiers: %w", err)
	}
	return out, nil
}

var errTiersChanged = apperr.New(apperr.CodeInvalidState).WithDetails("The tier table changed meanwhile; read it again and retry")

// SetTiersTx adds or replaces the given tiers and removes the levels in
// remove, in the caller's transaction; the resulting table must pass
// ValidateTiers or nothing changes. It returns the table before and after.
// Commissions computed afterwards use the new table.
//
// The rows are changed in place under their row locks and the table is
// read back before commit: a tier another operator added meanwhile (which
// no lock could cover) makes the change fail instead of being lost.
func (s *Service) SetTiersTx(ctx context.Context, tx *sql.Tx, set []Tier, remove []int) (before, after []Tier, err error) {
	fail := func(err error) ([]Tier, []Tier, error) { return nil, nil, fmt.Errorf("referral: set tiers: %w", err) }
	current, err := s.tiers(ctx, tx, s.DB.ForUpdate())
	if err != nil {
		return nil, nil, err
	}
	byLevel := map[int]Tier{}
	for _, t := range current {
		byLevel[t.Level] = t
	}
	for _, l := range remove {
		if _, ok := byLevel[l]; !ok {
			return nil, nil, invalid("tier %d does not exist", l)
		}
		delete(byLevel, l)
	}
	for _, t := range set {
		if t.Description == "" {
			t.Description = describe(t)
		}
		byLevel[t.Level] = t
	}
	var result []Tier
	for _, t := range byLevel {
		result = append(result, t)
	}
	slices.SortFunc(result, func(a, b Tier) int { return a.Level - b.Level })
	if err := ValidateTiers(result); err != nil {
		return nil, nil, err
	}
	now := store.At(s.Now())
	for _, t := range result {
		if err := s.putTier(ctx, tx, t, now); err != nil {
			return fail(err)
		}
	}
	for _, t := range current {
		if _, kept := byLevel[t.Level]; !kept {
			if _, err := tx.ExecContext(ctx, `DELETE FROM tier_configs WHERE tier_level = $1`, t.Level); err != nil {
				return fail(fmt.Errorf("delete tier %d: %w", t.Level, err))
			}
		}
	}
	written, err := s.tiers(ctx, tx, "")
	if err != nil {
		return nil, nil, err
	}
	if !slices.Equal(written, result) {
		return nil, nil, errTiersChanged
	}
	return current, result, nil
}

// putTier updates a tier in place, or inserts it.
func (s *Service) putTier(ctx context.Context, tx *sql.Tx, t Tier, now any) error {
	res, err := tx.ExecContext(ctx, `UPDATE tier_configs SET tier_name = $1, description = $2, min_referral_count = $3,
		max_referral_count = $4, level1_card_opening_rate = $5, level1_transaction_rate = $6, level2_card_opening_rate = $7,
		level2_transaction_rate = $8, updated_at = $9 WHERE tier_level = $10`,
		t.Name, t.Description, t.Min, t.Max, int64(t.L1Card), int64(t.L1Tx), int64(t.L2Card), int64(t.L2Tx), now, t.Level)
	if err != nil {
		return fmt.Errorf("update tier %d: %w", t.Level, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tier_configs (tier_level, tier_name, description, min_referral_count,
		max_referral_count, level1_card_opening_rate, level1_transaction_rate, level2_card_opening_rate,
		level2_transaction_rate, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.Level, t.Name, t.Description, t.Min, t.Max, int64(t.L1Card), int64(t.L1Tx), int64(t.L2Card), int64(t.L2Tx), now)
	if store.IsUniqueViolation(err) {
		return errTiersChanged
	}
	if err != nil {
		return fmt.Errorf("insert tier %d: %w", t.Level, err)
	}
	return nil
}

// ErrTierNotFound answers a tier level that is not in the table.
var ErrTierNotFound = apperr.New(apperr.CodeNotFound).WithDetails("No such tier")

// UpdateTierTx replaces an existing tier (its level is t.Level), in the
// caller's transaction; the table must stay valid.
func (s *Service) UpdateTierTx(ctx context.Context, tx *sql.Tx, t Tier) (before, after []Tier, err error) {
	current, err := s.tiers(ctx, tx, s.DB.ForUpdate())
	if err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(current, func(c Tier) bool { return c.Level == t.Level }) {
		return nil, nil, ErrTierNotFound
	}
	return s.SetTiersTx(ctx, tx, []Tier{t}, nil)
}

// DeleteTierTx removes a tier in the caller's transaction; its referral
// range joins the tier below it (the first tier's joins the next one), so
// the table stays contiguous. A neighbour whose description was the
// generated one ("11–30 qualified referrals") gets its new range's.
func (s *Service) DeleteTierTx(ctx context.Context, tx *sql.Tx, level int) (before, after []Tier, err error) {
	current, err := s.tiers(ctx, tx, s.DB.ForUpdate())
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(current, func(c Tier) bool { return c.Level == level })
	switch {
	case i < 0:
		return nil, nil, ErrTierNotFound
	case len(current) == 1:
		return nil, nil, invalid("tier %d is the only tier; the table needs one", level)
	}
	gone := current[i]
	var heir Tier
	if i > 0 {
		heir = current[i-1]
		was := describe(heir)
		heir.Max = gone.Max
		if heir.Description == was {
			heir.Description = ""
		}
	} else {
		heir = current[i+1]
		was := describe(heir)
		heir.Min = gone.Min
		if heir.Description == was {
			heir.Description = ""
		}
	}
	return s.SetTiersTx(ctx, tx, []Tier{heir}, []int{level})
}

func describe(t Tier) string {
	if t.Max == 0 {
		return strconv.FormatInt(t.Min, 10) + "+ qualified referrals"
	}
	return strconv.FormatInt(t.Min, 10) + "–" + strconv.FormatInt(t.Max, 10) + " qualified referrals"
}

// Qualified counts the user's qualified level-1 referees: those with at
// least one completed card fee payment (API.md §2.10).
func (s *Service) Qualified(ctx context.Context, q store.Querier, userID int64) (int64, error) {
	ids, err := s.Accounts.DirectRefereeIDs(ctx, q, userID)
	if err != nil {
		return 0, fmt.Errorf("referral: qualified referees of user %d: %w", userID, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := s.Fees.CountPaying(ctx, q, ids)
	if err != nil {
		return 0, fmt.Errorf("referral: qualified referees of user %d: %w", userID, err)
	}
	return int64(n), nil
}

// UserTier is a user's current tier and the count that places them there.
type UserTier struct {
	Tier      Tier
	Qualified int64
	// Next is the tier after Tier; Max is true when there is none.
	Next Tier
	Max  bool
}

// TierOf returns the user's tier now.
func (s *Service) TierOf(ctx context.Context, userID int64) (UserTier, error) {
	tiers, err := s.Tiers(ctx)
	if err != nil {
		return UserTier{}, err
	}
	n, err := s.Qualified(ctx, s.DB.SQL, userID)
	if err != nil {
		return UserTier{}, err
	}
	ut := UserTier{Tier: TierFor(tiers, n), Qualified: n, Max: true}
	for i, t := range tiers {
		if t.Level == ut.Tier.Level && i+1 < len(tiers) {
			ut.Next, ut.Max = tiers[i+1], false
		}
	}
	return ut, nil
}
