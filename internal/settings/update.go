package settings

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Update is a checked change: canonical text by key.
type Update map[string]string

// By is who changes a setting, for the history.
type By struct {
	Type  string // operator, cli
	ID    int64
	Label string
}

// Change is one setting's value before and after a write (equal when the
// write did not change it).
type Change struct {
	Key      string
	Kind     Kind
	Old, New string
}

// ParseUpdate checks raw (setting key → JSON value) value by value. Each
// invalid entry is a field error named by its key (a withdrawal fee's
// member as "withdrawal_fee.USDT-TRC20.fee_rate").
func (s *Service) ParseUpdate(raw map[string]json.RawMessage) (Update, error) {
	if len(raw) == 0 {
		return nil, apperr.Validation(map[string]string{"values": "name at least one setting"})
	}
	f, u := apperr.Fields{}, Update{}
	for key, r := range raw {
		def, ok := s.byKey[key]
		if !ok {
			f.Add(key, s.notStored(key))
			continue
		}
		text, err := def.Parse(r, s.currencyNames())
		if err != nil {
			addField(f, key, err)
			continue
		}
		u[key] = text
	}
	return u, f.Err()
}

// addField records err (a *FieldError) under prefix.
func addField(f apperr.Fields, prefix string, err error) {
	var fe *FieldError
	if errors.As(err, &fe) && fe.Field != "" {
		f.Add(strings.TrimPrefix(prefix+"."+fe.Field, "."), fe.Reason)
		return
	}
	if prefix == "" {
		prefix = "value"
	}
	f.Add(prefix, err.Error())
}

// FieldErrors turns a value error into VALIDATION_FAILED with its fields
// under prefix ("" names the members alone).
func FieldErrors(prefix string, err error) error {
	f := apperr.Fields{}
	addField(f, prefix, err)
	return f.Err()
}

func (s *Service) notStored(key string) string {
	if strings.HasPrefix(key, "card_fee.") {
		return "is a card fee: set it with PUT /admin/card-fee-config/{card_type}"
	}
	for _, x := range s.Fixed {
		if x.Key == key {
			return "is set by the deployment (" + x.Source + "), not through the API"
		}
	}
	if strings.HasPrefix(key, withdrawalFeePrefix) {
		return "names a currency that is not enabled"
	}
	return "is not a setting"
}

// SetTx stores u in the caller's transaction: the values are checked
// together with the others in force (a minimum above its maximum is
// refused), and each key that changes gets a history row. Rows are locked
// first, so concurrent writers of one key queue and each records the value
// it replaced.
func (s *Service) SetTx(ctx context.Context, tx *sql.Tx, u Update, by By, reason string) ([]Change, error) {
	keys := make([]string, 0, len(u))
	for k := range u {
		keys = append(keys, k)
	}
	slices.Sort(keys) // one lock order for every writer
	now := store.At(s.Now())
	changes := make([]Change, 0, len(keys))
	for _, k := range keys {
		def, ok := s.byKey[k]
		if !ok {
			return nil, apperr.Validation(map[string]string{k: s.notStored(k)})
		}
		// A key without a row has its default; the row made here to lock is
		// overwritten below or rolled back with the transaction.
		if _, err := tx.ExecContext(ctx, `INSERT INTO platform_settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO NOTHING`, k, def.Default, now); err != nil {
			return nil, fmt.Errorf("settings: set %s: %w", k, err)
		}
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT value FROM platform_settings WHERE key = $1`+s.DB.ForUpdate(), k).Scan(&old); err != nil {
			return nil, fmt.Errorf("settings: set %s: lock: %w", k, err)
		}
		changes = append(changes, Change{Key: k, Kind: def.Kind, Old: old, New: u[k]})
	}
	merged, err := s.Current(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := s.byKey[k].apply(&merged, u[k]); err != nil {
			return nil, fmt.Errorf("settings: set %s: %w", k, err)
		}
	}
	if err := s.consistent(merged, u); err != nil {
		return nil, err
	}
	for _, c := range changes {
		if c.Old == c.New {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE platform_settings SET value = $1, updated_at = $2, updated_by = $3, updated_by_label = $4
			WHERE key = $5`, c.New, now, by.ID, by.Label, c.Key); err != nil {
			return nil, fmt.Errorf("settings: set %s: %w", c.Key, err)
		}
		if err := s.RecordTx(ctx, tx, c.Key, c.Old, c.New, by, reason); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// RecordTx adds a change of key to the history in the caller's transaction
// (nothing when the value did not change). Package cardfee's fees are
// recorded through it, so one history covers every §3.3 figure.
func (s *Service) RecordTx(ctx context.Context, tx *sql.Tx, key, old, new string, by By, reason string) error {
	if old == new {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO platform_setting_changes (key, old_value, new_value, changed_at, actor_type,
		actor_id, actor_label, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		key, old, new, store.At(s.Now()), by.Type, by.ID, by.Label, reason); err != nil {
		return fmt.Errorf("settings: record change of %s: %w", key, err)
	}
	return nil
}

// consistent checks the rules between settings on the values a write would
// leave; the error names a key of the write.
func (s *Service) consistent(v Values, u Update) error {
	f := apperr.Fields{}
	name := func(a, b string) string {
		if _, ok := u[a]; ok {
			return a
		}
		return b
	}
	pair := func(minKey, maxKey string, lo, hi money.Amount, scale int) {
		if lo > hi {
			f.Add(name(minKey, maxKey), minKey+" ("+lo.Format(scale)+") must not exceed "+maxKey+" ("+hi.Format(scale)+")")
		}
	}
	pair("card_recharge_min_hkd", "card_recharge_max_hkd", v.CardRechargeMin, v.CardRechargeMax, 2)
	if v.CardWithdrawMax > 0 {
		pair("card_withdraw_min_hkd", "card_withdraw_max_hkd", v.CardWithdrawMin, v.CardWithdrawMax, 2)
	}
	pair("withdrawal_min", "withdrawal_max", v.WithdrawalMin, v.WithdrawalMax, UnitDecimals)
	pair("withdrawal_daily_limit_usd", "withdrawal_monthly_limit_usd", v.WithdrawalDailyLimitUSD, v.WithdrawalMonthlyLimitUSD, 2)
	pair("transfer_min", "transfer_max", v.TransferMin, v.TransferMax, UnitDecimals)
	// A fee that swallows the smallest withdrawal would refuse them all.
	for _, c := range s.Currencies {
		f0 := v.WithdrawalFee(c.Name)
		floor := f0.Amount
		if f0.Type == FeePercentage {
			floor = f0.Minimum
		}
		if min := Units(v.WithdrawalMin, c.Decimals); floor >= min {
			f.Add(name(WithdrawalFeeKey(c.Name), "withdrawal_min"), "the "+c.Name+" withdrawal fee ("+floor.Format(c.Decimals)+
				") must stay below withdrawal_min ("+min.Format(c.Decimals)+")")
		}
	}
	return f.Err()
}
