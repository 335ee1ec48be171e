package httpapi_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

var referralCodePattern = regexp.MustCompile(`^[A-Z0-9]{8}$`)

func TestReferralEndpoints(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		grand := h.Register(t, "grand@example.com")
		code := referralCodeOf(t, h, grand)
		profile := h.Do(http.MethodGet, "/api/v1/user/profile", nil, apptest.Bearer(grand.Access)).Expect(t, 200, "")
		if !referralCodePattern.MatchString(code) || apptest.Decode[apptest.Profile](t, profile).User.ReferralCode != code {
			t.Fatalf("referral code %q, profile %s", code, profile.Body)
		}
		if again := referralCodeOf(t, h, grand); again != code {
			t.Errorf("the code changed from %s to %s", code, again)
		}
		h.Clock.Advance(1e9)
		ref := h.RegisterWithReferral(t, "22334@test.com", strings.ToLower(code)) // input is case-insensitive
		h.Do(http.MethodPut, "/api/v1/user/profile", map[string]string{"first_name": "JOHN", "last_name": "DOE"},
			apptest.Bearer(ref.Access)).Expect(t, 200, "")
		h.Clock.Advance(1e9)
		user := h.RegisterWithReferral(t, "ab@x.com", referralCodeOf(t, h, ref))
		outsider := h.Register(t, "outsider@example.com")

		// The grandparent sees both levels, newest first, e-mails masked.
		body := cmNum(t, h.Do(http.MethodGet, "/api/v1/user/referrals", nil, apptest.Bearer(grand.Access)).Expect(t, 200, ""))
		list := body["referrals"].([]any)
		if len(list) != 2 {
			t.Fatalf("referrals %s", body)
		}
		expectFields(t, "level 2 referee", list[0].(map[string]any), map[string]any{"id": num(itoa(user.ID)), "email": "a***@x.com",
			"first_name": "", "last_name": "", "level": num("2"), "created_at": "2026-02-25T12:00:02Z"})
		expectFields(t, "level 1 referee", list[1].(map[string]any), map[string]any{"id": num(itoa(ref.ID)), "email": "22***@test.com",
			"first_name": "JOHN", "last_name": "DOE", "level": num("1")})
		expectFields(t, "pagination", body["pagination"].(map[string]any), map[string]any{"page": num("1"), "page_size": num("20"),
			"total": num("2"), "total_pages": num("1")})
		for level, want := range map[string]int64{"1": ref.ID, "2": user.ID} {
			body := cmNum(t, h.Do(http.MethodGet, "/api/v1/user/referrals?level="+level, nil, apptest.Bearer(grand.Access)).Expect(t, 200, ""))
			if l := body["referrals"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != num(itoa(want)) {
				t.Errorf("level %s: %v", level, l)
			}
		}
		for _, q := range []string{"level=3", "level=x", "page=0", "page_size=-1"} {
			h.Do(http.MethodGet, "/api/v1/user/referrals?"+q, nil, apptest.Bearer(grand.Access)).Expect(t, 400, "VALIDATION_FAILED")
		}
		for _, q := range []string{"type=bonus", "level=0", "level=3", "page=abc"} {
			h.Do(http.MethodGet, "/api/v1/user/commissions?"+q, nil, apptest.Bearer(grand.Access)).Expect(t, 400, "VALIDATION_FAILED")
		}

		// Referrers, two levels up, masked.
		body = cmNum(t, h.Do(http.MethodGet, "/api/v1/user/my-referrer", nil, apptest.Bearer(user.Access)).Expect(t, 200, ""))
		expectFields(t, "my-referrer", body, map[string]any{"has_referrer": true})
		expectFields(t, "level 1 referrer", body["level1_referrer"].(map[string]any), map[string]any{"id": num(itoa(ref.ID)),
			"email": "22***@test.com", "first_name": "JOHN", "last_name": "DOE"})
		expectFields(t, "level 2 referrer", body["level2_referrer"].(map[string]any), map[string]any{"id": num(itoa(grand.ID)),
			"email": "gr***@example.com", "first_name": "", "last_name": ""})
		body = cmNum(t, h.Do(http.MethodGet, "/api/v1/user/my-referrer", nil, apptest.Bearer(ref.Access)).Expect(t, 200, ""))
		if body["level1_referrer"].(map[string]any)["id"] != num(itoa(grand.ID)) || body["level2_referrer"] != nil {
			t.Errorf("referrer's referrers: %v", body)
		}
		body = cmNum(t, h.Do(http.MethodGet, "/api/v1/user/my-referrer", nil, apptest.Bearer(grand.Access)).Expect(t, 200, ""))
		expectFields(t, "no referrer", body, map[string]any{"has_referrer": false, "level1_referrer": nil, "level2_referrer": nil})

		// Stats: counts are integers, amounts numbers.
		zero := num("0")
		expectFields(t, "grand stats", statsOf(t, h, grand), map[string]any{"level1_count": num("1"), "level2_count": num("1"),
			"total_referrals": num("2"), "total_commission": zero, "pending_commission": zero, "this_month_commission": zero,
			"level1_card_opening_commission": zero, "level2_card_opening_commission": zero, "level1_transaction_commission": zero,
			"level2_transaction_commission": zero, "currency": "USDT"})

		// Someone else's network is invisible.
		body = cmNum(t, h.Do(http.MethodGet, "/api/v1/user/referrals", nil, apptest.Bearer(outsider.Access)).Expect(t, 200, ""))
		if len(body["referrals"].([]any)) != 0 || body["pagination"].(map[string]any)["total_pages"] != zero {
			t.Errorf("an outsider sees referrals: %s", body)
		}
		expectFields(t, "outsider stats", statsOf(t, h, outsider), map[string]any{"level1_count": zero, "level2_count": zero})

		// Bearer endpoints want a token; the tier table is public and never
		// looks at one.
		for _, path := range []string{"referral-code", "referral-stats", "referrals", "commissions", "my-referrer", "tier", "tier/progress"} {
			h.Do(http.MethodGet, "/api/v1/user/"+path, nil).Expect(t, 401, "UNAUTHORIZED")
			h.Do(http.MethodGet, "/api/v1/user/"+path+"/", nil, apptest.Bearer("garbage")).Expect(t, 401, "UNAUTHORIZED")
		}
		h.Do(http.MethodGet, "/api/v1/tier-configs/", nil, apptest.Bearer("expired.or.garbage")).Expect(t, 200, "")
	})
}

