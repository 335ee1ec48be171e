package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/store"
)

// AnnouncementStatus is the state of an announcement (API.md §3.4.8):
// draft → published → deleted (soft). Only published announcements are
// visible to users.
type AnnouncementStatus string

// Announcement statuses.
const (
	Draft     AnnouncementStatus = "draft"
	Published AnnouncementStatus = "published"
	Deleted   AnnouncementStatus = "deleted"
)

// Translation is an announcement's text in one language.
type Translation struct {
	Title   string
	Content string
}

// Announcement is an announcement with its texts in every language
// (indexed by i18n.Lang; an empty Translation means "not translated").
type Announcement struct {
	ID          int64
	Status      AnnouncementStatus
	Texts       [langCount]Translation
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PublishedAt *time.Time
}

// In returns the texts in lang, else in English, else in the first language
// that has them (API.md §2.8). Title and content always come from the same
// language, so a reader never sees a mixed-language announcement.
func (a Announcement) In(lang i18n.Lang) Translation {
	if int(lang) < langCount && a.Texts[lang] != (Translation{}) {
		return a.Texts[lang]
	}
	for _, l := range Languages() {
		if a.Texts[l] != (Translation{}) {
			return a.Texts[l]
		}
	}
	return Translation{}
}

// UserAnnouncement is an announcement as one user sees it.
type UserAnnouncement struct {
	Announcement
	IsRead bool
}

const announcementColumns = `a.id, a.status, a.title_en, a.content_en, a.title_zh, a.content_zh, a.title_ar, a.content_ar,
	a.created_at, a.updated_at, a.published_at`

// announcementRow holds the scan destinations of announcementColumns and,
// for user lists, the user's read time.
type announcementRow struct {
	a                  Announcement
	enT, enC, zhT, zhC string
	arT, arC           string
	published, readAt  time.Time // zero: NULL
	dest               []any
}

func newAnnouncementRow(withRead bool) *announcementRow {
	r := &announcementRow{}
	r.dest = []any{&r.a.ID, &r.a.Status, &r.enT, &r.enC, &r.zhT, &r.zhC, &r.arT, &r.arC,
		store.TimeInto(&r.a.CreatedAt), store.TimeInto(&r.a.UpdatedAt), store.TimeInto(&r.published)}
	if withRead {
		r.dest = append(r.dest, store.TimeInto(&r.readAt))
	}
	return r
}

func (r *announcementRow) value() UserAnnouncement {
	a := r.a
	a.Texts[i18n.EN] = Translation{r.enT, r.enC}
	a.Texts[i18n.ZH] = Translation{r.zhT, r.zhC}
	a.Texts[i18n.AR] = Translation{r.arT, r.arC}
	if !r.published.IsZero() {
		t := r.published
		a.PublishedAt = &t
	}
	return UserAnnouncement{Announcement: a, IsRead: !r.readAt.IsZero()}
}

// checkTexts trims and validates an announcement's texts: every language
// given needs both a title and a content, and at least one language must be
// given.
func checkTexts(texts [langCount]Translation) ([langCount]Translation, error) {
	f := apperr.Fields{}
	given := 0
	for _, l := range Languages() {
		t := Translation{strings.TrimSpace(texts[l].Title), strings.TrimSpace(texts[l].Content)}
		texts[l] = t
		switch {
		case t == Translation{}:
			continue
		case t.Title == "":
			f.Add("title_"+l.String(), "is required when content_"+l.String()+" is given")
		case t.Content == "":
			f.Add("content_"+l.String(), "is required when title_"+l.String()+" is given")
		}
		given++
		if err := checkText(t.Title, maxContentBytes); err != nil {
			f.Add("title_"+l.String(), err.Error())
		} else if utf8.RuneCountInString(t.Title) > maxTitleRunes {
			f.Add("title_"+l.String(), fmt.Sprintf("must be at most %d characters", maxTitleRunes))
		}
		if err := checkText(t.Content, maxContentBytes); err != nil {
			f.Add("content_"+l.String(), err.Error())
		}
	}
	if given == 0 {
		f.Add("title_en", "at least one language needs a title and a content")
	}
	return texts, f.Err()
}

// CreateAnnouncement stores a draft (seeding tools and tests; operators go
// through the back office, which calls CreateAnnouncementTx).
func (s *Service) CreateAnnouncement(ctx context.Context, texts [langCount]Translation) (Announcement, error) {
	var a Announcement
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = s.CreateAnnouncementTx(ctx, tx, texts)
		return err
	})
	return a, err
}

