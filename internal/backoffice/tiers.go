package backoffice

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/referral"
)

// TierConfigs returns the referral tier table.
func (s *Service) TierConfigs(ctx context.Context) ([]referral.Tier, error) {
	return s.CardDeps.Referrals.Tiers(ctx)
}

// tierTable is a tier table in an audit row: small enough to keep whole,
// and a reviewer needs the neighbours a range change moved.
type tierTable struct {
	Tiers []tierState `json:"tiers"`
}

type tierState struct {
	Level  int    `json:"tier_level"`
	Name   string `json:"tier_name"`
	Desc   string `json:"description"`
	Min    int64  `json:"min_referral_count"`
	Max    int64  `json:"max_referral_count"`
	L1Card string `json:"level1_card_opening_rate"`
	L1Tx   string `json:"level1_transaction_rate"`
	L2Card string `json:"level2_card_opening_rate"`
	L2Tx   string `json:"level2_transaction_rate"`
}

func stateOfTiers(tiers []referral.Tier) tierTable {
	out := tierTable{Tiers: []tierState{}}
	for _, t := range tiers {
		out.Tiers = append(out.Tiers, tierState{Level: t.Level, Name: t.Name, Desc: t.Description, Min: t.Min, Max: t.Max, L1Card: t.L1Card.String(),
			L1Tx: t.L1Tx.String(), L2Card: t.L2Card.String(), L2Tx: t.L2Tx.String()})
	}
	return out
}

// tierChange runs one change of the tier table, audited with the whole
// table before and after; commissions computed afterwards use the new one.
func (s *Service) tierChange(ctx context.Context, action, target string,
	do func(tx *sql.Tx) (before, after []referral.Tier, err error)) ([]referral.Tier, error) {
	var out []referral.Tier
	err := s.audited(ctx, audit.Entry{Action: action, TargetType: "tier_config", TargetID: target}, func(tx *sql.Tx) (any, any, error) {
		before, after, err := do(tx)
		out = after
		return stateOfTiers(before), stateOfTiers(after), err
	})
	return out, err
}

// SetTiers adds or replaces tiers and removes levels in one validated
// change (referral.SetTiersTx): the form for any change that moves a range
// boundary, since neighbouring tiers must move together.
func (s *Service) SetTiers(ctx context.Context, set []referral.Tier, remove []int) ([]referral.Tier, error) {
	return s.tierChange(ctx, "tier_config.set", "table", func(tx *sql.Tx) ([]referral.Tier, []referral.Tier, error) {
		return s.CardDeps.Referrals.SetTiersTx(ctx, tx, set, remove)
	})
}

// UpdateTier replaces one existing tier (referral.UpdateTierTx).
func (s *Service) UpdateTier(ctx context.Context, t referral.Tier) ([]referral.Tier, error) {
	return s.tierChange(ctx, "tier_config.update", strconv.Itoa(t.Level), func(tx *sql.Tx) ([]referral.Tier, []referral.Tier, error) {
		return s.CardDeps.Referrals.UpdateTierTx(ctx, tx, t)
	})
}

// DeleteTier removes a tier, its range joining its neighbour's
// (referral.DeleteTierTx).
func (s *Service) DeleteTier(ctx context.Context, level int) ([]referral.Tier, error) {
	return s.tierChange(ctx, "tier_config.delete", strconv.Itoa(level), func(tx *sql.Tx) ([]referral.Tier, []referral.Tier, error) {
		return s.CardDeps.Referrals.DeleteTierTx(ctx, tx, level)
	})
}
