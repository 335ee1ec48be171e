package settings_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

var coins = []settings.Currency{{Name: "USDT-TRC20", Decimals: 6}, {Name: "USDC-ERC20", Decimals: 6}}

func newService(db *store.DB, defaults map[string]string) *settings.Service {
	if defaults == nil {
		defaults = map[string]string{}
	}
	return settings.NewService(settings.Deps{DB: db, Currencies: coins, Defaults: defaults, Fixed: []settings.Fixed{},
		Now: testclock.New(testclock.Start).Now})
}

// TestDefaultsAreAPIDefaults: with nothing stored, the values are API.md
// §3.3's, and the environment's defaults replace the built-in ones.
func TestDefaultsAreAPIDefaults(t *testing.T) {
	t.Parallel()
	v := newService(nil, map[string]string{"max_cards": "7"}).Defaults()
	want := settings.Values{MaxCards: 7, UpgradeAmount: 4000, FeePaymentExpiry: 30 * time.Minute, KYCRequiresCardFee: true,
		IssuanceTimeout: 24 * time.Hour, CardCancelRefundCurrency: "USDT-TRC20", SwapFeeRate: 2_200_000, SwapQuoteTTL: 5 * time.Minute,
		CardRechargeMin: 1_000, CardRechargeMax: 1_000_000, CardWithdrawMin: 5_000, CardQuotaSingle: 1_000_000,
		CardQuotaDay: 1_000_000, CardQuotaMonth: 35_000_000, CardRechargeFeePct: 100, CardWithdrawFeePct: 200,
		CardTransactionFeePct: 100, CardFXFeePct: 140, FailedTxFee: 40, FailedTxFreePerMonth: 5, SmallTxFee: 15,
		SmallTxFreePerMonth: 6, WithdrawalMin: 10_000_000, WithdrawalMax: 50_000_000_000, WithdrawalDailyLimitUSD: 5_000_000,
		WithdrawalMonthlyLimitUSD: 50_000_000, TransferMin: 10_000, TransferMax: 50_000_000_000, DepositMin: 1_000_000,
		CommissionPayoutCurrency: "USDT-TRC20"}
	fees := v.WithdrawalFees
	v.WithdrawalFees = nil
	if fmt.Sprintf("%+v", v) != fmt.Sprintf("%+v", want) {
		t.Errorf("defaults\n%+v\nwant\n%+v", v, want)
	}
	for _, c := range coins {
		if f := fees[c.Name]; f != (settings.WithdrawalFee{Type: settings.FeeFixed, Amount: 1_000_000}) {
			t.Errorf("%s withdrawal fee %+v, want fixed 1 unit", c.Name, f)
		}
	}
	if err := newService(nil, map[string]string{"max_cards": "0"}).Check(); err == nil || !strings.Contains(err.Error(), "max_cards") {
		t.Errorf("an out-of-range default was accepted: %v", err)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	s := newService(nil, nil)
	names := map[string]bool{"USDT-TRC20": true}
	for _, tc := range []struct {
		key, raw, want string // want "" = refused
	}{
		{"max_cards", `6`, "6"}, {"max_cards", `"6"`, "6"}, {"max_cards", `0`, ""}, {"max_cards", `101`, ""},
		{"max_cards", `6.5`, ""}, {"max_cards", `null`, ""}, {"max_cards", `true`, ""},
		{"swap_fee_rate", `0.025`, "0.025"}, {"swap_fee_rate", `"0.02500000"`, "0.025"}, {"swap_fee_rate", `0`, "0"},
		{"swap_fee_rate", `0.000000001`, ""}, {"swap_fee_rate", `0.21`, ""}, {"swap_fee_rate", `-0.01`, ""},
		{"swap_fee_rate", `1e-2`, ""}, {"swap_fee_rate", `"cheap"`, ""},
		{"card_recharge_min_hkd", `10.5`, "10.5"}, {"card_recharge_min_hkd", `10.555`, ""}, {"card_recharge_min_hkd", `0`, ""},
		{"kyc_requires_card_fee", `false`, "false"}, {"kyc_requires_card_fee", `null`, ""}, {"kyc_requires_card_fee", `"false"`, ""},
		{"commission_payout_currency", `" USDT-TRC20 "`, "USDT-TRC20"}, {"commission_payout_currency", `"HKD"`, ""},
		{"commission_payout_currency", `7`, ""},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"fixed","fee_amount":"2.5"}`, `{"fee_type":"fixed","fee_amount":2.5,"fee_rate":0,"min_fee":0}`},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"percentage","fee_rate":0.001,"min_fee":1}`, `{"fee_type":"percentage","fee_amount":0,"fee_rate":0.001,"min_fee":1}`},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"percentage","fee_rate":0.001,"fee_amount":0}`, `{"fee_type":"percentage","fee_amount":0,"fee_rate":0.001,"min_fee":0}`},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"percentage","fee_rate":0}`, ""},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"percentage","fee_rate":0.2}`, ""},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"percentage","fee_rate":0.01,"fee_amount":1}`, ""},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"fixed"}`, ""},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"fixed","fee_amount":1001}`, ""},
		{"withdrawal_fee.USDT-TRC20", `{"fee_type":"flat","fee_amount":1}`, ""},
		{"withdrawal_fee.USDT-TRC20", `"fixed"`, ""},
	} {
		def, ok := s.Def(tc.key)
		if !ok {
			t.Fatalf("no setting %s", tc.key)
		}
		got, err := def.Parse(json.RawMessage(tc.raw), names)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%s = %s accepted as %q", tc.key, tc.raw, got)
		case tc.want != "" && (err != nil || got != tc.want):
			t.Errorf("%s = %s: %q, %v; want %q", tc.key, tc.raw, got, err, tc.want)
		}
	}
}

