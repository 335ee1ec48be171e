package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// authCommonPasswords meet the character rules of §2.1 but are on the list
// of common passwords, in any letter case.
var authCommonPasswords = []string{"Password1!", "P@SSW0RD", "Summer2024!", "qWERTY123!", "Admin@123", "1qaz@WSX"}

// authExpectCommon checks a refusal for a common password.
func authExpectCommon(t testing.TB, res *apptest.Response) {
	t.Helper()
	m := authExpectErr(t, res, 400, "PASSWORD_TOO_WEAK")
	if d, _ := m["details"].(string); !strings.Contains(d, "common") {
		t.Fatalf("details %q do not say the password is common", d)
	}
}

// TestAuthCommonPasswordRefused: sign-up, reset and change refuse a common
// password with 400 PASSWORD_TOO_WEAK and change nothing.
func TestAuthCommonPasswordRefused(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)

		const fresh = "common-signup@example.com"
		authVerifiedSignup(t, h, fresh)
		for _, pw := range authCommonPasswords {
			authExpectCommon(t, authPost(h, "set-password", map[string]string{"email": fresh, "password": pw}))
		}
		authPost(h, "set-password", map[string]string{"email": fresh, "password": apptest.Password}).Expect(t, 200, "")

		acc := h.Register(t, "common-reset@example.com")
		code := authPost(h, "forgot-password", map[string]string{"email": acc.Email}).Expect(t, 200, "").Str(t, "otp")
		for _, pw := range authCommonPasswords {
			authExpectCommon(t, authPost(h, "reset-password", authResetBody(acc.Email, code, pw, pw)))
		}
		if authProfileStatus(t, h, acc.Access) != 200 {
			t.Fatal("a refused reset ended the session")
		}
		for _, pw := range authCommonPasswords {
			authExpectCommon(t, h.Do(http.MethodPost, "/api/v1/user/change-password", usrPwBody(apptest.Password, pw, pw), apptest.Bearer(acc.Access)))
		}
		// The password is still the old one, and the code still resets it.
		h.Login(t, acc.Email, apptest.Password)
		authPost(h, "reset-password", authResetBody(acc.Email, code, authNewPassword, authNewPassword)).Expect(t, 200, "")
		h.Login(t, acc.Email, authNewPassword)
	})
}

// authStoredHash is the user's stored password hash.
func authStoredHash(t testing.TB, h *apptest.Harness, userID int64) string {
	t.Helper()
	var hash string
	if err := h.App.DB.SQL.QueryRow(`SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	return hash
}

// TestAuthLoginRehashesOldParameters: a password hashed under older argon2id
// parameters is hashed again with the current ones at the next successful
// login, and still logs in; a wrong password changes nothing.
func TestAuthLoginRehashesOldParameters(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine) // the fast profile
		acc := h.Register(t, "rehash@example.com")
		old := authStoredHash(t, h, acc.ID)
		if !strings.Contains(old, "$m=64,t=1,p=1$") {
			t.Fatalf("hash under the fast profile: %s", old)
		}
		// The operator raises the cost: the service now hashes with the default profile.
		h.App.Accounts.Hash = account.DefaultHashProfile

		authExpectErr(t, authPost(h, "login", map[string]string{"email": acc.Email, "password": "Wr0ng!Passw0rd"}), 400, "INVALID_CREDENTIALS")
		if got := authStoredHash(t, h, acc.ID); got != old {
			t.Fatal("a wrong password re-hashed the stored password")
		}
		h.Login(t, acc.Email, apptest.Password)
		rehashed := authStoredHash(t, h, acc.ID)
		if !strings.Contains(rehashed, "$m=19456,t=2,p=1$") {
			t.Fatalf("hash after login: %s, want the default profile's parameters", rehashed)
		}
		h.Login(t, acc.Email, apptest.Password)
		if got := authStoredHash(t, h, acc.ID); got != rehashed {
			t.Fatal("a hash with current parameters was hashed again")
		}
	})
}
