package chain

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		network Network
		addr    string
		want    bool
	}{
		// Well-known public contract addresses (the currency table's own).
		{TRC20, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", true},
		{TRC20, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", false}, // checksum broken
		{TRC20, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6", false},  // too short
		{TRC20, "AR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", false},
		{TRC20, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj60", false}, // '0' is not base58
		{ERC20, "0xdac17f958d2ee523a2206206994597c13d831ec7", true},
		{ERC20, "0xdAC17F958D2ee523a2206206994597C13D831ec7", true}, // EIP-55 checksum
		{ERC20, "0xdAC17F958D2ee523a2206206994597C13D831eC7", false},
		{ERC20, "0xDAC17F958D2EE523A2206206994597C13D831EC7", true},
		{ERC20, "0xdac17f958d2ee523a2206206994597c13d831ec", false},
		{ERC20, "dac17f958d2ee523a2206206994597c13d831ec7aa", false},
		{ERC20, "0xgac17f958d2ee523a2206206994597c13d831ec7", false},
		{TRC20, "0xdac17f958d2ee523a2206206994597c13d831ec7", false},
		{"BTC", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", false},
	} {
		if got := Valid(tc.network, tc.addr); got != tc.want {
			t.Errorf("Valid(%s, %s) = %v, want %v", tc.network, tc.addr, got, tc.want)
		}
	}
}

func TestDerivedAddressesAreValid(t *testing.T) {
	t.Parallel()
	for i := range 200 {
		var key [20]byte
		key[0], key[19] = byte(i), byte(255-i)
		tron, evm := AddressFromKey(TRC20, key), AddressFromKey(ERC20, key)
		if !Valid(TRC20, tron) || len(tron) != 34 || !strings.HasPrefix(tron, "T") {
			t.Fatalf("derived TRON address %q invalid", tron)
		}
		if !Valid(ERC20, evm) {
			t.Fatalf("derived EVM address %q invalid", evm)
		}
	}
}

func FuzzValid(f *testing.F) {
	f.Add("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
	f.Add("0xdAC17F958D2ee523a2206206994597C13D831ec7")
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range []Network{TRC20, ERC20} {
			if Valid(n, s) && Canonical(n, s) == "" {
				t.Fatalf("valid %s address %q has empty canonical form", n, s)
			}
		}
	})
}
