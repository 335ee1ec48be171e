package content_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

func TestParseVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"1.2.0", true}, {"0.0.0", true}, {"10.20.30", true}, {"4294967295.0.1", true},
		{"1.2", false}, {"1.2.3.4", false}, {"01.2.3", false}, {"1.02.3", false}, {"1.2.03", false},
		{"1.2.3-beta", false}, {"1.2.3+14", false}, {"v1.2.3", false}, {"", false}, {"1..3", false},
		{" 1.2.3", false}, {"1.2.-3", false}, {"4294967296.0.0", false}, {"١.٢.٣", false},
	} {
		if _, err := content.ParseVersion(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseVersion(%q) = %v, want ok=%t", tc.in, err, tc.ok)
		}
	}
}

func TestParsePlatform(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]content.Platform{"ios": content.IOS, "IOS": content.IOS, " android ": content.Android,
		"Android": content.Android, "": "", "web": "", "iphone": ""} {
		got, ok := content.ParsePlatform(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParsePlatform(%q) = %q, %t", in, got, ok)
		}
	}
}

func TestAnnouncementLanguageFallback(t *testing.T) {
	t.Parallel()
	en := content.Translation{Title: "T", Content: "C"}
	zh := content.Translation{Title: "标题", Content: "内容"}
	ar := content.Translation{Title: "عنوان", Content: "محتوى"}
	cases := []struct {
		name  string
		texts [3]content.Translation
		lang  i18n.Lang
		want  content.Translation
	}{
		{"own language", [3]content.Translation{en, zh, ar}, i18n.AR, ar},
		{"missing → en", [3]content.Translation{en, zh, {}}, i18n.AR, en},
		{"no en → zh before ar", [3]content.Translation{{}, zh, ar}, i18n.EN, zh},
		{"only ar", [3]content.Translation{{}, {}, ar}, i18n.ZH, ar},
		{"nothing", [3]content.Translation{}, i18n.ZH, content.Translation{}},
	}
	for _, tc := range cases {
		if got := (content.Announcement{Texts: tc.texts}).In(tc.lang); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	v := content.AppVersion{ReleaseNotes: [3]string{"en", "", "ar"}}
	if v.Notes(i18n.ZH) != "en" || v.Notes(i18n.AR) != "ar" {
		t.Errorf("release notes fallback: zh %q, ar %q", v.Notes(i18n.ZH), v.Notes(i18n.AR))
	}
}

// TestAnnouncementLifecycle covers the state machine and concurrent first
// reads on every engine.
func TestAnnouncementLifecycle(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		now := time.Date(2026, 2, 25, 12, 0, 0, 0, time.UTC)
		svc := content.NewService(db, func() time.Time { return now })
		var userID int64
		if err := db.SQL.QueryRowContext(ctx, `INSERT INTO users (email, password_hash, referral_code, created_at, updated_at)
			VALUES ('a@example.com', '', 'AAAAAAAA', 1, 1) RETURNING id`).Scan(&userID); err != nil {
			t.Fatalf("insert a user: %v", err)
		}
		for _, bad := range [][3]content.Translation{
			{}, {{Title: "only a title"}}, {{}, {Content: "only content"}}, {{Title: strings.Repeat("é", 201), Content: "x"}},
			{{Title: "T", Content: "nul\x00"}}, {{Title: "T", Content: "\xff"}},
		} {
			if _, err := svc.CreateAnnouncement(ctx, bad); err == nil {
				t.Errorf("%+v accepted", bad)
			}
		}
		a, err := svc.CreateAnnouncement(ctx, [3]content.Translation{{Title: " T ", Content: " C "}})
		if err != nil || a.Status != content.Draft || a.Texts[i18n.EN].Title != "T" {
			t.Fatalf("create: %+v %v", a, err)
		}
		if _, err := svc.ReadAnnouncement(ctx, userID, a.ID); err == nil {
			t.Fatal("a draft could be read")
		}
		first, err := svc.PublishAnnouncement(ctx, a.ID)
		if err != nil || first.Status != content.Published || first.PublishedAt == nil {
			t.Fatalf("publish: %+v %v", first, err)
		}
		now = now.Add(time.Hour)
		again, err := svc.PublishAnnouncement(ctx, a.ID)
		if err != nil || !again.PublishedAt.Equal(*first.PublishedAt) {
			t.Fatalf("publishing twice moved the publication time: %+v %v", again, err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.ReadAnnouncement(ctx, userID, a.ID)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent first read: %v", err)
			}
		}
		if n, err := svc.UnreadAnnouncements(ctx, userID); err != nil || n != 0 {
			t.Fatalf("unread after reading: %d %v", n, err)
		}
		if err := svc.DeleteAnnouncement(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.DeleteAnnouncement(ctx, a.ID); err != nil {
			t.Fatalf("deleting twice: %v", err)
		}
		if _, err := svc.PublishAnnouncement(ctx, a.ID); err == nil {
			t.Fatal("a deleted announcement was published again")
		}
		if err := svc.DeleteAnnouncement(ctx, 424242); err == nil {
			t.Fatal("deleting an unknown announcement succeeded")
		}
		if list, err := svc.AllAnnouncements(ctx, 10); err != nil || len(list) != 1 || list[0].Status != content.Deleted {
			t.Fatalf("operator list: %+v %v", list, err)
		}
	})
}
