package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// Examples of the content, coupon, notification and webhook-inbox routes
// for the admin walk.

// walkAnnouncement stores a draft to act on.
func walkAnnouncement(t *testing.T, env *adminEnv) string {
	t.Helper()
	a, err := env.h.App.Content.CreateAnnouncement(context.Background(), [3]content.Translation{{Title: "Walk", Content: "<p>walk</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	return "/api/v1/admin/announcements/" + strconv.FormatInt(a.ID, 10)
}

// walkCoupon defines a coupon to act on.
func walkCoupon(t *testing.T, env *adminEnv) string {
	t.Helper()
	env.walkSeq++
	c, err := env.h.App.Coupons.Create(context.Background(), coupon.Coupon{Code: fmt.Sprintf("WALKC%d", env.walkSeq), Name: "Walk",
		Type: coupon.Fixed, Value: 100})
	if err != nil {
		t.Fatal(err)
	}
	return "/api/v1/admin/coupons/" + strconv.FormatInt(c.ID, 10)
}

var announcementBody = map[string]any{"title": map[string]any{"en": "Maintenance", "zh": "维护"},
	"content": map[string]any{"en": "<p>Sunday 02:00 UTC</p>", "zh": "<p>周日</p>"}}

var (
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/announcements", Role: operator.Content, Status: http.StatusCreated,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/announcements", announcementBody
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/announcements/{id}", Role: operator.Content,
		Setup: func(t *testing.T, env *adminEnv) (string, any) { return walkAnnouncement(t, env), announcementBody }})
	_ = exampleAdmin(adminExample{Pattern: "DELETE /api/v1/admin/announcements/{id}", Role: operator.Content,
		Setup: func(t *testing.T, env *adminEnv) (string, any) { return walkAnnouncement(t, env), nil }})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/announcements/{id}/publish", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) { return walkAnnouncement(t, env) + "/publish", nil }})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/app-version/{platform}", Role: operator.Content,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/app-version/android", map[string]any{"version": "1.4.0", "download_url": "https://play.example.com/app",
				"force_update": true, "release_notes": map[string]any{"en": "Faster cards", "ar": "بطاقات أسرع"}}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/site-content/{lang}", Role: operator.Content,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/site-content/zh", map[string]any{"terms_of_service": "<h1>条款</h1>"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/partner-link", Role: operator.Content,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/partner-link", map[string]any{"name": "Partner Bank", "url": "https://partner.example/offer"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/coupons", Role: operator.Finance, Status: http.StatusCreated,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			env.walkSeq++
			return "/api/v1/admin/coupons", map[string]any{"code": fmt.Sprintf("walk-new-%d", env.walkSeq), "name": "Spring",
				"type": "percentage", "value": 12.5, "max_discount": 3, "claimable": true}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/coupons/{id}", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return walkCoupon(t, env), map[string]any{"name": "Renamed", "value": 2, "usage_limit": 100}
		}})
	_ = exampleAdmin(adminExample{Pattern: "DELETE /api/v1/admin/coupons/{id}", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) { return walkCoupon(t, env), nil }})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/coupons/{id}/assign", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return walkCoupon(t, env) + "/assign", map[string]any{"user_ids": []any{env.user.ID}}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/notifications/send", Role: operator.Support,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/notifications/send", map[string]any{"user_id": env.user.ID, "title": "About your card",
				"body": "Your replacement is on its way.", "data": map[string]any{"ticket": "T-1"}}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/notifications/broadcast", Role: operator.Content, Status: http.StatusAccepted,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/notifications/broadcast", map[string]any{"title": "New: physical cards", "body": "Order yours today.",
				"data": map[string]any{"screen": "cards"}, "filter": map[string]any{"language": "en"}}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/webhooks/events/{id}/replay", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			env.walkSeq++
			id, _, err := env.h.App.Inbox.Receive(context.Background(), env.h.App.Jobs, "custody", fmt.Sprintf("walk-%d", env.walkSeq), []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			return "/api/v1/admin/webhooks/events/" + strconv.FormatInt(id, 10) + "/replay", nil
		}})
)