func TestWithdrawalFeeAndUnits(t *testing.T) {
	t.Parallel()
	pct := settings.WithdrawalFee{Type: settings.FeePercentage, Rate: 100_000, Minimum: 1_000_000} // 0.1 %, at least 1
	for amount, want := range map[money.Amount]money.Amount{
		500_000_000:   1_000_000,                           // 0.5 → the minimum
		2_000_000_000: 2_000_000, 2_000_000_001: 2_000_001, // rounded up
	} {
		if got := pct.For(amount); got != want {
			t.Errorf("0.1 %% of %d = %d, want %d", amount, got, want)
		}
	}
	if got := (settings.WithdrawalFee{Type: settings.FeeFixed, Amount: 1_500_000}).For(9); got != 1_500_000 {
		t.Errorf("fixed fee %d", got)
	}
	if settings.Units(10_000, 6) != 10_000 || settings.Units(10_000, 2) != 1 || settings.Units(10_001, 2) != 2 || settings.Units(1, 8) != 100 {
		t.Error("Units does not rescale up-rounded")
	}
}

func set(ctx context.Context, s *settings.Service, db *store.DB, values map[string]string, who string) error {
	raw := map[string]json.RawMessage{}
	for k, v := range values {
		raw[k] = json.RawMessage(v)
	}
	u, err := s.ParseUpdate(raw)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := s.SetTx(ctx, tx, u, settings.By{Type: "operator", ID: 1, Label: who}, "test")
		return err
	})
}

// TestStoreOnBothEngines: a change is read back by a second service on the
// same database (another replica), checked against the values in force,
// recorded once per changed key, and refused whole when one rule fails;
// concurrent writers of one key leave an unbroken chain of changes.
func TestStoreOnBothEngines(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		url := storetest.URL(t, engine)
		open := func() *store.DB {
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			return db
		}
		dbA, dbB := open(), open()
		a, b := newService(dbA, nil), newService(dbB, nil)

		if err := set(ctx, a, dbA, map[string]string{"max_cards": "3", "card_recharge_max_hkd": "500", "swap_fee_rate": "0.022"}, "ann"); err != nil {
			t.Fatal(err)
		}
		v, err := b.Get(ctx)
		if err != nil || v.MaxCards != 3 || v.CardRechargeMax != 50_000 {
			t.Fatalf("replica B reads %+v, %v", v, err)
		}
		// The stored maximum bounds a new minimum; nothing of a refused write stays.
		err = set(ctx, b, dbB, map[string]string{"max_cards": "4", "card_recharge_min_hkd": "600"}, "bob")
		if e, ok := apperr.As(err); !ok || e.Fields["card_recharge_min_hkd"] == "" {
			t.Fatalf("min above the stored max: %v", err)
		}
		if v, _ := a.Get(ctx); v.MaxCards != 3 {
			t.Fatalf("a refused write changed max_cards to %d", v.MaxCards)
		}
		rows, total, err := a.History(ctx, "", 10, 0)
		if err != nil || total != 2 || len(rows) != 2 || rows[0].Key != "max_cards" || rows[0].Old != "5" || rows[0].New != "3" ||
			rows[0].ActorLabel != "ann" {
			t.Fatalf("history %+v (%d), %v: want max_cards and card_recharge_max_hkd (swap_fee_rate did not change)", rows, total, err)
		}
		entries, err := a.List(ctx, dbA.SQL)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			switch e.Key {
			case "max_cards":
				if !e.Stored || e.Value != "3" || e.UpdatedBy != "ann" {
					t.Errorf("max_cards entry %+v", e)
				}
			case "transfer_max":
				if e.Stored || e.Value != "50000" {
					t.Errorf("transfer_max entry %+v, want the default", e)
				}
			}
		}

		// Ten writers of one key, five per replica: each records the value it replaced.
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, db := a, dbA
				if i%2 == 1 {
					s, db = b, dbB
				}
				if err := set(ctx, s, db, map[string]string{"max_cards": fmt.Sprint(10 + i)}, "w"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		rows, _, err = a.History(ctx, "max_cards", 20, 0)
		if err != nil || len(rows) != 11 {
			t.Fatalf("max_cards history %d rows, %v", len(rows), err)
		}
		for i := 0; i+1 < len(rows); i++ { // newest first
			if rows[i].Old != rows[i+1].New {
				t.Errorf("broken chain: change %d replaced %s, but %d had set %s", rows[i].ID, rows[i].Old, rows[i+1].ID, rows[i+1].New)
			}
		}
		if v, _ := b.Get(ctx); fmt.Sprint(v.MaxCards) != rows[0].New {
			t.Errorf("max_cards %d, last change set %s", v.MaxCards, rows[0].New)
		}

		// The history is append-only.
		for _, q := range []string{`UPDATE platform_setting_changes SET new_value = '99'`, `DELETE FROM platform_setting_changes`} {
			if _, err := dbA.SQL.ExecContext(ctx, q); err == nil {
				t.Errorf("%s succeeded", q)
			}
		}
		if err := dbA.InTx(ctx, func(tx *sql.Tx) error {
			return a.RecordTx(ctx, tx, settings.CardFeeKey("virtual"), settings.CardFeeValue(500, true), settings.CardFeeValue(750, true),
				settings.By{Type: "cli", Label: "cli"}, "")
		}); err != nil {
			t.Fatal(err)
		}
		if rows, _, err := a.History(ctx, "card_fee.", 10, 0); err != nil || len(rows) != 1 || rows[0].Kind != settings.KindCardFee {
			t.Errorf("card fee history %+v, %v", rows, err)
		}
		if _, _, err := a.History(ctx, "card%", 10, 0); err != nil {
			t.Error(err)
		}
	})
}