// CreateAnnouncementTx stores a draft in the caller's transaction.
func (s *Service) CreateAnnouncementTx(ctx context.Context, tx *sql.Tx, texts [langCount]Translation) (Announcement, error) {
	texts, err := checkTexts(texts)
	if err != nil {
		return Announcement{}, err
	}
	now := s.now().UTC()
	a := Announcement{Status: Draft, Texts: texts, CreatedAt: now, UpdatedAt: now}
	err = tx.QueryRowContext(ctx, `INSERT INTO announcements (status, title_en, content_en, title_zh, content_zh,
		title_ar, content_ar, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		Draft, texts[i18n.EN].Title, texts[i18n.EN].Content, texts[i18n.ZH].Title, texts[i18n.ZH].Content,
		texts[i18n.AR].Title, texts[i18n.AR].Content, store.At(now)).Scan(&a.ID)
	if err != nil {
		return Announcement{}, fmt.Errorf("content: create announcement: %w", err)
	}
	return a, nil
}

// errDeletedAnnouncement: a deleted announcement is gone for users; it
// cannot be edited or published again.
func errDeletedAnnouncement(what string) error {
	return apperr.New(apperr.CodeInvalidState).WithDetails("A deleted announcement cannot be " + what)
}

// UpdateAnnouncementTx replaces an announcement's texts in place: a
// published one stays published under its id, and users who read it keep
// their read state (a correction is not a new announcement).
func (s *Service) UpdateAnnouncementTx(ctx context.Context, tx *sql.Tx, id int64, texts [langCount]Translation) (before, after Announcement, err error) {
	before, err = s.announcement(ctx, tx, id, true)
	if err != nil {
		return Announcement{}, Announcement{}, err
	}
	if before.Status == Deleted {
		return Announcement{}, Announcement{}, errDeletedAnnouncement("edited")
	}
	if texts, err = checkTexts(texts); err != nil {
		return Announcement{}, Announcement{}, err
	}
	after = before
	after.Texts, after.UpdatedAt = texts, s.now().UTC()
	if _, err := tx.ExecContext(ctx, `UPDATE announcements SET title_en = $1, content_en = $2, title_zh = $3, content_zh = $4,
		title_ar = $5, content_ar = $6, updated_at = $7 WHERE id = $8`, texts[i18n.EN].Title, texts[i18n.EN].Content,
		texts[i18n.ZH].Title, texts[i18n.ZH].Content, texts[i18n.AR].Title, texts[i18n.AR].Content, store.At(after.UpdatedAt), id); err != nil {
		return Announcement{}, Announcement{}, fmt.Errorf("content: update announcement %d: %w", id, err)
	}
	return before, after, nil
}

// PublishAnnouncement makes a draft visible (see PublishAnnouncementTx).
func (s *Service) PublishAnnouncement(ctx context.Context, id int64) (Announcement, error) {
	var a Announcement
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		_, a, err = s.PublishAnnouncementTx(ctx, tx, id)
		return err
	})
	return a, err
}

// PublishAnnouncementTx makes a draft visible. Publishing a published
// announcement changes nothing (its publication time stays); a deleted one
// cannot come back.
func (s *Service) PublishAnnouncementTx(ctx context.Context, tx *sql.Tx, id int64) (before, after Announcement, err error) {
	before, err = s.announcement(ctx, tx, id, true)
	if err != nil {
		return Announcement{}, Announcement{}, err
	}
	switch before.Status {
	case Deleted:
		return Announcement{}, Announcement{}, errDeletedAnnouncement("published")
	case Published:
		return before, before, nil
	}
	now := s.now().UTC()
	after = before
	after.Status, after.PublishedAt, after.UpdatedAt = Published, &now, now
	if _, err := tx.ExecContext(ctx, `UPDATE announcements SET status = $1, published_at = $2, updated_at = $2 WHERE id = $3`,
		Published, store.At(now), id); err != nil {
		return Announcement{}, Announcement{}, fmt.Errorf("content: publish announcement %d: %w", id, err)
	}
	return before, after, nil
}

// DeleteAnnouncement hides an announcement for good (see DeleteAnnouncementTx).
func (s *Service) DeleteAnnouncement(ctx context.Context, id int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		_, _, err := s.DeleteAnnouncementTx(ctx, tx, id)
		return err
	})
}

// DeleteAnnouncementTx hides an announcement for good (a soft delete: the
// row and the read states stay). Deleting twice is not an error.
func (s *Service) DeleteAnnouncementTx(ctx context.Context, tx *sql.Tx, id int64) (before, after Announcement, err error) {
	before, err = s.announcement(ctx, tx, id, true)
	if err != nil || before.Status == Deleted {
		return before, before, err
	}
	now := s.now().UTC()
	after = before
	after.Status, after.UpdatedAt = Deleted, now
	if _, err := tx.ExecContext(ctx, `UPDATE announcements SET status = $1, deleted_at = $2, updated_at = $2 WHERE id = $3`,
		Deleted, store.At(now), id); err != nil {
		return Announcement{}, Announcement{}, fmt.Errorf("content: delete announcement %d: %w", id, err)
	}
	return before, after, nil
}

// announcement reads one announcement in any status, locked for the rest of
// tx when lock is set.
func (s *Service) announcement(ctx context.Context, q store.Querier, id int64, lock bool) (Announcement, error) {
	suffix := ""
	if lock {
		suffix = s.db.ForUpdate()
	}
	row := newAnnouncementRow(false)
	err := q.QueryRowContext(ctx, `SELECT `+announcementColumns+` FROM announcements a WHERE a.id = $1`+suffix, id).Scan(row.dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return Announcement{}, ErrAnnouncementNotFound.WithDetails("No announcement has this id")
	}
	if err != nil {
		return Announcement{}, fmt.Errorf("content: read announcement %d: %w", id, err)
	}
	return row.value().Announcement, nil
}

// Announcement returns an announcement in any status (operators).
func (s *Service) Announcement(ctx context.Context, id int64) (Announcement, error) {
	return s.announcement(ctx, s.db.SQL, id, false)
}

// ListAnnouncements is one page of the announcements in every status (or
// one), newest first, for operators, and how many match.
func (s *Service) ListAnnouncements(ctx context.Context, status AnnouncementStatus, limit, offset int) ([]Announcement, int, error) {
	where, args := `1 = 1`, []any{}
	if status != "" {
		where, args = `a.status = $1`, append(args, status)
	}
	var total int
	if err := s.db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM announcements a WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("content: count announcements: %w", err)
	}
	n := len(args)
	list, err := s.announcements(ctx, `SELECT `+announcementColumns+` FROM announcements a WHERE `+where+
		fmt.Sprintf(` ORDER BY a.id DESC LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, limit, offset)...)
	return list, total, err
}

