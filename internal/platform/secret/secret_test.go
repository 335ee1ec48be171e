package secret_test

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/platform/secret"
)

func TestRandomAlphabetsAndLengths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fn   func(int) string
		re   *regexp.Regexp
		// full is the size of the alphabet: enough draws should use all of it.
		full int
	}{
		{"Digits", secret.Digits, regexp.MustCompile(`^[0-9]*$`), 10},
		{"Code", secret.Code, regexp.MustCompile(`^[A-Z0-9]*$`), 36},
		{"Base62", secret.Base62, regexp.MustCompile(`^[A-Za-z0-9]*$`), 62},
		{"Hex", func(n int) string { return secret.Hex(n)[:n] }, regexp.MustCompile(`^[0-9a-f]*$`), 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, n := range []int{0, 1, 5, 6, 32} {
				if s := tc.fn(n); len(s) != n || !tc.re.MatchString(s) {
					t.Fatalf("%s(%d) = %q", tc.name, n, s)
				}
			}
			seen := map[rune]bool{}
			for range 200 {
				for _, r := range tc.fn(32) {
					seen[r] = true
				}
			}
			if len(seen) != tc.full {
				t.Fatalf("%s used %d symbols in 6400 draws, want %d", tc.name, len(seen), tc.full)
			}
			if tc.fn(32) == tc.fn(32) {
				t.Fatalf("%s repeats itself", tc.name)
			}
		})
	}
	if h := secret.Hex(16); len(h) != 32 {
		t.Fatalf("Hex(16) has %d characters, want 32", len(h))
	}
}

func TestDigitsKeepLeadingZeros(t *testing.T) {
	t.Parallel()
	for range 20000 {
		if s := secret.Digits(5); s[0] == '0' {
			if len(s) != 5 {
				t.Fatalf("leading zero lost: %q", s)
			}
			return
		}
	}
	t.Fatal("no code with a leading zero in 20000 draws")
}

func TestHasher(t *testing.T) {
	t.Parallel()
	h := secret.NewHasher([]byte("key-1"))
	a := h.Sum("otp", "login", "a@b.co", "12345")
	if a != h.Sum("otp", "login", "a@b.co", "12345") {
		t.Fatal("Sum is not deterministic")
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(a) || strings.Contains(a, "12345") {
		t.Fatalf("Sum = %q", a)
	}
	for name, other := range map[string]string{
		"key":       secret.NewHasher([]byte("key-2")).Sum("otp", "login", "a@b.co", "12345"),
		"code":      h.Sum("otp", "login", "a@b.co", "12346"),
		"boundary":  h.Sum("otp", "login", "a@b.co1", "2345"),
		"parts":     h.Sum("otp", "login", "a@b.co", "12345", ""),
		"separator": h.Sum("otp", "login;a@b.co", "12345"),
	} {
		if other == a {
			t.Errorf("a different %s gives the same hash", name)
		}
	}
	if !secret.Equal(a, a) || secret.Equal(a, a[:63]+"x") || secret.Equal(a, "") {
		t.Fatal("Equal is wrong")
	}
}

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func mustBox(t *testing.T, current string, keys map[string][]byte) *secret.Box {
	t.Helper()
	b, err := secret.NewBox(current, keys)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewBoxRejectsBadKeys(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		current string
		keys    map[string][]byte
	}{
		"short key":       {"k1", map[string][]byte{"k1": make([]byte, 16)}},
		"long key":        {"k1", map[string][]byte{"k1": make([]byte, 33)}},
		"bad old key":     {"k1", map[string][]byte{"k1": key(1), "k0": make([]byte, 31)}},
		"dot in id":       {"k.1", map[string][]byte{"k.1": key(1)}},
		"missing current": {"k2", map[string][]byte{"k1": key(1)}},
		"no keys":         {"k1", nil},
	} {
		if _, err := secret.NewBox(tc.current, tc.keys); err == nil {
			t.Errorf("%s: NewBox accepted it", name)
		}
	}
}

func TestBoxRoundTrip(t *testing.T) {
	t.Parallel()
	b := mustBox(t, "k1", map[string][]byte{"k1": key(1)})
	ad := []byte("login|a@b.co")
	for _, pt := range [][]byte{[]byte("12345"), {}, bytes.Repeat([]byte{0, 255}, 500)} {
		sealed := b.Seal(pt, ad)
		if !strings.HasPrefix(sealed, "k1.") || (len(pt) > 0 && strings.Contains(sealed, string(pt))) {
			t.Fatalf("sealed = %q", sealed)
		}
		got, err := b.Open(sealed, ad)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("Open = %q, %v; want %q", got, err, pt)
		}
	}
	if b.Seal([]byte("x"), ad) == b.Seal([]byte("x"), ad) {
		t.Fatal("two seals of the same value are equal: nonce reused")
	}
}

