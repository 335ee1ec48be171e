package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// garbageTokens are Authorization headers a public endpoint must ignore.
var garbageTokens = []apptest.Header{
	apptest.Bearer("garbage"), apptest.Bearer("eyJhbGciOiJIUzI1NiJ9.e30.expired"), {Name: "Authorization", Value: "Basic Zm9vOmJhcg=="},
}

// siteContent is the data of GET /site-content.
type siteContent struct {
	Lang           string `json:"lang"`
	CompanyIntro   string `json:"company_intro"`
	TermsOfService string `json:"terms_of_service"`
	PrivacyPolicy  string `json:"privacy_policy"`
}

// appVersion is the data of GET /app-version.
type appVersion struct {
	Platform     string `json:"platform"`
	Version      string `json:"version"`
	DownloadURL  string `json:"download_url"`
	ReleaseNotes string `json:"release_notes"`
	ForceUpdate  bool   `json:"force_update"`
	UpdatedAt    string `json:"updated_at"`
}

func TestSiteContent(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		res := h.Do(http.MethodGet, "/api/v1/site-content", nil).Expect(t, 200, "")
		wantTypes(t, apptest.Data[map[string]any](t, res), map[string]string{"lang": "string", "company_intro": "string", "terms_of_service": "string", "privacy_policy": "string"})
		b := apptest.Decode[apptest.EnvelopeB[siteContent]](t, res)
		if data := b.Data; b.Status != "success" || data.Lang != "en" || data.CompanyIntro != "" || data.TermsOfService != "" ||
			data.PrivacyPolicy != "" {
			t.Fatalf("not configured: %s", res.Body)
		}
		for _, set := range []struct {
			key  content.SiteKey
			lang i18n.Lang
			body string
		}{
			{content.CompanyIntro, i18n.EN, "<h1>About</h1>"},
			{content.CompanyIntro, i18n.ZH, "<h1>关于</h1>"},
			{content.TermsOfService, i18n.EN, "<p>Terms</p>"},
			{content.PrivacyPolicy, i18n.AR, "<p>الخصوصية</p>"},
		} {
			if err := h.App.Content.SetSiteContent(ctx, set.key, set.lang, set.body); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name, query, header         string
			lang, intro, terms, privacy string
		}{
			{"default", "", "", "en", "<h1>About</h1>", "<p>Terms</p>", ""},
			{"header zh", "", "zh-TW", "zh", "<h1>关于</h1>", "<p>Terms</p>", ""},
			{"header ar", "", "ar", "ar", "<h1>About</h1>", "<p>Terms</p>", "<p>الخصوصية</p>"},
			{"lang beats header", "?lang=zh", "ar", "zh", "<h1>关于</h1>", "<p>Terms</p>", ""},
			{"unsupported header", "", "fr-FR", "en", "<h1>About</h1>", "<p>Terms</p>", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var hdr []apptest.Header
				if tc.header != "" {
					hdr = append(hdr, apptest.Header{Name: "Accept-Language", Value: tc.header})
				}
				d := apptest.Data[siteContent](t, h.Do(http.MethodGet, "/api/v1/site-content"+tc.query, nil, hdr...).Expect(t, 200, ""))
				if d.Lang != tc.lang || d.CompanyIntro != tc.intro || d.TermsOfService != tc.terms || d.PrivacyPolicy != tc.privacy {
					t.Errorf("got %+v", d)
				}
			})
		}
		// Removing a translation falls back to English again.
		if err := h.App.Content.SetSiteContent(ctx, content.CompanyIntro, i18n.ZH, ""); err != nil {
			t.Fatal(err)
		}
		if d := apptest.Data[siteContent](t, h.Do(http.MethodGet, "/api/v1/site-content?lang=zh", nil).Expect(t, 200, "")); d.CompanyIntro != "<h1>About</h1>" {
			t.Errorf("after removing zh: %+v", d)
		}
		for _, hdr := range garbageTokens {
			h.Do(http.MethodGet, "/api/v1/site-content/", nil, hdr).Expect(t, 200, "")
		}
		usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/site-content?lang=de", nil), 400, "VALIDATION_FAILED")
	})
}

