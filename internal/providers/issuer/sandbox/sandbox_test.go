package sandbox

import (
	"strings"
	"testing"
)

func TestLuhnPAN(t *testing.T) {
	t.Parallel()
	if !LuhnValid("4242424242424242") || LuhnValid("4242424242424241") {
		t.Fatal("Luhn check disagrees with the well-known test PAN")
	}
	for range 500 {
		pan := LuhnPAN("424242", 16)
		if len(pan) != 16 || !strings.HasPrefix(pan, "424242") || !LuhnValid(pan) {
			t.Fatalf("bad PAN %s", pan)
		}
		if m := Mask(pan); m != pan[:6]+"******"+pan[12:] {
			t.Fatalf("mask %s of %s", m, pan)
		}
	}
}
