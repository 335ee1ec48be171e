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

// SiteTexts returns the site texts configured in lang itself, without the
// English fallback (what an operator edits), and when any was last changed
// (zero when none is configured).
func (s *Service) SiteTexts(ctx context.Context, q store.Querier, lang i18n.Lang) (Site, time.Time, error) {
	rows, err := q.QueryContext(ctx, `SELECT content_key, body, updated_at FROM site_content WHERE lang = $1`, lang.String())
	if err != nil {
		return Site{}, time.Time{}, fmt.Errorf("content: read %s site texts: %w", lang, err)
	}
	defer rows.Close()
	site, latest := Site{Lang: lang}, time.Time{}
	for rows.Next() {
		var (
			key  SiteKey
			body string
			at   time.Time
		)
		if err := rows.Scan(&key, &body, store.TimeInto(&at)); err != nil {
			return Site{}, time.Time{}, fmt.Errorf("content: read %s site texts: %w", lang, err)
		}
		if p := site.field(key); p != nil {
			*p = body
		}
		if at.After(latest) {
			latest = at
		}
	}
	if err := rows.Err(); err != nil {
		return Site{}, time.Time{}, fmt.Errorf("content: read %s site texts: %w", lang, err)
	}
	return site, latest, nil
}

// field is the text of key in the site, nil for an unknown key.
func (site *Site) field(key SiteKey) *string {
	switch key {
	case CompanyIntro:
		return &site.CompanyIntro
	case TermsOfService:
		return &site.TermsOfService
	case PrivacyPolicy:
		return &site.PrivacyPolicy
	}
	return nil
}

// SetSiteContent replaces one site text in one language (seeding tools and
// tests; operators go through the back office, which calls SetSiteTextsTx).
func (s *Service) SetSiteContent(ctx context.Context, key SiteKey, lang i18n.Lang, body string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		_, _, err := s.SetSiteTextsTx(ctx, tx, lang, map[SiteKey]string{key: body})
		return err
	})
}

// SetSiteTextsTx replaces some site texts of one language in the caller's
// transaction and returns that language's texts before and after; an empty
// text removes it (the language then falls back to English). Keys not in
// texts stay as they are.
func (s *Service) SetSiteTextsTx(ctx context.Context, tx *sql.Tx, lang i18n.Lang, texts map[SiteKey]string) (before, after Site, err error) {
	f := apperr.Fields{}
	for key, body := range texts {
		if _, ok := ParseSiteKey(string(key)); !ok {
			f.Add("key", "must be one of "+SiteKeyList())
		} else if err := checkText(body, maxSiteBytes); err != nil {
			f.Add(string(key), err.Error())
		}
	}
	if err := f.Err(); err != nil {
		return Site{}, Site{}, err
	}
	before, _, err = s.SiteTexts(ctx, tx, lang)
	if err != nil {
		return Site{}, Site{}, err
	}
	after = before
	now := store.At(s.now())
	for _, key := range SiteKeys() {
		body, ok := texts[key]
		if !ok {
			continue
		}
		if strings.TrimSpace(body) == "" {
			body = ""
			_, err = tx.ExecContext(ctx, `DELETE FROM site_content WHERE content_key = $1 AND lang = $2`, key, lang.String())
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO site_content (content_key, lang, body, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (content_key, lang) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
				key, lang.String(), body, now)
		}
		if err != nil {
			return Site{}, Site{}, fmt.Errorf("content: set site text %s (%s): %w", key, lang, err)
		}
		*after.field(key) = body
	}
	return before, after, nil
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
	return s.appVersion(ctx, s.db.SQL, p, false)
}

func (s *Service) appVersion(ctx context.Context, q store.Querier, p Platform, lock bool) (AppVersion, error) {
	suffix := ""
	if lock {
		suffix = s.db.ForUpdate()
	}
	v := AppVersion{Platform: p}
	err := q.QueryRowContext(ctx, `SELECT version, download_url, release_notes_en, release_notes_zh, release_notes_ar,
		force_update, updated_at FROM app_versions WHERE platform = $1`+suffix, string(p)).Scan(&v.Version, &v.DownloadURL,
		&v.ReleaseNotes[i18n.EN], &v.ReleaseNotes[i18n.ZH], &v.ReleaseNotes[i18n.AR], &v.ForceUpdate, store.TimeInto(&v.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return AppVersion{}, ErrAppVersionNotSet.WithDetails("No app version is configured for " + string(p))
	}
	if err != nil {
		return AppVersion{}, fmt.Errorf("content: %s app version: %w", p, err)
	}
	return v, nil
}

// SetAppVersion replaces the version of v.Platform (seeding tools and
// tests; operators go through the back office, which calls SetAppVersionTx).
func (s *Service) SetAppVersion(ctx context.Context, v AppVersion) (AppVersion, error) {
	var out AppVersion
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		_, out, err = s.SetAppVersionTx(ctx, tx, v)
		return err
	})
	return out, err
}

