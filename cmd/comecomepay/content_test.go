package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// contentEnv is a sandbox configuration on a fresh data directory.
func contentEnv(t *testing.T) func(string) string {
	t.Helper()
	return envOf(map[string]string{"COMECOMEPAY_DATA_DIR": t.TempDir(), "COMECOMEPAY_MODE": "sandbox", "COMECOMEPAY_PASSWORD_HASH": "fast"})
}

// runOK runs a command that must succeed and returns its output.
func runOK(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	var out strings.Builder
	if err := run(context.Background(), append([]string{"comecomepay"}, args...), getenv, &out); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

// runFails runs a command that must fail, and checks the error mentions want.
func runFails(t *testing.T, getenv func(string) string, want string, args ...string) {
	t.Helper()
	var out strings.Builder
	err := run(context.Background(), append([]string{"comecomepay"}, args...), getenv, &out)
	if err == nil {
		t.Errorf("%v succeeded: %s", args, out.String())
	} else if !strings.Contains(err.Error(), want) {
		t.Errorf("%v: error %q does not mention %q", args, err, want)
	}
}

func TestContentAnnounceCommand(t *testing.T) {
	t.Parallel()
	getenv := contentEnv(t)
	file := filepath.Join(t.TempDir(), "body.html")
	if err := os.WriteFile(file, []byte("<p>from a file</p>"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runOK(t, getenv, "content", "announce", "create", "--title-en", "Hello", "--content-en", "@"+file,
		"--title-zh", "你好", "--content-zh", "内容"); !strings.Contains(out, "announcement 1 created (draft)") {
		t.Fatalf("create: %s", out)
	}
	if out := runOK(t, getenv, "content", "announce", "create", "--title-ar", "مرحبا", "--content-ar", "نص", "--publish"); !strings.Contains(out, "announcement 2 created (published)") {
		t.Fatalf("create --publish: %s", out)
	}
	if out := runOK(t, getenv, "content", "announce", "publish", "1"); !strings.Contains(out, "announcement 1 published") {
		t.Fatalf("publish: %s", out)
	}
	runOK(t, getenv, "content", "announce", "delete", "2")
	out := runOK(t, getenv, "content", "announce", "list")
	for _, want := range []string{"STATUS", "published", "en,zh", "Hello", "deleted", "مرحبا"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	a := openTestApp(t, getenv)
	got, err := a.Content.Announcement(context.Background(), 1)
	if err != nil || got.Texts[i18n.EN].Content != "<p>from a file</p>" || got.Status != content.Published {
		t.Fatalf("stored: %+v %v", got, err)
	}
	// The commands are the back office's actions, audited as the CLI.
	wantCLIAudit(t, a, "announcement.", 5) // create, create, publish, publish, delete

	cases := []struct {
		name, want string
		args       []string
	}{
		{"no subcommand", "usage", []string{"content"}},
		{"unknown subcommand", "usage", []string{"content", "announce", "edit", "1"}},
		{"no texts", "at least one language", []string{"content", "announce", "create"}},
		{"title without content", "content_zh", []string{"content", "announce", "create", "--title-zh", "x"}},
		{"unknown flag", "flag provided but not defined", []string{"content", "announce", "create", "--title-fr", "x"}},
		{"stray argument", "usage", []string{"content", "announce", "create", "--title-en", "T", "--content-en", "C", "extra"}},
		{"missing file", "--content-en", []string{"content", "announce", "create", "--title-en", "T", "--content-en", "@/nonexistent/x"}},
		{"bad id", "positive integer", []string{"content", "announce", "publish", "abc"}},
		{"zero id", "positive integer", []string{"content", "announce", "delete", "0"}},
		{"unknown id", "ANNOUNCEMENT_NOT_FOUND", []string{"content", "announce", "publish", "99"}},
		{"publish deleted", "INVALID_STATE", []string{"content", "announce", "publish", "2"}},
		{"list with arguments", "usage", []string{"content", "announce", "list", "all"}},
	}
	for _, tc := range cases {
		runFails(t, getenv, tc.want, tc.args...)
	}
}

func TestContentSiteAppVersionPartnerCommands(t *testing.T) {
	t.Parallel()
	getenv := contentEnv(t)
	terms := filepath.Join(t.TempDir(), "terms.html")
	if err := os.WriteFile(terms, []byte("<h1>Terms</h1>"), 0o600); err != nil {
		t.Fatal(err)
	}
	runOK(t, getenv, "content", "site", "set", "terms_of_service", "en", terms)
	// "-" reads standard input; contentCmd takes it as a parameter.
	var out strings.Builder
	if err := contentCmd(context.Background(), []string{"site", "set", "company_intro", "ZH", "-"}, getenv,
		strings.NewReader("<p>关于我们</p>"), &out); err != nil {
		t.Fatalf("site set from stdin: %v", err)
	}
	runOK(t, getenv, "content", "app-version", "set", "ios", "2.0.1", "https://apps.example.com/id1", "--force",
		"--notes-en", "Faster", "--notes-zh", "更快")
	runOK(t, getenv, "content", "app-version", "set", "--notes-en", "First", "Android", "1.0.0", "https://play.example.com/app")
	runOK(t, getenv, "content", "partner-link", "set", "Partner Bank", "https://partner.example")

	ctx := context.Background()
	a := openTestApp(t, getenv)
	site, err := a.Content.SiteContent(ctx, i18n.ZH)
	if err != nil || site.TermsOfService != "<h1>Terms</h1>" || site.CompanyIntro != "<p>关于我们</p>" || site.PrivacyPolicy != "" {
		t.Fatalf("site: %+v %v", site, err)
	}
	ios, err := a.Content.AppVersion(ctx, content.IOS)
	if err != nil || ios.Version != "2.0.1" || !ios.ForceUpdate || ios.Notes(i18n.ZH) != "更快" || ios.DownloadURL != "https://apps.example.com/id1" {
		t.Fatalf("ios: %+v %v", ios, err)
	}
	android, err := a.Content.AppVersion(ctx, content.Android)
	if err != nil || android.Version != "1.0.0" || android.ForceUpdate || android.Notes(i18n.AR) != "First" {
		t.Fatalf("android: %+v %v", android, err)
	}
	if link, err := a.Content.PartnerLink(ctx); err != nil || link.Name != "Partner Bank" || link.URL != "https://partner.example" {
		t.Fatalf("partner link: %+v %v", link, err)
	}

	cases := []struct {
		name, want string
		args       []string
	}{
		{"site: unknown key", "KEY", []string{"content", "site", "set", "faq", "en", terms}},
		{"site: bad language", "LANG", []string{"content", "site", "set", "privacy_policy", "fr", terms}},
		{"site: missing file", "FILE", []string{"content", "site", "set", "privacy_policy", "en", "/nonexistent/p.html"}},
		{"site: missing argument", "usage", []string{"content", "site", "set", "privacy_policy", "en"}},
		{"version: not semver", "VERSION", []string{"content", "app-version", "set", "ios", "2.0", "https://a.example"}},
		{"version: leading zero", "VERSION", []string{"content", "app-version", "set", "ios", "2.01.0", "https://a.example"}},
		{"version: suffix", "VERSION", []string{"content", "app-version", "set", "ios", "2.0.0-rc1", "https://a.example"}},
		{"version: bad platform", "PLATFORM", []string{"content", "app-version", "set", "windows", "2.0.0", "https://a.example"}},
		{"version: http URL", "download_url", []string{"content", "app-version", "set", "ios", "2.0.0", "http://a.example"}},
		{"version: relative URL", "download_url", []string{"content", "app-version", "set", "ios", "2.0.0", "a.example/app"}},
		{"version: missing URL", "usage", []string{"content", "app-version", "set", "ios", "2.0.0"}},
		{"version: unknown flag", "flag provided but not defined", []string{"content", "app-version", "set", "ios", "2.0.0", "https://a.example", "--beta"}},
		{"partner: bad URL", "url", []string{"content", "partner-link", "set", "P", "javascript:alert(1)"}},
		{"partner: empty", "required", []string{"content", "partner-link", "set", "", ""}},
		{"partner: missing URL", "usage", []string{"content", "partner-link", "set", "P"}},
	}
	for _, tc := range cases {
		runFails(t, getenv, tc.want, tc.args...)
	}
	wantCLIAudit(t, a, "site_content.", 2)
	wantCLIAudit(t, a, "app_version.", 2)
	wantCLIAudit(t, a, "partner_link.", 1)
	// The refused commands changed nothing.
	if ios, err := a.Content.AppVersion(ctx, content.IOS); err != nil || ios.Version != "2.0.1" {
		t.Fatalf("ios after refused sets: %+v %v", ios, err)
	}

	runOK(t, getenv, "content", "partner-link", "clear")
	if link, err := a.Content.PartnerLink(ctx); err != nil || link != (content.PartnerLink{}) {
		t.Fatalf("partner link after clear: %+v %v", link, err)
	}
}

// wantCLIAudit requires n audit rows whose action starts with prefix, each
// by the CLI actor.
func wantCLIAudit(t *testing.T, a *app.App, prefix string, n int) {
	t.Helper()
	rows, total, err := a.Audit.List(context.Background(), audit.Filter{Action: prefix}, 100, 0)
	if err != nil || total != n {
		t.Fatalf("%d audit rows %s*, want %d (%v)", total, prefix, n, err)
	}
	for _, r := range rows {
		if r.Actor.Type != audit.ActorCLI || r.Actor.Label != "cli" {
			t.Errorf("%s audited as %+v, want the CLI", r.Action, r.Actor)
		}
	}
}

// openTestApp opens the service the commands edited, to check what they stored.
func openTestApp(t *testing.T, getenv func(string) string) *app.App {
	t.Helper()
	a, err := openApp(context.Background(), getenv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	return a
}
