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
func (s *Service) Tiers(ctx context.Context) ([]Tier, error) { return s.tiers(ctx, s.DB.SQL) }

func (s *Service) tiers(ctx context.Context, q store.Querier) ([]Tier, error) {
	rows, err := q.QueryContext(ctx, `SELECT tier_level, tier_name, description, min_referral_count, max_referral_count,
		level1_card_opening_rate, level1_transaction_rate, level2_card_opening_rate, level2_transaction_rate
		FROM tier_configs ORDER BY tier_level`)
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

// SetTiers adds or replaces the given tiers and removes the levels in
// remove; the resulting table must pass ValidateTiers or nothing changes.
// Commissions computed afterwards use the new table.
func (s *Service) SetTiers(ctx context.Context, set []Tier, remove []int) ([]Tier, error) {
	var result []Tier
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		current, err := s.tiers(ctx, tx)
		if err != nil {
			return err
		}
		byLevel := map[int]Tier{}
		for _, t := range current {
			byLevel[t.Level] = t
		}
		for _, l := range remove {
			if _, ok := byLevel[l]; !ok {
				return invalid("tier %d does not exist", l)
			}
			delete(byLevel, l)
		}
		for _, t := range set {
			if t.Description == "" {
				t.Description = describe(t)
			}
			byLevel[t.Level] = t
		}
		result = result[:0]
		for _, t := range byLevel {
			result = append(result, t)
		}
		slices.SortFunc(result, func(a, b Tier) int { return a.Level - b.Level })
		if err := ValidateTiers(result); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tier_configs`); err != nil {
			return fmt.Errorf("clear: %w", err)
		}
		now := store.At(s.Now())
		for _, t := range result {
			if _, err := tx.ExecContext(ctx, `INSERT INTO tier_configs (tier_level, tier_name, description, min_referral_count,
				max_referral_count, level1_card_opening_rate, level1_transaction_rate, level2_card_opening_rate,
				level2_transaction_rate, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				t.Level, t.Name, t.Description, t.Min, t.Max, int64(t.L1Card), int64(t.L1Tx), int64(t.L2Card), int64(t.L2Tx), now); err != nil {
				return fmt.Errorf("insert tier %d: %w", t.Level, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("referral: set tiers: %w", err)
	}
	return result, nil
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