func TestAppVersion(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		for _, q := range []string{"", "?platform=", "?platform=windows", "?platform=web", "?platform=ios%20x"} {
			fields := usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/app-version"+q, nil), 400, "VALIDATION_FAILED")
			if fields["platform"] == "" {
				t.Errorf("%q: no fields.platform", q)
			}
		}
		usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/app-version?platform=android", nil), 404, "APP_VERSION_NOT_CONFIGURED")

		h.Clock.Advance(time.Hour)
		v := content.AppVersion{Platform: content.Android, Version: "1.2.0", DownloadURL: "https://example.com/app.apk", ForceUpdate: true}
		v.ReleaseNotes[i18n.EN], v.ReleaseNotes[i18n.ZH] = "Bug fixes", "修复问题"
		if _, err := h.App.Content.SetAppVersion(ctx, v); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, query, header, notes string
		}{
			{"default", "?platform=android", "", "Bug fixes"},
			{"header zh", "?platform=android", "zh-CN", "修复问题"},
			{"header ar falls back to en", "?platform=android", "ar", "Bug fixes"},
			{"lang beats header", "?platform=android&lang=zh", "en", "修复问题"},
			{"platform case-insensitive", "?platform=Android", "", "Bug fixes"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var hdr []apptest.Header
				if tc.header != "" {
					hdr = append(hdr, apptest.Header{Name: "Accept-Language", Value: tc.header})
				}
				res := h.Do(http.MethodGet, "/api/v1/app-version"+tc.query, nil, hdr...).Expect(t, 200, "")
				wantTypes(t, apptest.Data[map[string]any](t, res), map[string]string{"platform": "string", "version": "string", "download_url": "string",
					"release_notes": "string", "force_update": "boolean", "updated_at": "string"})
				b := apptest.Decode[apptest.EnvelopeB[appVersion]](t, res)
				if d := b.Data; b.Status != "success" || d.Platform != "android" || d.Version != "1.2.0" ||
					d.DownloadURL != "https://example.com/app.apk" || !d.ForceUpdate ||
					d.UpdatedAt != "2026-02-25T13:00:00Z" || d.ReleaseNotes != tc.notes {
					t.Errorf("got %s", res.Body)
				}
			})
		}
		// A stale, malformed or foreign token never matters: the app calls this first.
		for _, hdr := range garbageTokens {
			h.Do(http.MethodGet, "/api/v1/app-version?platform=android", nil, hdr).Expect(t, 200, "")
			usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/app-version?platform=ios", nil, hdr), 404, "APP_VERSION_NOT_CONFIGURED")
		}
		usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/app-version?platform=android&lang=xx", nil), 400, "VALIDATION_FAILED")

		// Setting a new version replaces the notes; the service refuses bad input.
		v2 := content.AppVersion{Platform: content.Android, Version: "1.3.0", DownloadURL: "https://example.com/app2.apk"}
		if _, err := h.App.Content.SetAppVersion(ctx, v2); err != nil {
			t.Fatal(err)
		}
		d := apptest.Data[appVersion](t, h.Do(http.MethodGet, "/api/v1/app-version?platform=android&lang=zh", nil).Expect(t, 200, ""))
		if d.Version != "1.3.0" || d.ReleaseNotes != "" || d.ForceUpdate {
			t.Errorf("after the second set: %+v", d)
		}
		for _, bad := range []content.AppVersion{
			{Platform: content.IOS, Version: "1.2", DownloadURL: "https://x.example"},
			{Platform: content.IOS, Version: "1.02.0", DownloadURL: "https://x.example"},
			{Platform: content.IOS, Version: "1.2.0-beta", DownloadURL: "https://x.example"},
			{Platform: content.IOS, Version: "1.2.0", DownloadURL: "http://x.example"},
			{Platform: content.IOS, Version: "1.2.0", DownloadURL: "example.com/app"},
			{Platform: "web", Version: "1.2.0", DownloadURL: "https://x.example"},
		} {
			if _, err := h.App.Content.SetAppVersion(ctx, bad); err == nil {
				t.Errorf("%+v accepted", bad)
			}
		}
		usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/app-version?platform=ios", nil), 404, "APP_VERSION_NOT_CONFIGURED")
	})
}

func TestPartnerLink(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		auth := apptest.Bearer(h.Register(t, "partner@example.com").Access)
		type partnerLink struct {
			apptest.EnvelopeA
			Name string `json:"name"`
			URL  string `json:"url"`
		}
		get := func() partnerLink {
			res := h.Do(http.MethodGet, "/api/v1/partner-link", nil, auth).Expect(t, 200, "")
			wantTypes(t, res.JSON, map[string]string{"status": "string", "message": "string", "name": "string", "url": "string"})
			b := apptest.Decode[partnerLink](t, res)
			// Raw shape: envelope A has no data member at all.
			if _, wrapped := res.JSON["data"]; wrapped || b.Status != "success" {
				t.Errorf("not envelope A: %s", res.Body)
			}
			return b
		}
		if got := get(); got.Name != "" || got.URL != "" {
			t.Fatalf("not configured: %+v", got)
		}
		if err := h.App.Content.SetPartnerLink(ctx, content.PartnerLink{Name: " Partner ", URL: "https://partner.example/x?y=1"}); err != nil {
			t.Fatal(err)
		}
		if got := get(); got.Name != "Partner" || got.URL != "https://partner.example/x?y=1" {
			t.Fatalf("configured: %+v", got)
		}
		for _, bad := range []content.PartnerLink{{Name: "P"}, {URL: "https://p.example"}, {Name: "P", URL: "ftp://p.example"},
			{Name: "P", URL: "https://user:pw@p.example"}} {
			if err := h.App.Content.SetPartnerLink(ctx, bad); err == nil {
				t.Errorf("%+v accepted", bad)
			}
		}
		if err := h.App.Content.SetPartnerLink(ctx, content.PartnerLink{}); err != nil {
			t.Fatal(err)
		}
		if got := get(); got.Name != "" || got.URL != "" {
			t.Fatalf("cleared: %+v", got)
		}
		// Per API.md §2.2 the partner link is a bearer endpoint.
		usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/partner-link", nil), 401, "UNAUTHORIZED")
	})
}
