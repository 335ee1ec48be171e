package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/store"
)

// SiteKey names a site text (GET /site-content).
type SiteKey string

// Site text keys.
const (
	CompanyIntro   SiteKey = "company_intro"
	TermsOfService SiteKey = "terms_of_service"
	PrivacyPolicy  SiteKey = "privacy_policy"
)

// SiteKeys lists the site text keys.
func SiteKeys() []SiteKey { return []SiteKey{CompanyIntro, TermsOfService, PrivacyPolicy} }

// ParseSiteKey accepts the name of a site text.
func ParseSiteKey(s string) (SiteKey, bool) {
	k := SiteKey(s)
	return k, slices.Contains(SiteKeys(), k)
}

// Site is the site texts in one language.
type Site struct {
	Lang           i18n.Lang
	CompanyIntro   string
	TermsOfService string
	PrivacyPolicy  string
}

// SiteContent returns the site texts in lang, each falling back to English
// on its own; a text configured in neither is "".
func (s *Service) SiteContent(ctx context.Context, lang i18n.Lang) (Site, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT content_key, lang, body FROM site_content`)
	if err != nil {
		return Site{}, fmt.Errorf("content: read site texts: %w", err)
	}
	defer rows.Close()
	texts := map[SiteKey]*[langCount]string{}
	for _, k := range SiteKeys() {
		texts[k] = new([langCount]string)
	}
	for rows.Next() {
		var (
			key        SiteKey
			code, body string
		)
		if err := rows.Scan(&key, &code, &body); err != nil {
			return Site{}, fmt.Errorf("content: read site texts: %w", err)
		}
		if l, ok := i18n.ParseLang(code); ok && texts[key] != nil {
			texts[key][l] = body
		}
	}
	if err := rows.Err(); err != nil {
		return Site{}, fmt.Errorf("content: read site texts: %w", err)
	}
	return Site{Lang: lang, CompanyIntro: inLang(*texts[CompanyIntro], lang),
		TermsOfService: inLang(*texts[TermsOfService], lang), PrivacyPolicy: inLang(*texts[PrivacyPolicy], lang)}, nil
}

// SetSiteContent replaces one site text in one language; an empty body
// removes it (the language then falls back to English).
func (s *Service) SetSiteContent(ctx context.Context, key SiteKey, lang i18n.Lang, body string) error {
	if _, ok := ParseSiteKey(string(key)); !ok {
		return apperr.Validation(map[string]string{"key": "must be one of " + SiteKeyList()})
	}
	if err := checkText(body, maxSiteBytes); err != nil {
		return apperr.Validation(map[string]string{"body": err.Error()})
	}
	if strings.TrimSpace(body) == "" {
		if _, err := s.db.SQL.ExecContext(ctx, `DELETE FROM site_content WHERE content_key = $1 AND lang = $2`, key, lang.String()); err != nil {
			return fmt.Errorf("content: remove site text %s (%s): %w", key, lang, err)
		}
		return nil
	}
	if _, err := s.db.SQL.ExecContext(ctx, `INSERT INTO site_content (content_key, lang, body, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (content_key, lang) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
		key, lang.String(), body, store.At(s.now())); err != nil {
		return fmt.Errorf("content: set site text %s (%s): %w", key, lang, err)
	}
	return nil
}

