package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// Content pages: announcements (en/zh/ar side by side, previews rendered
// here), site texts per language, app versions and the partner link. Each
// calls the back-office method the admin API handler calls.

const contentPageSize = 20

// pager is a list's page links; the queries keep the list's filters.
type pager struct {
	Page, TotalPages int
	Prev, Next       string // "" when there is no such page
}

// pageNumber is the page asked for (1 when absent or wrong).
func pageNumber(r *http.Request) int {
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p > 1 {
		return p
	}
	return 1
}

func newPager(r *http.Request, page, total int) pager {
	p := pager{Page: page, TotalPages: max(1, (total+contentPageSize-1)/contentPageSize)}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.TotalPages {
		p.Next = link(page + 1)
	}
	return p
}

// pathInt64 is a positive id from the path, or errNotFound.
func pathInt64(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// refusal is the API's message for a domain refusal, or "" and the error
// itself for anything else.
func refusal(v *visit, err error) (string, error) {
	if e, ok := apperr.As(err); ok {
		return apiMessage(v.Lang, e), nil
	}
	return "", err
}

// reasonContext is the operator's context for a destructive action: the
// reason they gave goes into the audit row. A missing reason is refused.
func (c *Console) reasonContext(r *http.Request, v *visit) (ctx context.Context, msg string) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return nil, translate(v.Lang, "A reason is required.")
	}
	return audit.WithReason(c.actorContext(r, v), reason), ""
}

// langInfo names one content language for the templates.
type langInfo struct {
	Code  string // en, zh, ar
	Label string // English, 中文, العربية
	Dir   string // ltr or rtl
}

var contentLangs = []langInfo{{"en", "English", "ltr"}, {"zh", "中文", "ltr"}, {"ar", "العربية", "rtl"}}

func langOf(code string) langInfo {
	for _, l := range contentLangs {
		if l.Code == code {
			return l
		}
	}
	return contentLangs[0]
}

// ---- Announcements ----

type announcementRow struct {
	content.Announcement
	Title string   // the first language that has one
	Langs []string // the languages it has
}

type announcementsData struct {
	Items    []announcementRow
	Status   string
	Statuses []string
	Pager    pager
	Notice   string
	CanEdit  bool
}

func (c *Console) announcementsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	d := announcementsData{Status: r.URL.Query().Get("status"), Statuses: []string{"draft", "published", "deleted"}, Notice: r.URL.Query().Get("done"),
		CanEdit: mirror("POST /api/v1/admin/announcements").allowed(v.Principal.Role)}
	status := content.AnnouncementStatus(d.Status)
	switch status {
	case "", content.Draft, content.Published, content.Deleted:
	default:
		status, d.Status = "", ""
	}
	page := pageNumber(r)
	list, total, err := c.Office.Announcements(r.Context(), status, contentPageSize, (page-1)*contentPageSize)
	if err != nil {
		return err
	}
	for _, a := range list {
		row := announcementRow{Announcement: a}
		for _, l := range content.Languages() {
			if a.Texts[l].Title == "" {
				continue
			}
			if row.Title == "" {
				row.Title = a.Texts[l].Title
			}
			row.Langs = append(row.Langs, l.String())
		}
		d.Items = append(d.Items, row)
	}
	d.Pager = newPager(r, page, total)
	c.render(w, http.StatusOK, "content_announcements", v, d)
	return nil
}

// announcementText is one language's column of the editor.
type announcementText struct {
	langInfo
	Title, Content string
}

type announcementData struct {
	ID        int64 // 0 for a new one
	Status    string
	Published string
	Texts     []announcementText
	Preview   bool // the texts are the form's, not saved
	Error     string
	Notice    string
	Action    string // the editor form's target
}

func announcementTexts(texts [3]content.Translation) []announcementText {
	out := make([]announcementText, 0, 3)
	for _, l := range content.Languages() {
		out = append(out, announcementText{langInfo: langOf(l.String()), Title: texts[l].Title, Content: texts[l].Content})
	}
	return out
}

func formTexts(r *http.Request) [3]content.Translation {
	var texts [3]content.Translation
	for _, l := range content.Languages() {
		texts[l] = content.Translation{Title: r.PostFormValue("title_" + l.String()), Content: r.PostFormValue("content_" + l.String())}
	}
	return texts
}

func (c *Console) newAnnouncementPage(w http.ResponseWriter, _ *http.Request, v *visit) error {
	c.render(w, http.StatusOK, "content_announcement", v, announcementData{Texts: announcementTexts([3]content.Translation{}),
		Action: "/console/content/announcements"})
	return nil
}

