package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// contentLang reads the `lang` query parameter of the content endpoints
// (API.md §1.4): en, zh or ar, case-insensitive, overriding Accept-Language.
// Absent or empty means "use the header"; anything else is
// VALIDATION_FAILED rather than a silent English answer, so a client bug
// shows. The chosen language becomes the answer's, so the response's
// message and any error text are in the same language as the content.
func contentLang(r *http.Request) (i18n.Lang, error) {
	v := strings.TrimSpace(r.URL.Query().Get("lang"))
	if v == "" {
		return httpkit.Lang(r), nil
	}
	lang, ok := i18n.ParseLang(v)
	if !ok {
		return httpkit.Lang(r), apperr.Validation(map[string]string{"lang": "must be en, zh or ar"})
	}
	httpkit.AnswerIn(r, lang)
	return lang, nil
}

// announcementJSON is an announcement of the list; the detail adds status.
// created_at is the publication time: the moment users could first see it,
// which is also the list's order.
type announcementJSON struct {
	ID        int64                       `json:"id"`
	Title     string                      `json:"title"`
	Content   string                      `json:"content"`
	Status    *content.AnnouncementStatus `json:"status,omitempty"`
	CreatedAt string                      `json:"created_at"`
	IsRead    bool                        `json:"is_read"`
}

func toAnnouncementJSON(a content.UserAnnouncement, lang i18n.Lang) announcementJSON {
	t := a.In(lang)
	created := a.CreatedAt
	if a.PublishedAt != nil {
		created = *a.PublishedAt
	}
	return announcementJSON{ID: a.ID, Title: t.Title, Content: t.Content, CreatedAt: rfc3339(created), IsRead: a.IsRead}
}

// listAnnouncements serves GET /announcements.
func (s *Server) listAnnouncements(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	lang, err := contentLang(r)
	if err != nil {
		return err
	}
	page, limit, err := httpkit.PageParams(r, "limit")
	if err != nil {
		return err
	}
	list, total, err := s.Content.Announcements(r.Context(), p.UserID, page, limit)
	if err != nil {
		return err
	}
	items := make([]announcementJSON, 0, len(list))
	for _, a := range list {
		items = append(items, toAnnouncementJSON(a, lang))
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Page       int                `json:"page"`
		Limit      int                `json:"limit"`
		Total      int                `json:"total"`
		TotalPages int                `json:"total_pages"`
		Items      []announcementJSON `json:"items"`
	}{httpkit.OKA(r, "OK"), page, limit, total, httpkit.TotalPages(total, limit), items})
	return nil
}

// getAnnouncement serves GET /announcements/{id} and marks it read. An id
// that is not a positive integer names no announcement: 404, like an
// unknown one.
func (s *Server) getAnnouncement(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	lang, err := contentLang(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return content.ErrAnnouncementNotFound.WithDetails("The announcement id must be a positive integer")
	}
	a, err := s.Content.ReadAnnouncement(r.Context(), p.UserID, id)
	if err != nil {
		return err
	}
	data := toAnnouncementJSON(a, lang)
	data.Status = &a.Status
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", data))
	return nil
}

// announcementUnreadCount serves GET /announcements/unread-count.
func (s *Server) announcementUnreadCount(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	n, err := s.Content.UnreadAnnouncements(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Count int `json:"count"`
	}{httpkit.OKA(r, "OK"), n})
	return nil
}

// siteContent serves GET /site-content (public).
func (s *Server) siteContent(w http.ResponseWriter, r *http.Request) error {
	lang, err := contentLang(r)
	if err != nil {
		return err
	}
	site, err := s.Content.SiteContent(r.Context(), lang)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Lang           string `json:"lang"`
		CompanyIntro   string `json:"company_intro"`
		TermsOfService string `json:"terms_of_service"`
		PrivacyPolicy  string `json:"privacy_policy"`
	}{site.Lang.String(), site.CompanyIntro, site.TermsOfService, site.PrivacyPolicy}))
	return nil
}

// appVersion serves GET /app-version (public: the app calls it first, often
// with a stale token, so the Authorization header is never looked at).
func (s *Server) appVersion(w http.ResponseWriter, r *http.Request) error {
	lang, err := contentLang(r)
	if err != nil {
		return err
	}
	platform, ok := content.ParsePlatform(r.URL.Query().Get("platform"))
	if !ok {
		return apperr.Validation(map[string]string{"platform": "must be ios or android"})
	}
	v, err := s.Content.AppVersion(r.Context(), platform)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Platform     string `json:"platform"`
		Version      string `json:"version"`
		DownloadURL  string `json:"download_url"`
		ReleaseNotes string `json:"release_notes"`
		ForceUpdate  bool   `json:"force_update"`
		UpdatedAt    string `json:"updated_at"`
	}{string(v.Platform), v.Version, v.DownloadURL, v.Notes(lang), v.ForceUpdate, rfc3339(v.UpdatedAt)}))
	return nil
}

// partnerLink serves GET /partner-link: never 404, "" fields when none is
// configured.
func (s *Server) partnerLink(w http.ResponseWriter, r *http.Request, _ account.Principal) error {
	link, err := s.Content.PartnerLink(r.Context())
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Name string `json:"name"`
		URL  string `json:"url"`
	}{httpkit.OKA(r, "OK"), link.Name, link.URL})
	return nil
}