// SetAppVersionTx replaces the version of v.Platform in the caller's
// transaction and returns the version before (nil when none was set) and
// after. Release notes belong to a version, so notes not given are cleared
// rather than kept.
func (s *Service) SetAppVersionTx(ctx context.Context, tx *sql.Tx, v AppVersion) (before *AppVersion, after AppVersion, err error) {
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
		return nil, AppVersion{}, err
	}
	v.Platform, _ = ParsePlatform(string(v.Platform))
	switch prior, err := s.appVersion(ctx, tx, v.Platform, true); {
	case err == nil:
		before = &prior
	case !errors.Is(err, ErrAppVersionNotSet):
		return nil, AppVersion{}, err
	}
	v.UpdatedAt = s.now().UTC()
	_, err = tx.ExecContext(ctx, `INSERT INTO app_versions (platform, version, download_url, release_notes_en,
		release_notes_zh, release_notes_ar, force_update, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (platform) DO UPDATE SET version = excluded.version, download_url = excluded.download_url,
		release_notes_en = excluded.release_notes_en, release_notes_zh = excluded.release_notes_zh,
		release_notes_ar = excluded.release_notes_ar, force_update = excluded.force_update, updated_at = excluded.updated_at`,
		string(v.Platform), v.Version, v.DownloadURL, v.ReleaseNotes[i18n.EN], v.ReleaseNotes[i18n.ZH], v.ReleaseNotes[i18n.AR],
		v.ForceUpdate, store.At(v.UpdatedAt))
	if err != nil {
		return nil, AppVersion{}, fmt.Errorf("content: set %s app version: %w", v.Platform, err)
	}
	return before, v, nil
}

// PartnerLink is the partner shown in the app; both fields are "" when
// none is configured (the app then hides the link).
type PartnerLink struct {
	Name string
	URL  string
}

// PartnerLink returns the configured partner link, empty when there is none.
func (s *Service) PartnerLink(ctx context.Context) (PartnerLink, error) {
	return s.partnerLink(ctx, s.db.SQL)
}

func (s *Service) partnerLink(ctx context.Context, q store.Querier) (PartnerLink, error) {
	var p PartnerLink
	err := q.QueryRowContext(ctx, `SELECT name, url FROM partner_link WHERE id = 1`).Scan(&p.Name, &p.URL)
	if errors.Is(err, sql.ErrNoRows) {
		return PartnerLink{}, nil
	}
	if err != nil {
		return PartnerLink{}, fmt.Errorf("content: read partner link: %w", err)
	}
	return p, nil
}

// SetPartnerLink configures the partner link (seeding tools and tests;
// operators go through the back office, which calls SetPartnerLinkTx).
func (s *Service) SetPartnerLink(ctx context.Context, p PartnerLink) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		_, _, err := s.SetPartnerLinkTx(ctx, tx, p)
		return err
	})
}

// SetPartnerLinkTx configures the partner link in the caller's transaction
// and returns it before and after; an empty link (both fields "") removes
// it.
func (s *Service) SetPartnerLinkTx(ctx context.Context, tx *sql.Tx, p PartnerLink) (before, after PartnerLink, err error) {
	p.Name, p.URL = strings.TrimSpace(p.Name), strings.TrimSpace(p.URL)
	if p != (PartnerLink{}) {
		f := apperr.Fields{}
		if n := utf8.RuneCountInString(p.Name); p.Name == "" || n > maxNameRunes || checkText(p.Name, maxURLBytes) != nil {
			f.Add("name", fmt.Sprintf("must be 1–%d characters", maxNameRunes))
		}
		if err := checkURL(p.URL); err != nil {
			f.Add("url", err.Error())
		}
		if err := f.Err(); err != nil {
			return PartnerLink{}, PartnerLink{}, err
		}
	}
	// The row lock of a missing row guards nothing, but the link is one row
	// and writes are rare: last writer wins, each audited.
	if before, err = s.partnerLink(ctx, tx); err != nil {
		return PartnerLink{}, PartnerLink{}, err
	}
	if p == (PartnerLink{}) {
		_, err = tx.ExecContext(ctx, `DELETE FROM partner_link WHERE id = 1`)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO partner_link (id, name, url, updated_at) VALUES (1, $1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url, updated_at = excluded.updated_at`,
			p.Name, p.URL, store.At(s.now()))
	}
	if err != nil {
		return PartnerLink{}, PartnerLink{}, fmt.Errorf("content: set partner link: %w", err)
	}
	return before, p, nil
}