func (c *Console) showAnnouncement(w http.ResponseWriter, r *http.Request, v *visit, id int64, status int, d announcementData) error {
	a, err := c.Office.Announcement(r.Context(), id)
	if errors.Is(err, content.ErrAnnouncementNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	d.ID, d.Status, d.Action = a.ID, string(a.Status), "/console/content/announcements/"+strconv.FormatInt(a.ID, 10)
	if a.PublishedAt != nil {
		d.Published = a.PublishedAt.In(v.TZ).Format("2006-01-02 15:04:05 MST")
	}
	if d.Texts == nil {
		d.Texts = announcementTexts(a.Texts)
	}
	c.render(w, status, "content_announcement", v, d)
	return nil
}

func (c *Console) announcementPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	return c.showAnnouncement(w, r, v, id, http.StatusOK, announcementData{Notice: r.URL.Query().Get("done")})
}

// saveAnnouncement creates (no id) or edits an announcement; the
// "preview" button shows the form's texts as the app would, saving nothing.
func (c *Console) saveAnnouncement(w http.ResponseWriter, r *http.Request, v *visit) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathInt64(r, "id"); err != nil {
			return err
		}
	}
	texts := formTexts(r)
	redisplay := func(status int, d announcementData) error {
		d.Texts = announcementTexts(texts)
		if id == 0 {
			d.Action = "/console/content/announcements"
			c.render(w, status, "content_announcement", v, d)
			return nil
		}
		return c.showAnnouncement(w, r, v, id, status, d)
	}
	if r.PostFormValue("op") == "preview" {
		return redisplay(http.StatusOK, announcementData{Preview: true})
	}
	var (
		a   content.Announcement
		err error
	)
	if id == 0 {
		a, err = c.Office.CreateAnnouncement(c.actorContext(r, v), texts)
	} else {
		a, err = c.Office.UpdateAnnouncement(c.actorContext(r, v), id, texts)
	}
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return redisplay(http.StatusBadRequest, announcementData{Error: msg})
	}
	http.Redirect(w, r, "/console/content/announcements/"+strconv.FormatInt(a.ID, 10)+"?done=saved", http.StatusSeeOther)
	return nil
}

func (c *Console) publishAnnouncement(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	_, err = c.Office.PublishAnnouncement(c.actorContext(r, v), id)
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return c.showAnnouncement(w, r, v, id, http.StatusBadRequest, announcementData{Error: msg})
	}
	http.Redirect(w, r, "/console/content/announcements/"+strconv.FormatInt(id, 10)+"?done=published", http.StatusSeeOther)
	return nil
}

// deleteAnnouncement is final (a deleted announcement cannot be edited or
// published again): the form asks for a reason and an explicit confirmation.
func (c *Console) deleteAnnouncement(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	ctx, msg := c.reasonContext(r, v)
	if msg == "" {
		_, err = c.Office.DeleteAnnouncement(ctx, id)
		if msg, err = refusal(v, err); err != nil {
			return err
		}
	}
	if msg != "" {
		return c.showAnnouncement(w, r, v, id, http.StatusBadRequest, announcementData{Error: msg})
	}
	http.Redirect(w, r, "/console/content/announcements?done=deleted", http.StatusSeeOther)
	return nil
}

// ---- Site texts ----

type siteField struct {
	Key, Label, Text string
}

type siteData struct {
	Lang   langInfo
	Langs  []langInfo
	Fields []siteField
	Error  string
	Notice string
}

var siteLabels = map[content.SiteKey]string{content.CompanyIntro: "Company introduction",
	content.TermsOfService: "Terms of service", content.PrivacyPolicy: "Privacy policy"}

func siteFields(s content.Site) []siteField {
	return []siteField{{string(content.CompanyIntro), siteLabels[content.CompanyIntro], s.CompanyIntro},
		{string(content.TermsOfService), siteLabels[content.TermsOfService], s.TermsOfService},
		{string(content.PrivacyPolicy), siteLabels[content.PrivacyPolicy], s.PrivacyPolicy}}
}

func siteLang(s string) i18n.Lang {
	if l, ok := i18n.ParseLang(s); ok {
		return l
	}
	return i18n.EN
}

func (c *Console) sitePage(w http.ResponseWriter, r *http.Request, v *visit) error {
	lang := siteLang(r.URL.Query().Get("lang"))
	site, err := c.Office.SiteTexts(r.Context(), lang)
	if err != nil {
		return err
	}
	c.render(w, http.StatusOK, "content_site", v, siteData{Lang: langOf(lang.String()), Langs: contentLangs,
		Fields: siteFields(site), Notice: r.URL.Query().Get("done")})
	return nil
}

