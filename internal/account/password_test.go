package account

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var phcRe = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashSecretRoundTrip(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]HashProfile{"fast": FastHashProfile, "default": DefaultHashProfile} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, plain := range []string{"Str0ng!Passw0rd", "135790", "pässwörd 🙂", ""} {
				h := hashSecret(p, plain)
				m := phcRe.FindStringSubmatch(h)
				if m == nil || m[1] != fmt.Sprint(p.MemoryKiB) || m[2] != fmt.Sprint(p.Time) || m[3] != fmt.Sprint(p.Threads) {
					t.Fatalf("hash %q is not PHC argon2id with profile %+v", h, p)
				}
				if plain != "" && strings.Contains(h, plain) {
					t.Fatalf("hash %q contains the secret", h)
				}
				if !verifySecret(h, plain) {
					t.Fatalf("verifySecret(hash of %q) = false", plain)
				}
				for _, wrong := range []string{plain + "x", strings.ToUpper(plain) + "!", " " + plain} {
					if verifySecret(h, wrong) {
						t.Fatalf("hash of %q accepts %q", plain, wrong)
					}
				}
			}
			if hashSecret(p, "same") == hashSecret(p, "same") {
				t.Fatal("two hashes of the same secret are equal: salt missing")
			}
		})
	}
	// A hash made with one profile still verifies after a profile change.
	old := hashSecret(FastHashProfile, "135790")
	if !verifySecret(old, "135790") {
		t.Fatal("hash of another profile does not verify")
	}
}

// safeVerify reports a panic of verifySecret as a result instead of crashing
// the test binary.
func safeVerify(encoded, plain string) (ok bool, panicked any) {
	defer func() { panicked = recover() }()
	return verifySecret(encoded, plain), nil
}

func TestVerifySecretRejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	good := hashSecret(FastHashProfile, "secret")
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=..,t=..,p=.., salt, sum
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, encoded := range map[string]string{
		"empty":            "",
		"plain text":       "secret",
		"bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":          with(1, "argon2i"),
		"too few parts":    strings.Join(parts[:5], "$"),
		"too many parts":   good + "$x",
		"params garbage":   with(3, "m=x,t=1,p=1"),
		"params missing":   with(3, ""),
		"threads overflow": with(3, "m=64,t=1,p=300"),
		"salt not base64":  with(4, "!!!!"),
		"sum not base64":   with(5, "!!!!"),
		"sum empty":        with(5, ""),
		"other memory":     with(3, "m=128,t=1,p=1"),
		"other time":       with(3, "m=64,t=2,p=1"),
		"other salt":       with(4, "AAAAAAAAAAAAAAAAAAAAAA"),
		"sum truncated":    with(5, parts[5][:20]),
		"zero time":        with(3, "m=64,t=0,p=1"),
		"zero threads":     with(3, "m=64,t=1,p=0"),
		"huge memory":      with(3, "m=4294967295,t=1,p=1"), // would allocate 4 TiB
		"huge time":        with(3, "m=64,t=4294967295,p=1"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ok, p := safeVerify(encoded, "secret")
			if p != nil {
				t.Fatalf("verifySecret(%q) panicked: %v", encoded, p)
			}
			if ok {
				t.Fatalf("verifySecret(%q) accepted the secret", encoded)
			}
		})
	}
}