// SiteKeyList names the site text keys for a message: "a, b, c".
func SiteKeyList() string {
	names := make([]string, 0, len(SiteKeys()))
	for _, k := range SiteKeys() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// AppVersion is the current release of the app on one platform.
type AppVersion struct {
	Platform     Platform
	Version      string
	DownloadURL  string
	ReleaseNotes [langCount]string // by i18n.Lang; "" = not translated
	ForceUpdate  bool
	UpdatedAt    time.Time
}

// Notes returns the release notes in lang, falling back to English.
func (v AppVersion) Notes(lang i18n.Lang) string { return inLang(v.ReleaseNotes, lang) }

// AppVersion returns the configured version of platform, or
// APP_VERSION_NOT_CONFIGURED.
func (s *Service) AppVersion(ctx context.Context, p Platform) (AppVersion, error) {
	v := AppVersion{Platform: p}
	err := s.db.SQL.QueryRowContext(ctx, `SELECT version, download_url, release_notes_en, release_notes_zh, release_notes_ar,
		force_update, updated_at FROM app_versions WHERE platform = $1`, string(p)).Scan(&v.Version, &v.DownloadURL,
		&v.ReleaseNotes[i18n.EN], &v.ReleaseNotes[i18n.ZH], &v.ReleaseNotes[i18n.AR], &v.ForceUpdate, store.TimeInto(&v.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return AppVersion{}, ErrAppVersionNotSet.WithDetails("No app version is configured for " + string(p))
	}
	if err != nil {
		return AppVersion{}, fmt.Errorf("content: %s app version: %w", p, err)
	}
	return v, nil
}

// SetAppVersion replaces the version of v.Platform: release notes belong to
// a version, so notes not given are cleared rather than kept.
func (s *Service) SetAppVersion(ctx context.Context, v AppVersion) (AppVersion, error) {
	f := apperr.Fields{}
	if _, ok := ParsePlatform(string(v.Platform)); !ok {
		f.Add("platform", "must be ios or android")
	}
	if _, err := ParseVersion(v.Version); err != nil {
		f.Add("version", err.Error())
	}
	if err := checkURL(v.DownloadURL); err != nil {
		f.Add("download_url", err.Error())
	}
	for _, l := range Languages() {
		if err := checkText(v.ReleaseNotes[l], maxNotesBytes); err != nil {
			f.Add("release_notes_"+l.String(), err.Error())
		}
	}
	if err := f.Err(); err != nil {
		return AppVersion{}, err
	}
	v.Platform, _ = ParsePlatform(string(v.Platform))
	v.UpdatedAt = s.now().UTC()
	_, err := s.db.SQL.ExecContext(ctx, `INSERT INTO app_versions (platform, version, download_url, release_notes_en,
		release_notes_zh, release_notes_ar, force_update, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (platform) DO UPDATE SET version = excluded.version, download_url = excluded.download_url,
		release_notes_en = excluded.release_notes_en, release_notes_zh = excluded.release_notes_zh,
		release_notes_ar = excluded.release_notes_ar, force_update = excluded.force_update, updated_at = excluded.updated_at`,
		string(v.Platform), v.Version, v.DownloadURL, v.ReleaseNotes[i18n.EN], v.ReleaseNotes[i18n.ZH], v.ReleaseNotes[i18n.AR],
		v.ForceUpdate, store.At(v.UpdatedAt))
	if err != nil {
		return AppVersion{}, fmt.Errorf("content: set %s app version: %w", v.Platform, err)
	}
	return v, nil
}

// PartnerLink is the partner shown in the app; both fields are "" when
// none is configured (the app then hides the link).
type PartnerLink struct {
	Name string
	URL  string
}

// PartnerLink returns the configured partner link, empty when there is none.
func (s *Service) PartnerLink(ctx context.Context) (PartnerLink, error) {
	var p PartnerLink
	err := s.db.SQL.QueryRowContext(ctx, `SELECT name, url FROM partner_link WHERE id = 1`).Scan(&p.Name, &p.URL)
	if errors.Is(err, sql.ErrNoRows) {
		return PartnerLink{}, nil
	}
	if err != nil {
		return PartnerLink{}, fmt.Errorf("content: read partner link: %w", err)
	}
	return p, nil
}

// SetPartnerLink configures the partner link; an empty link (both fields
// "") removes it.
func (s *Service) SetPartnerLink(ctx context.Context, p PartnerLink) error {
	p.Name, p.URL = strings.TrimSpace(p.Name), strings.TrimSpace(p.URL)
	if p == (PartnerLink{}) {
		if _, err := s.db.SQL.ExecContext(ctx, `DELETE FROM partner_link WHERE id = 1`); err != nil {
			return fmt.Errorf("content: remove partner link: %w", err)
		}
		return nil
	}
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(p.Name); p.Name == "" || n > maxNameRunes || checkText(p.Name, maxURLBytes) != nil {
		f.Add("name", fmt.Sprintf("must be 1–%d characters", maxNameRunes))
	}
	if err := checkURL(p.URL); err != nil {
		f.Add("url", err.Error())
	}
	if err := f.Err(); err != nil {
		return err
	}
	if _, err := s.db.SQL.ExecContext(ctx, `INSERT INTO partner_link (id, name, url, updated_at) VALUES (1, $1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url, updated_at = excluded.updated_at`,
		p.Name, p.URL, store.At(s.now())); err != nil {
		return fmt.Errorf("content: set partner link: %w", err)
	}
	return nil
}
