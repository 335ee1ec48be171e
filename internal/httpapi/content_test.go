package httpapi_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// announce creates an announcement with texts (lang → {title, content}) and
// publishes it unless draft; publications are a minute apart, so the list
// order is the creation order reversed.
func announce(t *testing.T, h *apptest.Harness, texts map[i18n.Lang][2]string, draft bool) int64 {
	t.Helper()
	ctx := context.Background()
	var tr [3]content.Translation
	for l, s := range texts {
		tr[l] = content.Translation{Title: s[0], Content: s[1]}
	}
	a, err := h.App.Content.CreateAnnouncement(ctx, tr)
	if err != nil {
		t.Fatal(err)
	}
	if !draft {
		h.Clock.Advance(time.Minute)
		if _, err := h.App.Content.PublishAnnouncement(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	return a.ID
}

// wantTypes checks that obj has exactly these JSON kinds for the fields
// (integer means a JSON number without a fraction: the client casts ids).
func wantTypes(t *testing.T, obj map[string]any, kinds map[string]string) {
	t.Helper()
	for k, kind := range kinds {
		v, ok := obj[k]
		good := false
		switch kind {
		case "integer":
			f, isNum := v.(float64)
			good = isNum && f == math.Trunc(f)
		case "string":
			_, good = v.(string)
		case "boolean":
			_, good = v.(bool)
		case "array":
			_, good = v.([]any)
		}
		if !ok || !good {
			t.Errorf("field %q = %#v, want %s (in %v)", k, v, kind, obj)
		}
	}
}

// announcement is an announcement as listed and shown.
type announcement struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Content   string `json:"content"`
	CreatedAt string `json:"created_at"`
	IsRead    bool   `json:"is_read"`
	Status    string `json:"status"`
}

// announcementPage is the answer of GET /announcements.
type announcementPage struct {
	apptest.EnvelopeA
	Page       int            `json:"page"`
	Limit      int            `json:"limit"`
	Total      int            `json:"total"`
	TotalPages int            `json:"total_pages"`
	Items      []announcement `json:"items"`
}

var announcementKinds = map[string]string{"id": "integer", "title": "string", "content": "string", "created_at": "string", "is_read": "boolean"}

func TestAnnouncements(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		both := announce(t, h, map[i18n.Lang][2]string{i18n.EN: {"Hello", "<p>en</p>"}, i18n.ZH: {"你好", "<p>zh</p>"}}, false)
		zhOnly := announce(t, h, map[i18n.Lang][2]string{i18n.ZH: {"仅中文", "<p>只有中文</p>"}}, false)
		draft := announce(t, h, map[i18n.Lang][2]string{i18n.EN: {"Draft", "not yet"}}, true)
		deleted := announce(t, h, map[i18n.Lang][2]string{i18n.EN: {"Gone", "deleted"}, i18n.AR: {"ذهب", "محذوف"}}, false)
		if err := h.App.Content.DeleteAnnouncement(context.Background(), deleted); err != nil {
			t.Fatal(err)
		}
		me, other := h.Register(t, "ann-me@example.com"), h.Register(t, "ann-other@example.com")
		auth := apptest.Bearer(me.Access)

		list := h.Do(http.MethodGet, "/api/v1/announcements", nil, auth).Expect(t, 200, "")
		wantTypes(t, list.JSON, map[string]string{"status": "string", "message": "string", "page": "integer", "limit": "integer",
			"total": "integer", "total_pages": "integer", "items": "array"})
		page := apptest.Decode[announcementPage](t, list)
		if page.Status != "success" || page.Message != "OK" || page.Page != 1 || page.Limit != 20 ||
			page.Total != 2 || page.TotalPages != 1 {
			t.Fatalf("list head: %s", list.Body)
		}
		items := page.Items
		if len(items) != 2 || items[0].ID != zhOnly || items[1].ID != both {
			t.Fatalf("want the two published, newest first (%d, %d): %s", zhOnly, both, list.Body)
		}
		// The exact JSON kinds of each item, as raw objects.
		for _, it := range apptest.Decode[struct {
			Items []map[string]any `json:"items"`
		}](t, list).Items {
			wantTypes(t, it, announcementKinds)
		}
		for _, it := range items {
			if it.IsRead {
				t.Errorf("unread announcement listed as read: %+v", it)
			}
		}
		if got := items[1].CreatedAt; got != "2026-02-25T12:01:00Z" {
			t.Errorf("created_at (publication time) = %v", got)
		}

		// Language: lang beats Accept-Language; a missing translation falls
		// back to en, then to any language that has one.
		langCases := []struct {
			name, query, header string
			id                  int64
			title, content      string
		}{
			{"default en", "", "", both, "Hello", "<p>en</p>"},
			{"header zh", "", "zh-CN,zh;q=0.9", both, "你好", "<p>zh</p>"},
			{"header ar falls back to en", "", "ar-SA", both, "Hello", "<p>en</p>"},
			{"lang beats header", "?lang=zh", "ar", both, "你好", "<p>zh</p>"},
			{"lang case-insensitive", "?lang=ZH", "", both, "你好", "<p>zh</p>"},
			{"lang en beats header zh", "?lang=en", "zh", both, "Hello", "<p>en</p>"},
			{"empty lang is absent", "?lang=", "zh", both, "你好", "<p>zh</p>"},
			{"no en: any available", "?lang=ar", "", zhOnly, "仅中文", "<p>只有中文</p>"},
			{"no en, header en", "", "en-US", zhOnly, "仅中文", "<p>只有中文</p>"},
		}
		for _, tc := range langCases {
			t.Run(tc.name, func(t *testing.T) {
				hdr := []apptest.Header{apptest.Bearer(other.Access)}
				if tc.header != "" {
					hdr = append(hdr, apptest.Header{Name: "Accept-Language", Value: tc.header})
				}
				res := h.Do(http.MethodGet, "/api/v1/announcements"+tc.query, nil, hdr...).Expect(t, 200, "")
				var found *announcement
				for _, it := range apptest.Decode[announcementPage](t, res).Items {
					if it.ID == tc.id {
						found = &it
					}
				}
				if found == nil || found.Title != tc.title || found.Content != tc.content {
					t.Errorf("list item %d = %v, want %q / %q", tc.id, found, tc.title, tc.content)
				}
			})
		}
		for _, q := range []string{"?lang=fr", "?lang=zh-CN", "?lang=english"} {
			fields := usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/announcements"+q, nil, auth), 400, "VALIDATION_FAILED")
			if fields["lang"] == "" {
				t.Errorf("%s: no fields.lang", q)
			}
			usrExpectErr(t, h.Do(http.MethodGet, fmt.Sprintf("/api/v1/announcements/%d%s", both, q), nil, auth), 400, "VALIDATION_FAILED")
		}

		// Unread counts and read state are per user.
		count := func(acc apptest.Account) int {
			res := h.Do(http.MethodGet, "/api/v1/announcements/unread-count", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
			wantTypes(t, res.JSON, map[string]string{"status": "string", "message": "string", "count": "integer"})
			return apptest.Decode[struct {
				Count int `json:"count"`
			}](t, res).Count
		}
		if c := count(me); c != 2 {
			t.Fatalf("unread before reading = %v", c)
		}
		detail := h.Do(http.MethodGet, fmt.Sprintf("/api/v1/announcements/%d?lang=zh", both), nil, auth).Expect(t, 200, "")
		wantTypes(t, apptest.Data[map[string]any](t, detail), announcementKinds)
		shown := apptest.Decode[apptest.EnvelopeB[announcement]](t, detail)
		if data := shown.Data; shown.Status != "success" || data.Status != "published" || !data.IsRead || data.Title != "你好" ||
			data.ID != both {
			t.Fatalf("detail: %s", detail.Body)
		}
		h.Do(http.MethodGet, fmt.Sprintf("/api/v1/announcements/%d/", both), nil, auth).Expect(t, 200, "") // reading twice is fine
		if c, o := count(me), count(other); c != 1 || o != 2 {
			t.Fatalf("unread after my read: mine %v, other's %v", c, o)
		}
		readIn := func(acc apptest.Account) map[int64]any {
			got := map[int64]any{}
			for _, it := range apptest.Decode[announcementPage](t, h.Do(http.MethodGet, "/api/v1/announcements/", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")).Items {
				got[it.ID] = it.IsRead
			}
			return got
		}
		if mine, others := readIn(me), readIn(other); mine[both] != true || mine[zhOnly] != false || others[both] != false {
			t.Fatalf("read state: mine %v, other's %v", mine, others)
		}

		// Drafts, deleted, unknown and malformed ids are all 404.
		for _, id := range []string{strconv.FormatInt(draft, 10), strconv.FormatInt(deleted, 10), "999999", "abc", "0", "-1", "1.5",
			"99999999999999999999"} {
			t.Run("404 "+id, func(t *testing.T) {
				res := h.Do(http.MethodGet, "/api/v1/announcements/"+id, nil, auth)
				usrExpectErr(t, res, 404, "ANNOUNCEMENT_NOT_FOUND")
			})
		}
		zh := h.Do(http.MethodGet, fmt.Sprintf("/api/v1/announcements/%d?lang=zh", draft), nil, auth)
		if apptest.Decode[apptest.ErrorBody](t, zh).Message != i18n.ErrorMessage(i18n.ZH, "ANNOUNCEMENT_NOT_FOUND") {
			t.Errorf("lang=zh does not localize the error: %s", zh.Body)
		}
		if c := count(me); c != 1 {
			t.Fatalf("a 404 changed the unread count: %v", c)
		}

		// Authentication is required on all three.
		for _, p := range []string{"/api/v1/announcements", "/api/v1/announcements/unread-count", fmt.Sprintf("/api/v1/announcements/%d", both)} {
			usrExpectErr(t, h.Do(http.MethodGet, p, nil, apptest.Bearer("garbage")), 401, "UNAUTHORIZED")
		}
	})
}

func TestAnnouncementPagination(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		auth := apptest.Bearer(h.Register(t, "ann-pages@example.com").Access)
		// Nothing published (a draft only): total_pages is 0, items an empty array.
		announce(t, h, map[i18n.Lang][2]string{i18n.EN: {"Draft", "c"}}, true)
		res := h.Do(http.MethodGet, "/api/v1/announcements", nil, auth).Expect(t, 200, "")
		// items is an empty array, not null.
		if p := apptest.Decode[announcementPage](t, res); p.Total != 0 || p.TotalPages != 0 || p.Items == nil || len(p.Items) != 0 {
			t.Errorf("empty list: %s", res.Body)
		}
		var ids []int64
		for i := range 5 {
			ids = append(ids, announce(t, h, map[i18n.Lang][2]string{i18n.EN: {"N" + strconv.Itoa(i), "c"}}, false))
		}
		cases := []struct {
			query              string
			page, limit, pages int
			ids                []int64
		}{
			{"?limit=2", 1, 2, 3, []int64{ids[4], ids[3]}},
			{"?page=2&limit=2", 2, 2, 3, []int64{ids[2], ids[1]}},
			{"?page=3&limit=2", 3, 2, 3, []int64{ids[0]}},
			{"?page=4&limit=2", 4, 2, 3, nil},
			{"?limit=500", 1, 100, 1, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		}
		for _, tc := range cases {
			t.Run(tc.query, func(t *testing.T) {
				res := h.Do(http.MethodGet, "/api/v1/announcements"+tc.query, nil, auth).Expect(t, 200, "")
				p := apptest.Decode[announcementPage](t, res)
				var got []int64
				for _, it := range p.Items {
					got = append(got, it.ID)
				}
				if p.Page != tc.page || p.Limit != tc.limit || p.Total != 5 ||
					p.TotalPages != tc.pages || fmt.Sprint(got) != fmt.Sprint(tc.ids) {
					t.Errorf("got %s, want page %d limit %d pages %d ids %v", res.Body, tc.page, tc.limit, tc.pages, tc.ids)
				}
			})
		}
		for _, q := range []string{"?page=0", "?page=x", "?limit=0", "?limit=-3"} {
			usrExpectErr(t, h.Do(http.MethodGet, "/api/v1/announcements"+q, nil, auth), 400, "VALIDATION_FAILED")
		}
	})
}
