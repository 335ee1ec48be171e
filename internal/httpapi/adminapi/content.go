package adminapi

import (
	"context"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// Announcements, app versions, site texts and the partner link.

// langTexts is one text per content language; absent languages are "".
type langTexts struct {
	EN *string `json:"en"`
	ZH *string `json:"zh"`
	AR *string `json:"ar"`
}

func (t *langTexts) in(l i18n.Lang) string {
	if t == nil {
		return ""
	}
	switch l {
	case i18n.ZH:
		return httpkit.Optional(t.ZH)
	case i18n.AR:
		return httpkit.Optional(t.AR)
	}
	return httpkit.Optional(t.EN)
}

// langView is langTexts as answered: every language, "" when absent.
type langView struct {
	EN string `json:"en"`
	ZH string `json:"zh"`
	AR string `json:"ar"`
}

type announcementView struct {
	ID          int64      `json:"id"`
	Status      string     `json:"status"`
	Title       langView   `json:"title"`
	Content     langView   `json:"content"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedAt *time.Time `json:"published_at"`
}

func viewAnnouncement(x content.Announcement) announcementView {
	v := announcementView{ID: x.ID, Status: string(x.Status), CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC()}
	v.Title = langView{x.Texts[i18n.EN].Title, x.Texts[i18n.ZH].Title, x.Texts[i18n.AR].Title}
	v.Content = langView{x.Texts[i18n.EN].Content, x.Texts[i18n.ZH].Content, x.Texts[i18n.AR].Content}
	if x.PublishedAt != nil {
		at := x.PublishedAt.UTC()
		v.PublishedAt = &at
	}
	return v
}

// readAnnouncementTexts decodes {title: {en, zh, ar}, content: {en, zh, ar}}.
func readAnnouncementTexts(r *http.Request) ([3]content.Translation, error) {
	var in struct {
		Title   *langTexts `json:"title"`
		Content *langTexts `json:"content"`
	}
	var texts [3]content.Translation
	if err := httpkit.Decode(r, &in); err != nil {
		return texts, err
	}
	for _, l := range content.Languages() {
		texts[l] = content.Translation{Title: in.Title.in(l), Content: in.Content.in(l)}
	}
	return texts, nil
}

// listAnnouncements: GET /admin/announcements?status=&page=&page_size=.
func (a *API) listAnnouncements(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	status := content.AnnouncementStatus(r.URL.Query().Get("status"))
	switch status {
	case "", content.Draft, content.Published, content.Deleted:
	default:
		return apperr.Validation(map[string]string{"status": "must be draft, published or deleted"})
	}
	list, total, err := a.Office.Announcements(r.Context(), status, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewAnnouncement, pageNo, size, total))
}

// createAnnouncement: POST /admin/announcements → a draft.
func (a *API) createAnnouncement(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	texts, err := readAnnouncementTexts(r)
	if err != nil {
		return err
	}
	x, err := a.Office.CreateAnnouncement(r.Context(), texts)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusCreated, viewAnnouncement(x))
}

// getAnnouncement: GET /admin/announcements/{id}.
func (a *API) getAnnouncement(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", content.ErrAnnouncementNotFound)
	if err != nil {
		return err
	}
	x, err := a.Office.Announcement(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewAnnouncement(x))
}

// updateAnnouncement: PUT /admin/announcements/{id}: the texts, replaced in
// place (a published announcement stays published).
func (a *API) updateAnnouncement(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", content.ErrAnnouncementNotFound)
	if err != nil {
		return err
	}
	texts, err := readAnnouncementTexts(r)
	if err != nil {
		return err
	}
	x, err := a.Office.UpdateAnnouncement(r.Context(), id, texts)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewAnnouncement(x))
}

// publishAnnouncement: POST /admin/announcements/{id}/publish.
func (a *API) publishAnnouncement(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	return a.announcementAction(w, r, a.Office.PublishAnnouncement)
}

// deleteAnnouncement: DELETE /admin/announcements/{id} (soft: users no
// longer see it; the row and read states stay).
func (a *API) deleteAnnouncement(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	return a.announcementAction(w, r, a.Office.DeleteAnnouncement)
}

// announcementAction serves the actions on one announcement that take no body.
func (a *API) announcementAction(w http.ResponseWriter, r *http.Request, act func(context.Context, int64) (content.Announcement, error)) error {
	id, err := pathID(r, "id", content.ErrAnnouncementNotFound)
	if err != nil {
		return err
	}
	x, err := act(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewAnnouncement(x))
}

type appVersionView struct {
	Platform     string    `json:"platform"`
	Version      string    `json:"version"`
	DownloadURL  string    `json:"download_url"`
	ForceUpdate  bool      `json:"force_update"`
	ReleaseNotes langView  `json:"release_notes"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func viewAppVersion(v content.AppVersion) appVersionView {
	return appVersionView{Platform: string(v.Platform), Version: v.Version, DownloadURL: v.DownloadURL, ForceUpdate: v.ForceUpdate,
		ReleaseNotes: langView{v.ReleaseNotes[i18n.EN], v.ReleaseNotes[i18n.ZH], v.ReleaseNotes[i18n.AR]}, UpdatedAt: v.UpdatedAt.UTC()}
}

func pathPlatform(r *http.Request) (content.Platform, error) {
	p, ok := content.ParsePlatform(r.PathValue("platform"))
	if !ok {
		return "", apperr.Validation(map[string]string{"platform": "must be ios or android"})
	}
	return p, nil
}

// getAppVersion: GET /admin/app-version/{platform}.
func (a *API) getAppVersion(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	p, err := pathPlatform(r)
	if err != nil {
		return err
	}
	v, err := a.Office.AppVersion(r.Context(), p)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewAppVersion(v))
}

// setAppVersion: PUT /admin/app-version/{platform} {version, download_url,
// force_update?, release_notes?}: the current release, replaced whole.
func (a *API) setAppVersion(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	p, err := pathPlatform(r)
	if err != nil {
		return err
	}
	var in struct {
		Version      *string    `json:"version"`
		DownloadURL  *string    `json:"download_url"`
		ForceUpdate  *bool      `json:"force_update"`
		ReleaseNotes *langTexts `json:"release_notes"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	v := content.AppVersion{Platform: p, Version: f.Required("version", in.Version), DownloadURL: f.Required("download_url", in.DownloadURL),
		ForceUpdate: in.ForceUpdate != nil && *in.ForceUpdate}
	if err := f.Err(); err != nil {
		return err
	}
	for _, l := range content.Languages() {
		v.ReleaseNotes[l] = in.ReleaseNotes.in(l)
	}
	v, err = a.Office.SetAppVersion(r.Context(), v)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewAppVersion(v))
}

type siteView struct {
	Lang           string     `json:"lang"`
	CompanyIntro   string     `json:"company_intro"`
	TermsOfService string     `json:"terms_of_service"`
	PrivacyPolicy  string     `json:"privacy_policy"`
	UpdatedAt      *time.Time `json:"updated_at"`
}

func pathLang(r *http.Request) (i18n.Lang, error) {
	l, ok := i18n.ParseLang(r.PathValue("lang"))
	if !ok {
		return l, apperr.Validation(map[string]string{"lang": "must be en, zh or ar"})
	}
	return l, nil
}

// getSiteContent: GET /admin/site-content/{lang}: the texts configured in
// that language itself (no English fallback).
func (a *API) getSiteContent(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	lang, err := pathLang(r)
	if err != nil {
		return err
	}
	site, err := a.Office.SiteTexts(r.Context(), lang)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, siteView{Lang: lang.String(), CompanyIntro: site.CompanyIntro,
		TermsOfService: site.TermsOfService, PrivacyPolicy: site.PrivacyPolicy})
}

// setSiteContent: PUT /admin/site-content/{lang} {company_intro?,
// terms_of_service?, privacy_policy?}: the texts given replace theirs ("" removes one).
func (a *API) setSiteContent(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	lang, err := pathLang(r)
	if err != nil {
		return err
	}
	var in struct {
		CompanyIntro   *string `json:"company_intro"`
		TermsOfService *string `json:"terms_of_service"`
		PrivacyPolicy  *string `json:"privacy_policy"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	texts := map[content.SiteKey]string{}
	for key, v := range map[content.SiteKey]*string{content.CompanyIntro: in.CompanyIntro,
		content.TermsOfService: in.TermsOfService, content.PrivacyPolicy: in.PrivacyPolicy} {
		if v != nil {
			texts[key] = *v
		}
	}
	if len(texts) == 0 {
		return apperr.Validation(map[string]string{"company_intro": "give at least one of company_intro, terms_of_service, privacy_policy"})
	}
	site, err := a.Office.SetSiteTexts(r.Context(), lang, texts)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, siteView{Lang: lang.String(), CompanyIntro: site.CompanyIntro,
		TermsOfService: site.TermsOfService, PrivacyPolicy: site.PrivacyPolicy})
}

type partnerLinkView struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// getPartnerLink: GET /admin/partner-link ("" fields when none).
func (a *API) getPartnerLink(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	p, err := a.Office.PartnerLink(r.Context())
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, partnerLinkView(p))
}

// setPartnerLink: PUT /admin/partner-link {name, url}; both "" removes it.
func (a *API) setPartnerLink(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	var in struct {
		Name *string `json:"name"`
		URL  *string `json:"url"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	if in.Name == nil || in.URL == nil {
		return apperr.Validation(map[string]string{"name": "name and url are required (both \"\" removes the link)"})
	}
	p, err := a.Office.SetPartnerLink(r.Context(), content.PartnerLink{Name: *in.Name, URL: *in.URL})
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, partnerLinkView(p))
}
