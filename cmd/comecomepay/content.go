package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

const contentUsage = `usage:
  comecomepay content announce create --title-en T --content-en C [--title-zh T --content-zh C] [--title-ar T --content-ar C] [--publish]
  comecomepay content announce publish ID | delete ID | list
  comecomepay content site set KEY LANG FILE|-
  comecomepay content app-version set PLATFORM VERSION DOWNLOAD_URL [--force] [--notes-en N] [--notes-zh N] [--notes-ar N]
  comecomepay content partner-link set NAME URL | clear
KEY: company_intro, terms_of_service or privacy_policy; LANG: en, zh or ar; PLATFORM: ios or android;
VERSION: MAJOR.MINOR.PATCH; URLs: absolute https. FILE "-" reads standard input; an empty text removes it.
Text flag values starting with @ are read from the named file (@- reads standard input).`

// contentAction is a parsed content command, run against the back office.
type contentAction func(ctx context.Context, office *backoffice.Service, out io.Writer) error

// contentCmd edits the app's content (announcements, site texts, app
// versions, partner link) from a server's shell, through the same
// back-office actions as the admin API, audited as actor cli. Input is
// parsed and files are read before the database is opened, so a typo fails
// fast and touches nothing.
func contentCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	action, err := parseContent(args, stdin)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	return cliError(action(audit.WithActor(ctx, audit.CLI()), a.Office, stdout))
}

func parseContent(args []string, stdin io.Reader) (contentAction, error) {
	if len(args) < 2 {
		return nil, errors.New(contentUsage)
	}
	switch args[0] + " " + args[1] {
	case "announce create":
		return parseAnnounceCreate(args[2:], stdin)
	case "announce publish", "announce delete":
		if len(args) != 3 {
			return nil, errors.New(contentUsage)
		}
		id, err := strconv.ParseInt(args[2], 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("ID %q is not a positive integer", args[2])
		}
		if args[1] == "delete" {
			return func(ctx context.Context, office *backoffice.Service, out io.Writer) error {
				if _, err := office.DeleteAnnouncement(ctx, id); err != nil {
					return err
				}
				fmt.Fprintf(out, "announcement %d deleted\n", id)
				return nil
			}, nil
		}
		return func(ctx context.Context, office *backoffice.Service, out io.Writer) error {
			a, err := office.PublishAnnouncement(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "announcement %d published at %s\n", id, a.PublishedAt.Format("2006-01-02T15:04:05Z"))
			return nil
		}, nil
	case "announce list":
		if len(args) != 2 {
			return nil, errors.New(contentUsage)
		}
		return listAnnouncements, nil
	case "site set":
		return parseSiteSet(args[2:], stdin)
	case "app-version set":
		return parseAppVersionSet(args[2:], stdin)
	case "partner-link set":
		if len(args) != 4 {
			return nil, errors.New(contentUsage)
		}
		link := content.PartnerLink{Name: args[2], URL: args[3]}
		return func(ctx context.Context, office *backoffice.Service, out io.Writer) error {
			if link.Name == "" && link.URL == "" {
				return errors.New("NAME and URL are required (use `content partner-link clear` to remove the link)")
			}
			if _, err := office.SetPartnerLink(ctx, link); err != nil {
				return err
			}
			fmt.Fprintf(out, "partner link set: %s <%s>\n", link.Name, link.URL)
			return nil
		}, nil
	case "partner-link clear":
		if len(args) != 2 {
			return nil, errors.New(contentUsage)
		}
		return func(ctx context.Context, office *backoffice.Service, out io.Writer) error {
			if _, err := office.SetPartnerLink(ctx, content.PartnerLink{}); err != nil {
				return err
			}
			fmt.Fprintln(out, "partner link removed")
			return nil
		}, nil
	}
	return nil, errors.New(contentUsage)
}

func parseAnnounceCreate(args []string, stdin io.Reader) (contentAction, error) {
	fs := newFlagSet("announce create")
	var titles, bodies [3]string
	for _, l := range content.Languages() {
		fs.StringVar(&titles[l], "title-"+l.String(), "", "title in "+l.String())
		fs.StringVar(&bodies[l], "content-"+l.String(), "", "content (HTML) in "+l.String()+"; @FILE reads a file")
	}
	publish := fs.Bool("publish", false, "publish at once instead of creating a draft")
	if pos, err := parseInterspersed(fs, args); err != nil || len(pos) != 0 {
		return nil, usageError(err)
	}
	var texts [3]content.Translation
	for _, l := range content.Languages() {
		body, err := readText(bodies[l], stdin)
		if err != nil {
			return nil, fmt.Errorf("--content-%s: %w", l, err)
		}
		texts[l] = content.Translation{Title: titles[l], Content: body}
	}
	return func(ctx context.Context, office *backoffice.Service, out io.Writer) error {
		a, err := office.CreateAnnouncement(ctx, texts)
		if err != nil {
			return err
		}
		if *publish {
			if a, err = office.PublishAnnouncement(ctx, a.ID); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "announcement %d created (%s)\n", a.ID, a.Status)
		return nil
	}, nil
}