// AllAnnouncements lists announcements in every status, newest first, for
// operators.
func (s *Service) AllAnnouncements(ctx context.Context, limit int) ([]Announcement, error) {
	return s.announcements(ctx, `SELECT `+announcementColumns+` FROM announcements a ORDER BY a.id DESC LIMIT $1`, limit)
}

func (s *Service) announcements(ctx context.Context, query string, args ...any) ([]Announcement, error) {
	rows, err := s.db.SQL.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: list announcements: %w", err)
	}
	defer rows.Close()
	var out []Announcement
	for rows.Next() {
		row := newAnnouncementRow(false)
		if err := rows.Scan(row.dest...); err != nil {
			return nil, fmt.Errorf("content: list announcements: %w", err)
		}
		out = append(out, row.value().Announcement)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: list announcements: %w", err)
	}
	return out, nil
}

// Announcements is one page of the published announcements, newest
// publication first, with the user's read state, and the number of them.
func (s *Service) Announcements(ctx context.Context, userID int64, page, limit int) ([]UserAnnouncement, int, error) {
	var total int
	if err := s.db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM announcements WHERE status = $1`, Published).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("content: count announcements: %w", err)
	}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT `+announcementColumns+`, r.read_at FROM announcements a
		LEFT JOIN announcement_reads r ON r.announcement_id = a.id AND r.user_id = $1
		WHERE a.status = $2 ORDER BY a.published_at DESC, a.id DESC LIMIT $3 OFFSET $4`,
		userID, Published, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, fmt.Errorf("content: announcements for user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []UserAnnouncement{}
	for rows.Next() {
		row := newAnnouncementRow(true)
		if err := rows.Scan(row.dest...); err != nil {
			return nil, 0, fmt.Errorf("content: announcements for user %d: %w", userID, err)
		}
		out = append(out, row.value())
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("content: announcements for user %d: %w", userID, err)
	}
	return out, total, nil
}

// ReadAnnouncement returns a published announcement and records that the
// user has read it (the first read counts; later ones change nothing).
// Drafts, deleted and unknown ids are ANNOUNCEMENT_NOT_FOUND alike.
func (s *Service) ReadAnnouncement(ctx context.Context, userID, id int64) (UserAnnouncement, error) {
	row := newAnnouncementRow(false)
	err := s.db.SQL.QueryRowContext(ctx, `SELECT `+announcementColumns+` FROM announcements a WHERE a.id = $1 AND a.status = $2`,
		id, Published).Scan(row.dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return UserAnnouncement{}, ErrAnnouncementNotFound.WithDetails("No published announcement has this id")
	}
	if err != nil {
		return UserAnnouncement{}, fmt.Errorf("content: read announcement %d: %w", id, err)
	}
	// One statement, so concurrent first reads cannot conflict.
	if _, err := s.db.SQL.ExecContext(ctx, `INSERT INTO announcement_reads (user_id, announcement_id, read_at)
		VALUES ($1, $2, $3) ON CONFLICT (user_id, announcement_id) DO NOTHING`, userID, id, store.At(s.now())); err != nil {
		return UserAnnouncement{}, fmt.Errorf("content: mark announcement %d read: %w", id, err)
	}
	ua := row.value()
	ua.IsRead = true
	return ua, nil
}

// UnreadAnnouncements counts the published announcements the user has not
// read.
func (s *Service) UnreadAnnouncements(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM announcements a WHERE a.status = $1
		AND NOT EXISTS (SELECT 1 FROM announcement_reads r WHERE r.announcement_id = a.id AND r.user_id = $2)`,
		Published, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("content: count unread announcements of user %d: %w", userID, err)
	}
	return n, nil
}