func TestTierEndpoints(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		data := cmData(t, h.Do(http.MethodGet, "/api/v1/tier-configs", nil).Expect(t, 200, ""))
		configs := data["configs"].([]any)
		if data["total"] != num("4") || len(configs) != 4 {
			t.Fatalf("tier configs %v", data)
		}
		expectFields(t, "V2", configs[1].(map[string]any), map[string]any{"tier_level": num("2"), "tier_name": "V2",
			"min_referral_count": num("11"), "max_referral_count": num("30"), "level1_card_opening_rate": num("0.25"),
			"level1_transaction_rate": num("0.15"), "level2_card_opening_rate": num("0.1"), "level2_transaction_rate": num("0.05")})
		expectFields(t, "V4", configs[3].(map[string]any), map[string]any{"tier_name": "V4", "min_referral_count": num("101"),
			"max_referral_count": num("0"), "level1_card_opening_rate": num("0.35")})

		acc := h.Register(t, "tiers@example.com")
		auth := apptest.Bearer(acc.Access)
		tier := func() map[string]any {
			return cmData(t, h.Do(http.MethodGet, "/api/v1/user/tier", nil, auth).Expect(t, 200, ""))
		}
		progress := func() map[string]any {
			return cmData(t, h.Do(http.MethodGet, "/api/v1/user/tier/progress", nil, auth).Expect(t, 200, ""))
		}
		expectFields(t, "new user tier", tier(), map[string]any{"user_id": num(itoa(acc.ID)), "tier_level": num("1"), "tier_name": "V1",
			"direct_referrals": num("0"), "level1_card_rate": num("0.2"), "level1_tx_rate": num("0.1"), "level2_card_rate": num("0.05"),
			"level2_tx_rate": num("0.05")})
		expectFields(t, "new user progress", progress(), map[string]any{"current_referrals": num("0"), "current_tier": "V1",
			"next_tier": "V2", "is_max_tier": false, "remaining_count": num("11"), "required_referrals": num("11")})

		// Only qualified referees (a completed fee payment) count.
		insertReferees(t, h, acc.ID, "t12-", 15, 12)
		expectFields(t, "12 qualified", tier(), map[string]any{"tier_level": num("2"), "tier_name": "V2", "direct_referrals": num("12"),
			"level1_card_rate": num("0.25"), "level1_tx_rate": num("0.15"), "level2_card_rate": num("0.1"), "level2_tx_rate": num("0.05")})
		expectFields(t, "12 qualified progress", progress(), map[string]any{"current_referrals": num("12"), "current_tier": "V2",
			"next_tier": "V3", "is_max_tier": false, "remaining_count": num("19"), "required_referrals": num("31")})

		insertReferees(t, h, acc.ID, "t89-", 89, 89)
		expectFields(t, "101 qualified", tier(), map[string]any{"tier_name": "V4", "direct_referrals": num("101")})
		expectFields(t, "max tier progress", progress(), map[string]any{"current_referrals": num("101"), "current_tier": "V4",
			"next_tier": "", "is_max_tier": true, "remaining_count": num("0"), "required_referrals": num("0")})
	})
}

