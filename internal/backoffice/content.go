package backoffice

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// Announcements, app versions, site texts and the partner link.
//
// Audit states keep short fields in clear (titles, versions, URLs) and long
// texts (announcement contents, site texts, release notes; up to 1 MiB each)
// as their length and SHA-256: enough to prove which text was live when,
// without copying documents into every audit row.

// auditedTarget is audited for an action whose target exists only once fn
// has made it (a create): fn names it.
func (s *Service) auditedTarget(ctx context.Context, e audit.Entry, fn func(tx *sql.Tx) (target string, before, after any, err error)) error {
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		target, before, after, err := fn(tx)
		if err != nil {
			return err
		}
		e.TargetID, e.Before, e.After = target, before, after
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("backoffice: %s %s: %w", e.Action, e.TargetType, err)
	}
	return nil
}

// textDigest is a long text in an audit state: nil when empty.
type textDigest struct {
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

func digest(text string) *textDigest {
	if text == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(text))
	return &textDigest{Bytes: len(text), SHA256: hex.EncodeToString(sum[:])}
}

type announcementText struct {
	Title   string      `json:"title"`
	Content *textDigest `json:"content"`
}

type announcementState struct {
	Status content.AnnouncementStatus  `json:"status"`
	Texts  map[string]announcementText `json:"texts"`
}

func announcementOf(a content.Announcement) announcementState {
	st := announcementState{Status: a.Status, Texts: map[string]announcementText{}}
	for _, l := range content.Languages() {
		if t := a.Texts[l]; t != (content.Translation{}) {
			st.Texts[l.String()] = announcementText{Title: t.Title, Content: digest(t.Content)}
		}
	}
	return st
}

func announcementEntry(action string, id int64) audit.Entry {
	return audit.Entry{Action: action, TargetType: "announcement", TargetID: fmt.Sprint(id)}
}

// Announcements lists announcements in every status (or one), newest first.
func (s *Service) Announcements(ctx context.Context, status content.AnnouncementStatus, limit, offset int) ([]content.Announcement, int, error) {
	return s.ContentDeps.Content.ListAnnouncements(ctx, status, limit, offset)
}

// Announcement returns one announcement in any status.
func (s *Service) Announcement(ctx context.Context, id int64) (content.Announcement, error) {
	return s.ContentDeps.Content.Announcement(ctx, id)
}

// CreateAnnouncement stores a draft.
func (s *Service) CreateAnnouncement(ctx context.Context, texts [3]content.Translation) (content.Announcement, error) {
	var a content.Announcement
	err := s.auditedTarget(ctx, audit.Entry{Action: "announcement.create", TargetType: "announcement"},
		func(tx *sql.Tx) (string, any, any, error) {
			var err error
			a, err = s.ContentDeps.Content.CreateAnnouncementTx(ctx, tx, texts)
			return fmt.Sprint(a.ID), nil, announcementOf(a), err
		})
	return a, err
}

// UpdateAnnouncement replaces an announcement's texts in place.
func (s *Service) UpdateAnnouncement(ctx context.Context, id int64, texts [3]content.Translation) (content.Announcement, error) {
	var a content.Announcement
	err := s.audited(ctx, announcementEntry("announcement.update", id), func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.ContentDeps.Content.UpdateAnnouncementTx(ctx, tx, id, texts)
		a = after
		return announcementOf(before), announcementOf(after), err
	})
	return a, err
}

// PublishAnnouncement makes a draft visible to users.
func (s *Service) PublishAnnouncement(ctx context.Context, id int64) (content.Announcement, error) {
	var a content.Announcement
	err := s.audited(ctx, announcementEntry("announcement.publish", id), func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.ContentDeps.Content.PublishAnnouncementTx(ctx, tx, id)
		a = after
		return announcementOf(before), announcementOf(after), err
	})
	return a, err
}

