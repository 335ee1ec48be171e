package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// adminUserRow is a row of GET /admin/users.
type adminUserRow struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	PhoneMasked string `json:"phone_masked"`
	Status      string `json:"status"`
	WalletID    string `json:"wallet_id"`
	KYCStatus   string `json:"kyc_status"`
}

type adminUserPage struct {
	Items []adminUserRow `json:"items"`
	Total int            `json:"total"`
}

func searchUsers(t *testing.T, h *apptest.Harness, token, query string) adminUserPage {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/admin/users?"+query, nil, apptest.Bearer(token)).Expect(t, 200, "")
	return apptest.Data[adminUserPage](t, res)
}

// setPhone gives the account a phone number through the change-phone flow.
func setPhone(t *testing.T, h *apptest.Harness, acc apptest.Account, phone string) {
	t.Helper()
	res := usrPhoneFlow.request(h, acc, phone).Expect(t, 200, "")
	res = usrPhoneFlow.verify(h, acc, phone, res.Str(t, "otp")).Expect(t, 200, "")
	usrPhoneFlow.complete(h, acc, phone, res.Str(t, "otp")).Expect(t, 200, "")
}

// TestOperatorFindsAUser: one search text is tried as an e-mail prefix (any
// case), a UID, a wallet id (resolved by the wallet) and a phone number by
// its digits; rows mask the phone.
func TestOperatorFindsAUser(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		support := h.Operator(t, "support@ops.example.com", operator.Support).Token
		alice := h.Register(t, "alice.search@example.com")
		bob := h.Register(t, "bob.search@example.com")
		payFee(t, h, alice)
		startKYC(t, h, alice) // the KYC form sets the area code (+852)
		setPhone(t, h, alice, "91234567")

		only := func(query string, want int64) adminUserRow {
			t.Helper()
			p := searchUsers(t, h, support, query)
			if p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != want {
				t.Fatalf("search %q: %+v, want only user %d", query, p, want)
			}
			return p.Items[0]
		}
		row := only("q=ALICE.Sea", alice.ID)
		if row.PhoneMasked != "+852****4567" || row.Email != alice.Email || row.Status != "active" || row.KYCStatus != "none" ||
			!strings.HasPrefix(row.WalletID, "CCP") {
			t.Fatalf("row %+v", row)
		}
		only("q="+strconv.FormatInt(bob.ID, 10), bob.ID)
		only("q="+strings.ToLower(row.WalletID), alice.ID)
		only("q="+url.QueryEscape("+852 9123-4567"), alice.ID)
		only("q=91234567", alice.ID)
		if p := searchUsers(t, h, support, "q=nobody%25"); p.Total != 0 || len(p.Items) != 0 {
			t.Fatalf("a LIKE wildcard in q matched: %+v", p)
		}
		if p := searchUsers(t, h, support, "q=.search@example.com"); p.Total != 0 {
			t.Fatalf("the e-mail term is a prefix, not a substring: %+v", p)
		}
		if p := searchUsers(t, h, support, "page_size=1"); p.Total != 2 || len(p.Items) != 1 || p.Items[0].ID != bob.ID {
			t.Fatalf("every user, newest first: %+v", p)
		}

		compliance := h.Operator(t, "compliance@ops.example.com", operator.Compliance).Token
		h.Do(http.MethodPost, "/api/v1/admin/users/"+strconv.FormatInt(bob.ID, 10)+"/freeze", map[string]any{"reason": "fraud report"},
			apptest.Bearer(compliance)).Expect(t, 200, "")
		only("status=frozen", bob.ID)
		h.Do(http.MethodGet, "/api/v1/admin/users?status=gone", nil, apptest.Bearer(support)).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodGet, "/api/v1/admin/users?page=0", nil, apptest.Bearer(support)).Expect(t, 400, "VALIDATION_FAILED")
	})
}