func listAnnouncements(ctx context.Context, office *backoffice.Service, out io.Writer) error {
	list, _, err := office.Announcements(ctx, "", 200, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%-6s %-10s %-20s %-8s  %s\n", "ID", "STATUS", "PUBLISHED", "LANGS", "TITLE")
	for _, a := range list {
		published := "-"
		if a.PublishedAt != nil {
			published = a.PublishedAt.Format("2006-01-02T15:04:05Z")
		}
		var langs []string
		for _, l := range content.Languages() {
			if a.Texts[l] != (content.Translation{}) {
				langs = append(langs, l.String())
			}
		}
		fmt.Fprintf(out, "%-6d %-10s %-20s %-8s  %s\n", a.ID, a.Status, published, strings.Join(langs, ","), a.In(i18n.EN).Title)
	}
	return nil
}

func parseSiteSet(args []string, stdin io.Reader) (contentAction, error) {
	if len(args) != 3 {
		return nil, errors.New(contentUsage)
	}
	key, ok := content.ParseSiteKey(args[0])
	if !ok {
		return nil, fmt.Errorf("KEY %q: want one of %s", args[0], content.SiteKeyList())
	}
	lang, err := parseLangArg(args[1])
	if err != nil {
		return nil, err
	}
	// FILE "-" becomes "@-": standard input.
	body, err := readText("@"+args[2], stdin)
	if err != nil {
		return nil, fmt.Errorf("FILE: %w", err)
	}
	return func(ctx context.Context, office *backoffice.Service, out io.Writer) error {
		if _, err := office.SetSiteTexts(ctx, lang, map[content.SiteKey]string{key: body}); err != nil {
			return err
		}
		if strings.TrimSpace(body) == "" {
			fmt.Fprintf(out, "%s (%s) removed\n", key, lang)
		} else {
			fmt.Fprintf(out, "%s (%s) set: %d bytes\n", key, lang, len(body))
		}
		return nil
	}, nil
}

func parseAppVersionSet(args []string, stdin io.Reader) (contentAction, error) {
	fs := newFlagSet("app-version set")
	force := fs.Bool("force", false, "users below this version must update")
	var notes [3]string
	for _, l := range content.Languages() {
		fs.StringVar(&notes[l], "notes-"+l.String(), "", "release notes in "+l.String()+"; @FILE reads a file")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil || len(pos) != 3 {
		return nil, usageError(err)
	}
	platform, ok := content.ParsePlatform(pos[0])
	if !ok {
		return nil, fmt.Errorf("PLATFORM %q: want ios or android", pos[0])
	}
	if _, err := content.ParseVersion(pos[1]); err != nil {
		return nil, fmt.Errorf("VERSION: %w", err)
	}
	v := content.AppVersion{Platform: platform, Version: pos[1], DownloadURL: pos[2], ForceUpdate: *force}
	for _, l := range content.Languages() {
		if v.ReleaseNotes[l], err = readText(notes[l], stdin); err != nil {
			return nil, fmt.Errorf("--notes-%s: %w", l, err)
		}
	}
	return func(ctx context.Context, office *backoffice.Service, out io.Writer) error {
		v, err := office.SetAppVersion(ctx, v)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s version set to %s (force_update %t)\n", v.Platform, v.Version, v.ForceUpdate)
		return nil
	}, nil
}

func parseLangArg(s string) (i18n.Lang, error) {
	l, ok := i18n.ParseLang(s)
	if !ok {
		return l, fmt.Errorf("LANG %q: want en, zh or ar", s)
	}
	return l, nil
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned with the usage instead
	return fs
}

// parseInterspersed parses flags placed anywhere among the positional
// arguments (the flag package stops at the first positional one), so
// `set ios 1.2.0 URL --force` and `set --force ios 1.2.0 URL` both work.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func usageError(err error) error {
	if err != nil {
		return fmt.Errorf("%w\n%s", err, contentUsage)
	}
	return errors.New(contentUsage)
}

// readText returns v, or the contents of the file named after a leading @
// ("@-" is standard input).
func readText(v string, stdin io.Reader) (string, error) {
	name, ok := strings.CutPrefix(v, "@")
	if !ok {
		return v, nil
	}
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	return string(b), err
}

// cliError spells out a domain error for an operator: the fields of a
// validation failure, else the code and its details.
func cliError(err error) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	if len(e.Fields) == 0 {
		return errors.New(e.Error())
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return errors.New("invalid input: " + strings.Join(parts, "; "))
}