func (c *Console) saveSite(w http.ResponseWriter, r *http.Request, v *visit) error {
	lang, ok := i18n.ParseLang(r.PathValue("lang"))
	if !ok {
		return errNotFound
	}
	texts := map[content.SiteKey]string{}
	for _, k := range content.SiteKeys() {
		texts[k] = r.PostFormValue(string(k))
	}
	_, err := c.Office.SetSiteTexts(c.actorContext(r, v), lang, texts)
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		site := content.Site{CompanyIntro: texts[content.CompanyIntro], TermsOfService: texts[content.TermsOfService],
			PrivacyPolicy: texts[content.PrivacyPolicy]}
		c.render(w, http.StatusBadRequest, "content_site", v, siteData{Lang: langOf(lang.String()), Langs: contentLangs,
			Fields: siteFields(site), Error: msg})
		return nil
	}
	http.Redirect(w, r, "/console/content/site?"+url.Values{"lang": {lang.String()}, "done": {"1"}}.Encode(), http.StatusSeeOther)
	return nil
}

// ---- App versions and the partner link ----

type appVersionForm struct {
	Platform    string
	Configured  bool
	Version     string
	DownloadURL string
	ForceUpdate bool
	Notes       []announcementText // Title unused; Content = the notes
	UpdatedAt   string
}

type appData struct {
	Versions      []appVersionForm
	Partner       content.PartnerLink
	CanSetPartner bool
	Error         string
	Notice        string
}

func appVersionFormOf(v content.AppVersion, tz func(content.AppVersion) string) appVersionForm {
	f := appVersionForm{Platform: string(v.Platform), Configured: v.Version != "", Version: v.Version, DownloadURL: v.DownloadURL,
		ForceUpdate: v.ForceUpdate}
	for _, l := range content.Languages() {
		f.Notes = append(f.Notes, announcementText{langInfo: langOf(l.String()), Content: v.ReleaseNotes[l]})
	}
	if f.Configured {
		f.UpdatedAt = tz(v)
	}
	return f
}

func (c *Console) showApp(w http.ResponseWriter, r *http.Request, v *visit, status int, d appData, edited *content.AppVersion) error {
	when := func(x content.AppVersion) string { return x.UpdatedAt.In(v.TZ).Format("2006-01-02 15:04:05 MST") }
	for _, p := range []content.Platform{content.IOS, content.Android} {
		var cur content.AppVersion
		if edited != nil && edited.Platform == p {
			cur = *edited
		} else {
			var err error
			cur, err = c.Office.AppVersion(r.Context(), p)
			if errors.Is(err, content.ErrAppVersionNotSet) {
				cur, err = content.AppVersion{Platform: p}, nil
			}
			if err != nil {
				return err
			}
		}
		d.Versions = append(d.Versions, appVersionFormOf(cur, when))
	}
	if d.CanSetPartner = mirror("GET /api/v1/admin/partner-link").allowed(v.Principal.Role); d.CanSetPartner && d.Partner == (content.PartnerLink{}) {
		p, err := c.Office.PartnerLink(r.Context())
		if err != nil {
			return err
		}
		d.Partner = p
	}
	c.render(w, status, "content_app", v, d)
	return nil
}

func (c *Console) appPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.showApp(w, r, v, http.StatusOK, appData{Notice: r.URL.Query().Get("done")}, nil)
}

func (c *Console) saveAppVersion(w http.ResponseWriter, r *http.Request, v *visit) error {
	p, ok := content.ParsePlatform(r.PathValue("platform"))
	if !ok {
		return errNotFound
	}
	in := content.AppVersion{Platform: p, Version: strings.TrimSpace(r.PostFormValue("version")),
		DownloadURL: strings.TrimSpace(r.PostFormValue("download_url")), ForceUpdate: r.PostFormValue("force_update") == "on"}
	for _, l := range content.Languages() {
		in.ReleaseNotes[l] = r.PostFormValue("notes_" + l.String())
	}
	_, err := c.Office.SetAppVersion(c.actorContext(r, v), in)
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return c.showApp(w, r, v, http.StatusBadRequest, appData{Error: msg}, &in)
	}
	http.Redirect(w, r, "/console/content/app?done=1", http.StatusSeeOther)
	return nil
}

func (c *Console) savePartnerLink(w http.ResponseWriter, r *http.Request, v *visit) error {
	p := content.PartnerLink{Name: strings.TrimSpace(r.PostFormValue("name")), URL: strings.TrimSpace(r.PostFormValue("url"))}
	_, err := c.Office.SetPartnerLink(c.actorContext(r, v), p)
	if msg, err := refusal(v, err); err != nil {
		return err
	} else if msg != "" {
		return c.showApp(w, r, v, http.StatusBadRequest, appData{Error: msg, Partner: p}, nil)
	}
	http.Redirect(w, r, "/console/content/app?done=1", http.StatusSeeOther)
	return nil
}