// adminUserDetail is the part of GET /admin/users/{id} the tests read.
type adminUserDetail struct {
	User struct {
		ID          int64   `json:"id"`
		PhoneMasked string  `json:"phone_masked"`
		Status      string  `json:"status"`
		WalletID    string  `json:"wallet_id"`
		LastLoginAt *string `json:"last_login_at"`
	} `json:"user"`
	KYC struct {
		Status string `json:"status"`
		Level  int    `json:"level"`
		Latest *struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"latest"`
	} `json:"kyc"`
	Balances []struct {
		Currency  string  `json:"currency"`
		Available float64 `json:"available"`
		Held      float64 `json:"held"`
	} `json:"balances"`
	Cards []struct {
		ID        int64   `json:"id"`
		MaskedPAN string  `json:"masked_pan"`
		Status    string  `json:"status"`
		Balance   float64 `json:"balance"`
	} `json:"cards"`
	Sessions struct {
		Active int `json:"active"`
		Items  []struct {
			ID string `json:"id"`
		} `json:"items"`
	} `json:"sessions"`
	Limits struct {
		MaxCards *int `json:"max_cards"`
	} `json:"limits"`
	FeeExemption struct {
		CardFee bool `json:"card_fee"`
	} `json:"fee_exemption"`
	History struct {
		Total int `json:"total"`
		Items []struct {
			Type   string  `json:"type"`
			Amount float64 `json:"amount"`
		} `json:"items"`
	} `json:"history"`
}

func userDetail(t *testing.T, h *apptest.Harness, token string, userID int64, query string) (adminUserDetail, *apptest.Response) {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/admin/users/"+strconv.FormatInt(userID, 10)+query, nil, apptest.Bearer(token)).Expect(t, 200, "")
	return apptest.Data[adminUserDetail](t, res), res
}

// TestOperatorReadsAUser: the detail gathers account, KYC, balances, cards,
// sessions and history, with no identity data; the personal data comes only
// through the audited reveal, whose row names the fields and not the values.
func TestOperatorReadsAUser(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		support := h.Operator(t, "support@ops.example.com", operator.Support).Token
		compliance := h.Operator(t, "compliance@ops.example.com", operator.Compliance).Token
		alice, aliceCard := h.CardHolder(t, "alice.detail@example.com")
		h.Login(t, alice.Email, apptest.Password) // a second session
		setPhone(t, h, alice, "91234567")
		h.Deposit(t, alice, "USDC-ERC20", "12.5")

		d, res := userDetail(t, h, support, alice.ID, "?history_page_size=2")
		for _, secret := range []string{"91234567", "Queen", "JOHN", "DOE", "refresh", "access_token"} {
			if strings.Contains(string(res.Body), secret) {
				t.Errorf("the detail carries %q: %s", secret, res.Body)
			}
		}
		if d.User.ID != alice.ID || d.User.PhoneMasked != "+852****4567" || d.User.Status != "active" || d.User.LastLoginAt == nil ||
			!strings.HasPrefix(d.User.WalletID, "CCP") {
			t.Fatalf("user %+v", d.User)
		}
		if d.KYC.Status != "verified" || d.KYC.Level != 1 || d.KYC.Latest == nil || d.KYC.Latest.Status != "approved" {
			t.Fatalf("kyc %+v", d.KYC)
		}
		balances := map[string]float64{}
		for _, b := range d.Balances {
			balances[b.Currency] = b.Available
		}
		if balances["USDC-ERC20"] != 12.5 || balances["USDT-TRC20"] != 0 || len(d.Balances) != 5 {
			t.Fatalf("balances %+v", d.Balances)
		}
		if len(d.Cards) != 1 || d.Cards[0].ID != aliceCard.ID || d.Cards[0].Status != "normal" || !strings.Contains(d.Cards[0].MaskedPAN, "*") {
			t.Fatalf("cards %+v", d.Cards)
		}
		if d.Sessions.Active != 2 || len(d.Sessions.Items) != 2 {
			t.Fatalf("sessions %+v", d.Sessions)
		}
		if d.History.Total < 3 || len(d.History.Items) != 2 || d.History.Items[0].Type != "deposit" || d.History.Items[0].Amount != 12.5 {
			t.Fatalf("history %+v", d.History)
		}
		if d.Limits.MaxCards != nil || d.FeeExemption.CardFee {
			t.Fatalf("overrides of a user nobody changed: %+v %+v", d.Limits, d.FeeExemption)
		}
		h.Do(http.MethodGet, "/api/v1/admin/users/987654", nil, apptest.Bearer(support)).Expect(t, 404, "USER_NOT_FOUND")
		h.Do(http.MethodGet, "/api/v1/admin/users/"+strconv.FormatInt(alice.ID, 10)+"?history_page=x", nil,
			apptest.Bearer(support)).Expect(t, 400, "VALIDATION_FAILED")

		path := "/api/v1/admin/users/" + strconv.FormatInt(alice.ID, 10) + "/personal-data"
		h.Do(http.MethodPost, path, map[string]any{"reason": "card delivery"}, apptest.Bearer(support)).Expect(t, 403, "FORBIDDEN")
		h.Do(http.MethodPost, path, map[string]any{}, apptest.Bearer(compliance)).Expect(t, 400, "VALIDATION_FAILED")
		if _, n, _ := h.App.Audit.List(context.Background(), audit.Filter{Action: "user.reveal_personal_data"}, 1, 0); n != 0 {
			t.Fatalf("a refused reveal wrote %d audit rows", n)
		}
		res = h.Do(http.MethodPost, path, map[string]any{"reason": "card delivery"}, apptest.Bearer(compliance)).Expect(t, 200, "")
		p := apptest.Data[struct {
			Profile struct {
				Phone    string `json:"phone"`
				AreaCode string `json:"area_code"`
				Address  string `json:"address"`
			} `json:"profile"`
			KYC *struct {
				RecordID int64 `json:"record_id"`
				Identity struct {
					FirstName string `json:"first_en_name"`
					Phone     string `json:"phone"`
				} `json:"identity"`
			} `json:"kyc"`
		}](t, res)
		if p.Profile.Phone != "91234567" || p.Profile.AreaCode != "852" || p.Profile.Address != "1 Queen's Road Central" ||
			p.KYC == nil || p.KYC.RecordID != d.KYC.Latest.ID || p.KYC.Identity.FirstName != "JOHN" || p.KYC.Identity.Phone != "91234567" {
			t.Fatalf("revealed %s", res.Body)
		}
		rows, n, err := h.App.Audit.List(context.Background(), audit.Filter{Action: "user.reveal_personal_data"}, 1, 0)
		if err != nil || n != 1 {
			t.Fatalf("%d reveal rows (err %v)", n, err)
		}
		row := rows[0]
		if row.TargetID != strconv.FormatInt(alice.ID, 10) || row.Reason != "card delivery" || !strings.Contains(row.After, `"phone"`) ||
			!strings.Contains(row.After, `"kyc.first_en_name"`) || !strings.Contains(row.After, `"address"`) {
			t.Fatalf("reveal row %+v", row)
		}
		for _, value := range []string{"91234567", "Queen", "JOHN"} {
			if strings.Contains(row.Before+row.After+row.Reason, value) {
				t.Fatalf("the reveal row carries %q: %+v", value, row)
			}
		}
	})
}
