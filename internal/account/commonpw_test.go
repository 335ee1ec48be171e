package account

import (
	"slices"
	"strings"
	"testing"
)

// TestCommonPasswordList: the shipped list is lower-case, sorted, free of
// duplicates, a few thousand long, and holds only passwords the character
// rules would accept (the others are refused already).
func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	list := strings.Split(strings.TrimSuffix(commonPasswordList, "\n"), "\n")
	if len(list) < 2000 {
		t.Fatalf("%d common passwords, want a few thousand", len(list))
	}
	if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) {
		t.Fatal("the list is not sorted or has duplicates")
	}
	for _, p := range list {
		capitalised := strings.ToUpper(p[:1]) + p[1:]
		if i := strings.IndexFunc(p, func(r rune) bool { return r >= 'a' && r <= 'z' }); i >= 0 {
			capitalised = p[:i] + strings.ToUpper(p[i:i+1]) + p[i+1:]
		}
		if p != strings.ToLower(p) || !PasswordStrong(capitalised) {
			t.Fatalf("%q is not a lower-case password the rules would accept", p)
		}
	}
}

func TestPasswordCommon(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"Password1!", "PASSWORD1!", "password1!", "P@ssw0rd", "Qwerty123!", "Welcome@123", "Summer2024!",
		"Michael1990!", "1qaz@WSX", "Admin@123", "Woaini123!", "Mohammed@123"} {
		if !PasswordCommon(p) || checkNewPassword(p) == nil {
			t.Errorf("%q is not refused as common", p)
		}
	}
	// The passwords the test suites set stay accepted.
	for _, p := range []string{"Str0ng!Passw0rd", "N3w!Passw0rd", "N3w!Passw0rd#", "N3w!Password", "An0ther!Pass", "Abcdef1!",
		"A1!" + strings.Repeat("a", 125), "correct-Horse-battery-7"} {
		if PasswordCommon(p) || checkNewPassword(p) != nil {
			t.Errorf("%q is refused", p)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	fast := hashSecret(FastHashProfile, "Str0ng!Passw0rd")
	if needsRehash(fast, FastHashProfile) {
		t.Fatal("a hash with the current parameters needs a rehash")
	}
	if !needsRehash(fast, DefaultHashProfile) || !needsRehash(fast, HashProfile{MemoryKiB: 64, Time: 2, Threads: 1}) {
		t.Fatal("a hash with other parameters does not need a rehash")
	}
	if !needsRehash(strings.Replace(fast, "v=19", "v=16", 1), FastHashProfile) {
		t.Fatal("a hash of another argon2 version does not need a rehash")
	}
}
