package console

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// layoutData is what every page template receives.
type layoutData struct {
	V    *visit
	Nav  []navItem
	Page any
}

var templateFuncs = template.FuncMap{
	"t": translate,
	// when shows a time in the operator's time zone; the zero time is "—".
	"when": func(tz *time.Location, t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(tz).Format("2006-01-02 15:04:05 MST")
	},
	"add": func(a, b int) int { return a + b },
}

// parseTemplates builds one template set per page: the layout plus the page.
func (c *Console) parseTemplates() error {
	names, err := fs.Glob(templateFiles, "templates/page_*.html")
	if err != nil {
		return err
	}
	for _, file := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(path.Base(file), "page_"), ".html")
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", file)
		if err != nil {
			return err
		}
		c.pages[name] = t
	}
	return nil
}

// render writes a page. It renders into a buffer first, so a template
// failure becomes a clean error page instead of half a page.
func (c *Console) render(w http.ResponseWriter, status int, name string, v *visit, page any) {
	var nav []navItem
	if v.SignedIn {
		for _, item := range navigation {
			if item.access.allowed(v.Principal.Role) {
				nav = append(nav, item)
			}
		}
	}
	var buf bytes.Buffer
	t, ok := c.pages[name]
	if !ok {
		c.Log.Error("console: no template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, layoutData{V: v, Nav: nav, Page: page}); err != nil {
		c.Log.Error("console: render", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// apiMessage is the API's localized message for a refusal, with its
// details (which name the field or the rule) when there are any.
func apiMessage(lang string, e *apperr.Error) string {
	l := i18n.EN
	if lang == "zh" {
		l = i18n.ZH
	}
	msg := i18n.ErrorMessage(l, e.Code)
	for field, why := range e.Fields {
		msg += " · " + field + ": " + why
	}
	if e.Details != "" {
		msg += " (" + e.Details + ")"
	}
	return msg
}
