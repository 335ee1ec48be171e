package referral

import (
	"testing"

	"github.com/comecomepay/comecomepay/internal/money"
)

func TestTierForBoundaries(t *testing.T) {
	t.Parallel()
	if err := ValidateTiers(DefaultTiers); err != nil {
		t.Fatalf("the default table is invalid: %v", err)
	}
	for count, want := range map[int64]string{0: "V1", 10: "V1", 11: "V2", 30: "V2", 31: "V3", 100: "V3", 101: "V4", 1_000_000: "V4"} {
		if got := TierFor(DefaultTiers, count).Name; got != want {
			t.Errorf("%d qualified referrals → %s, want %s", count, got, want)
		}
	}
}

func TestValidateTiers(t *testing.T) {
	t.Parallel()
	with := func(edit func(ts []Tier)) []Tier {
		ts := append([]Tier(nil), DefaultTiers...)
		edit(ts)
		return ts
	}
	bad := map[string][]Tier{
		"empty":              nil,
		"rate above 1":       with(func(ts []Tier) { ts[0].L1Card = one + 1 }),
		"negative rate":      with(func(ts []Tier) { ts[1].L2Tx = -1 }),
		"card l1+l2 above 1": with(func(ts []Tier) { ts[2].L1Card, ts[2].L2Card = 60_000_000, 40_000_001 }),
		"tx l1+l2 above 1":   with(func(ts []Tier) { ts[2].L1Tx, ts[2].L2Tx = 90_000_000, 20_000_000 }),
		// A V1 referrer's level-1 rate and a V4 grand-referrer's level-2 rate
		// are paid on the same event.
		"across tiers above 1": with(func(ts []Tier) { ts[0].L1Card = 90_000_000 }),
		"gap":                  with(func(ts []Tier) { ts[1].Min = 12 }),
		"overlap":              with(func(ts []Tier) { ts[1].Min = 10 }),
		"not from zero":        with(func(ts []Tier) { ts[0].Min = 1 }),
		"last bounded":         with(func(ts []Tier) { ts[3].Max = 500 }),
		"open in the middle":   with(func(ts []Tier) { ts[1].Max = 0 }),
		"empty range":          with(func(ts []Tier) { ts[1].Max = 5 }),
		"duplicate level":      with(func(ts []Tier) { ts[1].Level = 1 }),
		"no name":              with(func(ts []Tier) { ts[0].Name = "" }),
		"level zero":           with(func(ts []Tier) { ts[0].Level = 0 }),
	}
	for name, ts := range bad {
		if err := ValidateTiers(ts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	good := map[string][]Tier{
		"rates at the bounds": {{Level: 1, Name: "ALL", Min: 0, Max: 0, L1Card: one, L2Tx: one}},
		"one open tier":       {{Level: 1, Name: "ALL", Min: 0, Max: 0, L1Card: 20_000_000}},
		"given out of order":  {DefaultTiers[2], DefaultTiers[0], DefaultTiers[3], DefaultTiers[1]},
	}
	for name, ts := range good {
		if err := ValidateTiers(ts); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCommissionMaths(t *testing.T) {
	t.Parallel()
	const usdt = 6
	v1, v2 := DefaultTiers[0], DefaultTiers[1]
	card := cardOpeningBase(500, usdt) // a 5 USD card fee
	recharge, err := transactionBase(1716, 780_000_000, DirectionRecharge, usdt)
	if err != nil {
		t.Fatal(err)
	}
	// 100 HKD → USDT at 7.80 HKD per USD: the fee is 2.20 HKD.
	withdraw, err := transactionBase(220, 780_000_000, DirectionWithdraw, usdt)
	if err != nil {
		t.Fatal(err)
	}
	// A 1-cent fee: 0.01 / 7.8 = 0.00128205128… USD.
	tiny, _ := transactionBase(1, 780_000_000, DirectionRecharge, usdt)
	cases := []struct {
		name         string
		b            base
		rate         money.Rate
		source, paid money.Amount
	}{
		{"card V1 level 1", card, v1.Rate(TypeCardOpening, 1), 5_000_000, 1_000_000},
		{"card V1 level 2", card, v1.Rate(TypeCardOpening, 2), 5_000_000, 250_000},
		{"card V2 level 1", card, v2.Rate(TypeCardOpening, 1), 5_000_000, 1_250_000},
		{"card V2 level 2", card, v2.Rate(TypeCardOpening, 2), 5_000_000, 500_000},
		{"recharge V1 level 1", recharge, v1.Rate(TypeTransaction, 1), 2_200_000, 220_000},
		{"recharge V1 level 2", recharge, v1.Rate(TypeTransaction, 2), 2_200_000, 110_000},
		{"recharge V2 level 1", recharge, v2.Rate(TypeTransaction, 1), 2_200_000, 330_000},
		// 2.20 / 7.8 = 0.28205128… USD; × 0.10 = 0.028205128… → 0.028205.
		{"withdraw V1 level 1", withdraw, v1.Rate(TypeTransaction, 1), 282_051, 28_205},
		// 1282.05128… micro-USD × 0.10 = 128.205… → 128 (rounded down once, not 128.2 of a rounded base).
		{"tiny fee", tiny, v1.Rate(TypeTransaction, 1), 1_282, 128},
	}
	for _, c := range cases {
		if got := c.b.amount(); got != c.source {
			t.Errorf("%s: source %d, want %d", c.name, got, c.source)
		}
		if got := c.b.times(c.rate); got != c.paid {
			t.Errorf("%s: commission %d, want %d", c.name, got, c.paid)
		}
	}
	if _, err := transactionBase(100, 0, DirectionRecharge, usdt); err == nil {
		t.Error("a swap without a rate was priced")
	}
	if _, err := transactionBase(100, 1, "sideways", usdt); err == nil {
		t.Error("an unknown direction was priced")
	}
}

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"22334@test.com": "22***@test.com", "ab@x.com": "a***@x.com", "a@x.com": "a***@x.com",
		"abc@x.com": "ab***@x.com", "Ünïcode@x.com": "Ün***@x.com", "broken": "***",
	} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
