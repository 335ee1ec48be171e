package console_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// fill sets form fields by CSS selector (SetValue: the texts include
// Chinese and Arabic, which key events would not type reliably).
func (s *site) fill(fields map[string]string) {
	s.t.Helper()
	for sel, val := range fields {
		s.do(chromedp.SetValue(chromedp.CSS(sel), val))
	}
}

func (s *site) open(path, waitFor string) {
	s.t.Helper()
	s.do(chromedp.Navigate(s.base+path), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// submit clicks a form's button and waits until the answer's address
// holds want (the post/redirect/get target), so the next step reads the new page.
func (s *site) submit(button, want string) {
	s.t.Helper()
	s.do(chromedp.Click(chromedp.CSS(button)))
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(s.location(), want) {
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s: at %s, want %s", button, s.location(), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.do(chromedp.WaitVisible(chromedp.CSS("main h1")))
}

func (s *site) attr(sel, name string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		s.t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return v.Value
}

// TestConsolePublishesAnnouncementInThreeLanguages: a content operator
// writes an announcement in en/zh/ar side by side (Arabic right to left),
// previews it, saves and publishes it; the app's public API then answers it
// in each language by Accept-Language. Deleting it asks a reason, which the
// audit log keeps, and the app no longer lists it.
func TestConsolePublishesAnnouncementInThreeLanguages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	h := s.h
	user := h.Register(t, "reader@example.com")
	editor := newOperator(t, h, "editor@ops.example.com", operator.Content)
	s.signIn(editor, false, false)
	s.open("/console/content/announcements", "main h1")
	s.checkPage("content-announcements")
	s.do(chromedp.Click(chromedp.CSS("a.button")), chromedp.WaitVisible(chromedp.CSS("#title_ar")))
	for _, sel := range []string{"#title_ar", "#content_ar"} {
		if dir, lang := s.attr(sel, "dir"), s.attr(sel, "lang"); dir != "rtl" || lang != "ar" {
			t.Fatalf("%s: dir=%q lang=%q, want rtl ar", sel, dir, lang)
		}
	}
	texts := map[string][2]string{
		"en": {"Card fees lowered", "Virtual cards now cost less."},
		"zh": {"卡费下调", "虚拟卡现在更便宜。"},
		"ar": {"خفض رسوم البطاقات", "البطاقات الافتراضية أرخص الآن."},
	}
	for lang, tc := range texts {
		s.fill(map[string]string{"#title_" + lang: tc[0], "#content_" + lang: tc[1]})
	}
	// Preview: the form's texts rendered by the server, nothing saved.
	s.do(chromedp.Click(chromedp.CSS(`button[value=preview]`)), chromedp.WaitVisible(chromedp.CSS(`article.phone[lang=ar] h3`)))
	if got := s.text(`article.phone[lang=ar] h3`); got != texts["ar"][0] {
		t.Fatalf("Arabic preview title %q", got)
	}
	if dir := s.attr(`article.phone[lang=ar]`, "dir"); dir != "rtl" {
		t.Fatalf("Arabic preview dir %q", dir)
	}
	s.checkPage("content-announcement-preview")
	if list, _, err := h.App.Office.Announcements(context.Background(), "", 10, 0); err != nil || len(list) != 0 {
		t.Fatalf("preview saved something: %d %v", len(list), err)
	}
	s.submit(`button[value=save]`, "done=saved")
	s.checkPage("content-announcement")
	// Before publishing, the app shows nothing.
	list := func(lang string) []struct{ Title, Content string } {
		t.Helper()
		res := h.Do(http.MethodGet, "/api/v1/announcements", nil, apptest.Bearer(user.Access),
			apptest.Header{Name: "Accept-Language", Value: lang}).Expect(t, 200, "")
		return apptest.Decode[struct {
			Items []struct{ Title, Content string } `json:"items"`
		}](t, res).Items
	}
	if got := list("en"); len(got) != 0 {
		t.Fatalf("a draft is visible: %+v", got)
	}
	s.submit("form.publish button", "done=published")
	for lang, tc := range texts {
		got := list(lang)
		if len(got) != 1 || got[0].Title != tc[0] || got[0].Content != tc[1] {
			t.Errorf("Accept-Language %s: %+v, want %q / %q", lang, got, tc[0], tc[1])
		}
	}
	// Delete: a reason is required (the browser refuses an empty one; the
	// server too), then it is gone from the app.
	s.fill(map[string]string{"#del-reason": "superseded by the spring campaign"})
	s.submit("form.confirm button", "done=deleted")
	if got := list("en"); len(got) != 0 {
		t.Fatalf("a deleted announcement is listed: %+v", got)
	}
	rows, _, err := h.App.Audit.List(context.Background(), audit.Filter{Action: "announcement.delete"}, 10, 0)
	if err != nil || len(rows) != 1 || rows[0].Reason != "superseded by the spring campaign" || rows[0].Actor.ID != editor.ID {
		t.Fatalf("audit of the delete: %+v %v", rows, err)
	}
	// Site texts in Arabic are edited right to left.
	s.open("/console/content/site?lang=ar", "#site-company_intro")
	if dir := s.attr("#site-company_intro", "dir"); dir != "rtl" {
		t.Fatalf("Arabic site text dir %q", dir)
	}
	s.fill(map[string]string{"#site-company_intro": "نحن كوم كوم باي"})
	s.submit("main form button[type=submit]", "done=1")
	s.checkPage("content-site-ar")
	s.open("/console/content/app", "#ios-version")
	s.fill(map[string]string{"#ios-version": "2.1.0", "#ios-url": "https://apps.example.com/ios", "#ios-notes-ar": "أسرع"})
	s.submit("section.card form button[type=submit]", "done=1")
	s.checkPage("content-app")
	// Content may not open coupons' editing or the webhook inbox.
	nav := s.text("header nav")
	if strings.Contains(nav, "Webhook inbox") {
		t.Errorf("content sees the webhook inbox: %q", nav)
	}
}

// TestConsoleCouponsNotificationsWebhooks: a super_admin defines a coupon,
// assigns it to listed users and to everyone (the run's progress shows),
// deactivates it with a reason; sends a notification and a broadcast (its
// progress listed); and opens the webhook inbox with filters.
func TestConsoleCouponsNotificationsWebhooks(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	h := s.h
	aliceID := strconv.FormatInt(h.Register(t, "alice@example.com").ID, 10)
	root := newOperator(t, h, "root@ops.example.com", operator.SuperAdmin)
	s.signIn(root, false, false)

	s.open("/console/coupons", "#c-code")
	s.fill(map[string]string{"#c-code": "SPRING5", "#c-name": "Spring five", "#c-value": "5", "#c-from": "2020-01-01T00:00",
		"#c-until": "2099-01-01T00:00", "#c-limit": "100"})
	s.submit("form.grid button[type=submit]", "done=created")
	if got := s.text("main h1"); !strings.Contains(got, "SPRING5") {
		t.Fatalf("after create: %q", got)
	}
	s.fill(map[string]string{"#a-users": aliceID})
	s.submit(`form[action$="/assign"] button`, "done=assigned")
	if got := s.text(".notice"); !strings.Contains(got, aliceID) {
		t.Fatalf("assign notice %q", got)
	}
	s.do(chromedp.Click(chromedp.CSS("#a-all")))
	s.submit(`input[value=all] ~ button`, "done=run")
	s.do(chromedp.WaitVisible(chromedp.CSS("progress")))
	s.checkPage("coupon")
	s.fill(map[string]string{"#deact-reason": "campaign over"})
	s.submit("form.confirm button", "done=deactivated")
	if got := s.text("main h1"); !strings.Contains(got, "inactive") {
		t.Fatalf("after deactivate: %q", got)
	}
	s.open("/console/coupons?code=spring5", "main h1")
	if got := s.text("tbody"); !strings.Contains(got, "SPRING5") || !strings.Contains(got, "5 USD") {
		t.Fatalf("search by code: %q", got)
	}
	s.checkPage("coupons")

	s.open("/console/notifications", "#send-user")
	s.fill(map[string]string{"#send-user": aliceID, "#send-title": "Hello", "#send-body": "Your card is on its way."})
	s.submit(`form[action$="/send"] button`, "done=sent")
	s.fill(map[string]string{"#cast-title": "Maintenance", "#cast-body": "Sunday 02:00–03:00 UTC."})
	s.do(chromedp.Click(chromedp.CSS("#cast-confirm")))
	s.submit(`form[action$="/broadcast"] button`, "done=broadcast")
	if got := s.text("tbody"); !strings.Contains(got, "Maintenance") {
		t.Fatalf("broadcast list %q", got)
	}
	s.checkPage("notifications")

	s.open("/console/webhooks?status=failed&provider=custody", "main h1")
	if got := s.attr("#f-provider", "value"); got != "custody" {
		t.Fatalf("provider filter kept as %q", got)
	}
	s.checkPage("webhooks")
	s.open("/console/content/site", "main h1")
	s.checkPage("content-site")
}
