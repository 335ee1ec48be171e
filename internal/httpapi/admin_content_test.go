package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// contentAuditActions lists the actions of the audit rows about a target, oldest
// first.
func contentAuditActions(t *testing.T, h *apptest.Harness, targetType, targetID string) []string {
	t.Helper()
	rows, _, err := h.App.Audit.List(context.Background(), audit.Filter{TargetType: targetType, TargetID: targetID}, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[len(rows)-1-i] = r.Action
	}
	return out
}

func sameList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

type adminAnnouncement struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Title  struct {
		EN, ZH, AR string
	} `json:"title"`
	PublishedAt *string `json:"published_at"`
}

type userAnnouncements struct {
	Total int `json:"total"`
	Items []struct {
		ID     int64  `json:"id"`
		Title  string `json:"title"`
		IsRead bool   `json:"is_read"`
	} `json:"items"`
}

// TestOperatorManagesAnnouncements: a draft is invisible to users until
// published; an edit in place keeps its id, publication and the readers'
// read state; a deleted announcement is gone and cannot come back. Each
// write is audited; other roles are refused.
func TestOperatorManagesAnnouncements(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		op := h.Operator(t, "content@ops.example.com", operator.Content)
		support := h.Operator(t, "support@ops.example.com", operator.Support)
		user := h.Register(t, "reader@example.com")
		admin, userAuth := apptest.Bearer(op.Token), apptest.Bearer(user.Access)
		list := func() userAnnouncements {
			return apptest.Decode[userAnnouncements](t, h.Do(http.MethodGet, "/api/v1/announcements?lang=zh", nil, userAuth).Expect(t, 200, ""))
		}

		body := map[string]any{"title": map[string]any{"en": "Maintenance", "zh": "维护"}, "content": map[string]any{"en": "<p>Sunday</p>", "zh": "<p>周日</p>"}}
		h.Do(http.MethodPost, "/api/v1/admin/announcements", body, apptest.Bearer(support.Token)).Expect(t, 403, "FORBIDDEN")
		h.Do(http.MethodPost, "/api/v1/admin/announcements", map[string]any{"title": map[string]any{"zh": "只有标题"}}, admin).
			Expect(t, 400, "VALIDATION_FAILED")
		created := apptest.Data[adminAnnouncement](t, h.Do(http.MethodPost, "/api/v1/admin/announcements", body, admin).Expect(t, 201, ""))
		if created.Status != "draft" || created.Title.ZH != "维护" || created.PublishedAt != nil {
			t.Fatalf("created %+v", created)
		}
		path := "/api/v1/admin/announcements/" + strconv.FormatInt(created.ID, 10)
		if got := list(); got.Total != 0 {
			t.Fatalf("a draft is visible: %+v", got)
		}

		published := apptest.Data[adminAnnouncement](t, h.Do(http.MethodPost, path+"/publish", nil, admin).Expect(t, 200, ""))
		if published.Status != "published" || published.PublishedAt == nil {
			t.Fatalf("published %+v", published)
		}
		h.Do(http.MethodGet, "/api/v1/announcements/"+strconv.FormatInt(created.ID, 10), nil, userAuth).Expect(t, 200, "")

		edit := map[string]any{"title": map[string]any{"en": "Maintenance moved", "zh": "维护改期"}, "content": map[string]any{"en": "<p>Monday</p>", "zh": "<p>周一</p>"}}
		edited := apptest.Data[adminAnnouncement](t, h.Do(http.MethodPut, path, edit, admin).Expect(t, 200, ""))
		if edited.Status != "published" || edited.Title.ZH != "维护改期" || *edited.PublishedAt != *published.PublishedAt {
			t.Fatalf("edited %+v", edited)
		}
		if got := list(); got.Total != 1 || got.Items[0].ID != created.ID || got.Items[0].Title != "维护改期" || !got.Items[0].IsRead {
			t.Fatalf("after the edit users see %+v", got)
		}
		h.Do(http.MethodPost, path+"/publish", nil, admin).Expect(t, 200, "") // again: nothing changes

		page := apptest.Data[struct {
			Total int                 `json:"total"`
			Items []adminAnnouncement `json:"items"`
		}](t, h.Do(http.MethodGet, "/api/v1/admin/announcements?status=published", nil, admin).Expect(t, 200, ""))
		if page.Total != 1 || page.Items[0].ID != created.ID {
			t.Fatalf("admin list %+v", page)
		}
		h.Do(http.MethodGet, "/api/v1/admin/announcements?status=gone", nil, admin).Expect(t, 400, "VALIDATION_FAILED")

		h.Do(http.MethodDelete, path, nil, admin).Expect(t, 200, "")
		if got := list(); got.Total != 0 {
			t.Fatalf("a deleted announcement is visible: %+v", got)
		}
		h.Do(http.MethodPost, path+"/publish", nil, admin).Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodPut, path, edit, admin).Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodGet, "/api/v1/admin/announcements/424242", nil, admin).Expect(t, 404, "ANNOUNCEMENT_NOT_FOUND")

		want := []string{"announcement.create", "announcement.publish", "announcement.update", "announcement.publish", "announcement.delete"}
		if got := contentAuditActions(t, h, "announcement", strconv.FormatInt(created.ID, 10)); !sameList(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
}