func TestReferralPagination(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "pages@example.com")
		auth := apptest.Bearer(acc.Access)
		ids := insertReferees(t, h, acc.ID, "page-", 25, 3)
		page := func(query string) ([]any, map[string]any) {
			body := cmNum(t, h.Do(http.MethodGet, "/api/v1/user/referrals?"+query, nil, auth).Expect(t, 200, ""))
			return body["referrals"].([]any), body["pagination"].(map[string]any)
		}
		list, p := page("page=3&page_size=10")
		expectFields(t, "page 3", p, map[string]any{"page": num("3"), "page_size": num("10"), "total": num("25"), "total_pages": num("3")})
		// Newest first: the last five of the page are the first five inserted.
		if len(list) != 5 || list[4].(map[string]any)["id"] != num(itoa(ids[0])) {
			t.Errorf("page 3: %v", list)
		}
		if list, p = page("page_size=500"); len(list) != 25 || p["page_size"] != num("100") {
			t.Errorf("clamped page: %d items, %v", len(list), p)
		}
		if list, _ = page("page=4&page_size=10"); len(list) != 0 {
			t.Errorf("page past the end: %v", list)
		}

		// Commissions page and filter the same way.
		for i := range int64(3) {
			pay(t, h, cardOpening(ids[0], 100+i))
		}
		pay(t, h, swapFee(ids[1], 7))
		list2, p2 := commissionsOf(t, h, acc, "?page=2&page_size=3")
		if len(list2) != 1 || p2["total"] != num("4") || p2["total_pages"] != num("2") || p2["page_size"] != num("3") {
			t.Errorf("commission page 2: %v %v", list2, p2)
		}
		if l, p := commissionsOf(t, h, acc, "?type=transaction&level=1"); len(l) != 1 || p["total"] != num("1") ||
			l[0]["type"] != "transaction" {
			t.Errorf("transaction filter: %v %v", l, p)
		}
		if l, _ := commissionsOf(t, h, acc, "?level=2"); len(l) != 0 {
			t.Errorf("no level-2 commissions expected: %v", l)
		}
	})
}