func TestBoxRejectsTamperingAndWrongContext(t *testing.T) {
	t.Parallel()
	b := mustBox(t, "k1", map[string][]byte{"k1": key(1)})
	ad := []byte("login|a@b.co")
	sealed := b.Seal([]byte("12345"), ad)
	id, enc, _ := strings.Cut(sealed, ".")
	flip := func(i int) string {
		c := []byte(enc)
		if c[i] == 'A' {
			c[i] = 'B'
		} else {
			c[i] = 'A'
		}
		return id + "." + string(c)
	}
	for name, tc := range map[string]struct {
		sealed string
		ad     []byte
	}{
		"wrong ad":         {sealed, []byte("login|b@b.co")},
		"no ad":            {sealed, nil},
		"nonce flipped":    {flip(0), ad},
		"body flipped":     {flip(len(enc) / 2), ad},
		"tag flipped":      {flip(len(enc) - 2), ad},
		"truncated":        {sealed[:len(sealed)-4], ad},
		"shorter nonce":    {id + "." + enc[:10], ad},
		"not base64":       {id + ".***", ad},
		"no key id":        {enc, ad},
		"unknown key id":   {"k9." + enc, ad},
		"empty":            {"", ad},
		"only a separator": {".", ad},
	} {
		if got, err := b.Open(tc.sealed, tc.ad); err == nil || !errors.Is(err, secret.ErrUnsealable) {
			t.Errorf("%s: Open = %q, %v; want ErrUnsealable", name, got, err)
		}
	}
	other := mustBox(t, "k1", map[string][]byte{"k1": key(2)})
	if _, err := other.Open(sealed, ad); !errors.Is(err, secret.ErrUnsealable) {
		t.Errorf("a different key with the same id opened it: %v", err)
	}
}

func TestBoxKeyRotation(t *testing.T) {
	t.Parallel()
	old := mustBox(t, "k1", map[string][]byte{"k1": key(1)})
	rotated := mustBox(t, "k2", map[string][]byte{"k1": key(1), "k2": key(2)})
	ad := []byte("card|7")
	before := old.Seal([]byte("4111111111111111"), ad)
	if got, err := rotated.Open(before, ad); err != nil || string(got) != "4111111111111111" {
		t.Fatalf("rotated box cannot open the old value: %q, %v", got, err)
	}
	after := rotated.Seal([]byte("4111111111111111"), ad)
	if !strings.HasPrefix(after, "k2.") {
		t.Fatalf("rotated box seals with %q", after)
	}
	if _, err := old.Open(after, ad); !errors.Is(err, secret.ErrUnsealable) {
		t.Fatalf("the old box opened a value of a key it does not know: %v", err)
	}
	retired := mustBox(t, "k2", map[string][]byte{"k2": key(2)})
	if _, err := retired.Open(before, ad); !errors.Is(err, secret.ErrUnsealable) {
		t.Fatalf("a retired key still opens: %v", err)
	}
}