// DeleteAnnouncement hides an announcement for good (soft delete).
func (s *Service) DeleteAnnouncement(ctx context.Context, id int64) (content.Announcement, error) {
	var a content.Announcement
	err := s.audited(ctx, announcementEntry("announcement.delete", id), func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.ContentDeps.Content.DeleteAnnouncementTx(ctx, tx, id)
		a = after
		return announcementOf(before), announcementOf(after), err
	})
	return a, err
}

type appVersionState struct {
	Version      string                 `json:"version"`
	DownloadURL  string                 `json:"download_url"`
	ForceUpdate  bool                   `json:"force_update"`
	ReleaseNotes map[string]*textDigest `json:"release_notes"`
}

func appVersionOf(v *content.AppVersion) any {
	if v == nil {
		return nil
	}
	st := appVersionState{Version: v.Version, DownloadURL: v.DownloadURL, ForceUpdate: v.ForceUpdate, ReleaseNotes: map[string]*textDigest{}}
	for _, l := range content.Languages() {
		if d := digest(v.ReleaseNotes[l]); d != nil {
			st.ReleaseNotes[l.String()] = d
		}
	}
	return st
}

// AppVersion returns the configured version of a platform.
func (s *Service) AppVersion(ctx context.Context, p content.Platform) (content.AppVersion, error) {
	return s.ContentDeps.Content.AppVersion(ctx, p)
}

// SetAppVersion replaces the current version of v.Platform.
func (s *Service) SetAppVersion(ctx context.Context, v content.AppVersion) (content.AppVersion, error) {
	var out content.AppVersion
	err := s.audited(ctx, audit.Entry{Action: "app_version.set", TargetType: "app_version", TargetID: string(v.Platform)},
		func(tx *sql.Tx) (any, any, error) {
			before, after, err := s.ContentDeps.Content.SetAppVersionTx(ctx, tx, v)
			out = after
			return appVersionOf(before), appVersionOf(&after), err
		})
	return out, err
}

func siteOf(site content.Site) map[string]*textDigest {
	return map[string]*textDigest{string(content.CompanyIntro): digest(site.CompanyIntro),
		string(content.TermsOfService): digest(site.TermsOfService), string(content.PrivacyPolicy): digest(site.PrivacyPolicy)}
}

// SiteTexts returns the site texts configured in lang itself (no English
// fallback: what an operator edits).
func (s *Service) SiteTexts(ctx context.Context, lang i18n.Lang) (content.Site, error) {
	site, _, err := s.ContentDeps.Content.SiteTexts(ctx, s.DB.SQL, lang)
	return site, err
}

// SetSiteTexts replaces the given site texts of one language ("" removes
// one); the others stay.
func (s *Service) SetSiteTexts(ctx context.Context, lang i18n.Lang, texts map[content.SiteKey]string) (content.Site, error) {
	var out content.Site
	err := s.audited(ctx, audit.Entry{Action: "site_content.set", TargetType: "site_content", TargetID: lang.String()},
		func(tx *sql.Tx) (any, any, error) {
			before, after, err := s.ContentDeps.Content.SetSiteTextsTx(ctx, tx, lang, texts)
			out = after
			return siteOf(before), siteOf(after), err
		})
	return out, err
}

type partnerLinkState struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// PartnerLink returns the configured partner link (empty when none).
func (s *Service) PartnerLink(ctx context.Context) (content.PartnerLink, error) {
	return s.ContentDeps.Content.PartnerLink(ctx)
}

// SetPartnerLink configures the partner link; an empty one removes it.
func (s *Service) SetPartnerLink(ctx context.Context, p content.PartnerLink) (content.PartnerLink, error) {
	var out content.PartnerLink
	err := s.audited(ctx, audit.Entry{Action: "partner_link.set", TargetType: "partner_link", TargetID: "1"},
		func(tx *sql.Tx) (any, any, error) {
			before, after, err := s.ContentDeps.Content.SetPartnerLinkTx(ctx, tx, p)
			out = after
			return partnerLinkState(before), partnerLinkState(after), err
		})
	return out, err
}
