package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestProfileFromTheSessionRead: the profile is built on the row the
// session check read, with the wallet id copied into it at signup; a row
// without the copy (older or bulk-loaded) falls back to the wallet's own.
// Ending the session refuses the very next request.
func TestProfileFromTheSessionRead(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine)
		acc := h.Register(t, "own-row@example.com")
		auth := apptest.Bearer(acc.Access)
		type profile struct {
			User struct {
				ID       int64  `json:"id"`
				WalletID string `json:"wallet_id"`
				Status   string `json:"status"`
			} `json:"user"`
		}
		copied := apptest.Decode[profile](t, h.Do(http.MethodGet, usrProfilePath, nil, auth).Expect(t, 200, ""))
		if copied.User.ID != acc.ID || copied.User.WalletID == "" || copied.User.Status != "active" {
			t.Fatalf("profile %+v", copied.User)
		}
		if _, err := h.App.DB.SQL.Exec(`UPDATE users SET wallet_id = NULL WHERE id = $1`, acc.ID); err != nil {
			t.Fatal(err)
		}
		read := apptest.Decode[profile](t, h.Do(http.MethodGet, usrProfilePath, nil, auth).Expect(t, 200, ""))
		if read.User.WalletID != copied.User.WalletID {
			t.Fatalf("wallet id without the copy %q, with it %q", read.User.WalletID, copied.User.WalletID)
		}
		h.Do(http.MethodPost, "/api/v1/auth/logout", nil, auth).Expect(t, 200, "")
		h.Do(http.MethodGet, usrProfilePath, nil, auth).Expect(t, 401, "UNAUTHORIZED")
	})
}
