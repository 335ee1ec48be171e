package money

import (
	"errors"
	"testing"
)

func TestParsePositive(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		decimals int
		want     Amount
		err      error
	}{
		{"10", 6, 10_000_000, nil},
		{"10.5", 6, 10_500_000, nil},
		{"0.000001", 6, 1, nil},
		{" 12.50 ", 2, 1250, nil},
		{"1000000000", 6, 1_000_000_000_000_000, nil},
		{"0007.10", 2, 710, nil},
		{"0", 6, 0, ErrNotPositive},
		{"0.000", 6, 0, ErrNotPositive},
		{"-1", 6, 0, ErrNotNumeric},
		{"+1", 6, 0, ErrNotNumeric},
		{"1e3", 6, 0, ErrNotNumeric},
		{"NaN", 6, 0, ErrNotNumeric},
		{"Infinity", 6, 0, ErrNotNumeric},
		{"", 6, 0, ErrNotNumeric},
		{".5", 6, 0, ErrNotNumeric},
		{"5.", 6, 0, ErrNotNumeric},
		{"1,5", 6, 0, ErrNotNumeric},
		{"0.0000001", 6, 0, ErrTooPrecise},
		{"0.001", 2, 0, ErrTooPrecise},
		{"1000000000.000001", 6, 0, ErrTooLarge},
		{"99999999999999999999", 6, 0, ErrTooLarge},
	} {
		got, err := ParsePositive(tc.in, tc.decimals)
		if !errors.Is(err, tc.err) || (err == nil && got != tc.want) {
			t.Errorf("ParsePositive(%q, %d) = %d, %v; want %d, %v", tc.in, tc.decimals, got, err, tc.want, tc.err)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a        Amount
		decimals int
		want     string
	}{
		{12_500_000, 6, "12.5"}, {100_000_000, 6, "100"}, {1, 6, "0.000001"}, {0, 2, "0"},
		{-300, 2, "-3"}, {78025, 2, "780.25"}, {-5, 2, "-0.05"},
	} {
		if got := tc.a.Format(tc.decimals); got != tc.want {
			t.Errorf("Format(%d, %d) = %q, want %q", tc.a, tc.decimals, got, tc.want)
		}
	}
}

func TestConvertRounding(t *testing.T) {
	t.Parallel()
	rate, _ := ParseRate("7.8")
	feeRate, _ := ParseRate("0.022")
	// 100 USDT → 780.00 HKD; fee 2.2 % of 780.00 = 17.16 exactly.
	hkd := Convert(100_000_000, 6, rate, 2, false)
	if hkd != 78000 {
		t.Fatalf("100 USDT at 7.8 = %d HKD cents", hkd)
	}
	if fee := Convert(hkd, 2, feeRate, 2, true); fee != 1716 {
		t.Fatalf("fee = %d", fee)
	}
	// 0.000001 USDT → 0.0000078 HKD: credits round down to 0, fees up to 0.01.
	if got := Convert(1, 6, rate, 2, false); got != 0 {
		t.Fatalf("round down = %d", got)
	}
	if got := Convert(1, 6, rate, 2, true); got != 1 {
		t.Fatalf("round up = %d", got)
	}
}

func FuzzParsePositive(f *testing.F) {
	for _, s := range []string{"10", "0.5", "1e3", "-1", "1000000000.000001", "00.0100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParsePositive(s, 6)
		if err != nil {
			return
		}
		if a <= 0 || a > MaxUnits*1_000_000 {
			t.Fatalf("accepted %q as out-of-range %d", s, a)
		}
		back, err := ParsePositive(a.Format(6), 6)
		if err != nil || back != a {
			t.Fatalf("round trip of %q: %q → %d, %v", s, a.Format(6), back, err)
		}
	})
}