// TestOperatorSetsAppVersionSiteContentAndPartnerLink: what an operator sets
// is what the public endpoints serve next.
func TestOperatorSetsAppVersionSiteContentAndPartnerLink(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		admin := apptest.Bearer(h.Operator(t, "content@ops.example.com", operator.Content).Token)
		user := h.Register(t, "app@example.com")

		h.Do(http.MethodGet, "/api/v1/admin/app-version/ios", nil, admin).Expect(t, 404, "APP_VERSION_NOT_CONFIGURED")
		h.Do(http.MethodGet, "/api/v1/admin/app-version/windows", nil, admin).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/admin/app-version/ios", map[string]any{"version": "2.0", "download_url": "https://apps.example.com/x"}, admin).
			Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/admin/app-version/ios", map[string]any{"version": "2.0.1", "download_url": "https://apps.example.com/x",
			"force_update": true, "release_notes": map[string]any{"en": "Faster", "zh": "更快"}}, admin).Expect(t, 200, "")
		got := apptest.Data[struct {
			Version      string `json:"version"`
			ForceUpdate  bool   `json:"force_update"`
			ReleaseNotes string `json:"release_notes"`
		}](t, h.Do(http.MethodGet, "/api/v1/app-version?platform=ios", nil, apptest.Header{Name: "Accept-Language", Value: "zh"}).Expect(t, 200, ""))
		if got.Version != "2.0.1" || !got.ForceUpdate || got.ReleaseNotes != "更快" {
			t.Fatalf("public app version %+v", got)
		}

		h.Do(http.MethodPut, "/api/v1/admin/site-content/fr", map[string]any{"company_intro": "x"}, admin).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/admin/site-content/en", map[string]any{}, admin).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/admin/site-content/en", map[string]any{"terms_of_service": "<h1>Terms</h1>", "company_intro": "<p>Us</p>"}, admin).Expect(t, 200, "")
		h.Do(http.MethodPut, "/api/v1/admin/site-content/zh", map[string]any{"company_intro": "<p>我们</p>"}, admin).Expect(t, 200, "")
		zh := apptest.Data[struct {
			CompanyIntro   string `json:"company_intro"`
			TermsOfService string `json:"terms_of_service"`
		}](t, h.Do(http.MethodGet, "/api/v1/site-content?lang=zh", nil).Expect(t, 200, ""))
		if zh.CompanyIntro != "<p>我们</p>" || zh.TermsOfService != "<h1>Terms</h1>" {
			t.Fatalf("public zh site content %+v", zh)
		}
		own := apptest.Data[struct {
			TermsOfService string `json:"terms_of_service"`
		}](t, h.Do(http.MethodGet, "/api/v1/admin/site-content/zh", nil, admin).Expect(t, 200, ""))
		if own.TermsOfService != "" {
			t.Fatalf("the admin view of zh falls back to English: %+v", own)
		}
		// "" removes a text: the language falls back to English again.
		h.Do(http.MethodPut, "/api/v1/admin/site-content/zh", map[string]any{"company_intro": ""}, admin).Expect(t, 200, "")
		if zh := apptest.Data[struct {
			CompanyIntro string `json:"company_intro"`
		}](t, h.Do(http.MethodGet, "/api/v1/site-content?lang=zh", nil).Expect(t, 200, "")); zh.CompanyIntro != "<p>Us</p>" {
			t.Fatalf("after removing the zh intro: %+v", zh)
		}

		h.Do(http.MethodPut, "/api/v1/admin/partner-link", map[string]any{"name": "P", "url": "javascript:alert(1)"}, admin).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/admin/partner-link", map[string]any{"name": "Partner Bank"}, admin).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPut, "/api/v1/admin/partner-link", map[string]any{"name": "Partner Bank", "url": "https://partner.example"}, admin).Expect(t, 200, "")
		link := apptest.Decode[struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		}](t, h.Do(http.MethodGet, "/api/v1/partner-link", nil, apptest.Bearer(user.Access)).Expect(t, 200, ""))
		if link.Name != "Partner Bank" || link.URL != "https://partner.example" {
			t.Fatalf("public partner link %+v", link)
		}
		h.Do(http.MethodPut, "/api/v1/admin/partner-link", map[string]any{"name": "", "url": ""}, admin).Expect(t, 200, "")

		for target, want := range map[[2]string][]string{
			{"app_version", "ios"}:       {"app_version.set"},
			{"site_content", "en"}:       {"site_content.set"},
			{"site_content", "zh"}:       {"site_content.set", "site_content.set"},
			{"partner_link", "1"}:        {"partner_link.set", "partner_link.set"},
			{"site_content", "fr"}:       {},
			{"announcement", "whatever"}: {},
		} {
			if got := contentAuditActions(t, h, target[0], target[1]); !sameList(got, want) {
				t.Errorf("audit of %v: %v, want %v", target, got, want)
			}
		}
	})
}
