package console_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
)

// chromiumPath finds Debian's chromium (or the browser named by
// COMECOMEPAY_CHROMIUM); the browser tests skip, saying why, without one.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("COMECOMEPAY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("console browser tests skipped: no Chromium found (Debian: apt-get install chromium; .ci/run installs it)")
	return ""
}

// site is a running service and a headless browser pointed at it.
type site struct {
	t    *testing.T
	h    *apptest.Harness
	base string
	ctx  context.Context

	mu     sync.Mutex
	errors []string // browser console errors (CSP violations included)
	// refused are pages a test opens expecting a 4xx: the browser logs
	// their status as a network error, which is then no fault of the page.
	refused map[string]bool
}

// expectRefusal marks a console path the test opens to see it refused.
func (s *site) expectRefusal(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[s.base+path] = true
}

// newSite starts the service (with the harness options given) and a browser.
func newSite(t *testing.T, options ...apptest.Option) *site {
	t.Helper()
	path := chromiumPath(t)
	h := apptest.New(t, store.SQLite, options...)
	srv := httptest.NewServer(h.App.Handler)
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	s := &site{t: t, h: h, base: srv.URL, ctx: ctx, refused: map[string]bool{}}
	// Start the browser, then listen to its console for the whole test.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == "error" || m.IsException() {
				s.mu.Lock()
				if !(m.Source == "network" && s.refused[m.URL]) {
					s.errors = append(s.errors, m.String()+" ("+m.URL+")")
				}
				s.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, e := range s.errors {
			t.Errorf("browser console error: %s", e)
		}
	})
	return s
}

func (s *site) do(steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, steps...); err != nil {
		s.t.Fatalf("browser: %v", err)
	}
}

func (s *site) text(sel string) string {
	s.t.Helper()
	return read(s, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// read runs a read-only action, again if a navigation that a click started
// replaced the document under it ("Inspected target navigated or closed"):
// a read is safe to repeat, unlike an action.
func read[T any](s *site, what string, a chromedp.Action[T]) T {
	s.t.Helper()
	for attempt := 0; ; attempt++ {
		v, err := chromedp.Run(s.ctx, a)
		if err == nil {
			return v
		}
		if attempt == 10 || !strings.Contains(err.Error(), "navigated or closed") {
			s.t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *site) location() string {
	s.t.Helper()
	return strings.TrimPrefix(read(s, "location", chromedp.Location()), s.base)
}

// checkPage saves the page at 1440×900 and 800 px wide, and checks what every
// page must hold: no sideways scrolling at 800 px, a label for every input,
// every action a real link or button (reachable by keyboard).
func (s *site) checkPage(name string) {
	s.t.Helper()
	dir := filepath.Join("screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.t.Fatal(err)
	}
	for _, width := range []int64{1440, 800} {
		s.do(chromedp.EmulateViewport(width, 900))
		shot, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			s.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+strconv.FormatInt(width, 10)+".png"), shot, 0o644); err != nil {
			s.t.Fatal(err)
		}
		if width == 800 {
			wide, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](
				"document.documentElement.scrollWidth > document.documentElement.clientWidth"))
			if err != nil || wide {
				s.t.Errorf("%s scrolls sideways at 800 px (err %v)", name, err)
			}
		}
	}
	unlabelled, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(
		'input:not([type=hidden]), select, textarea')].filter(e => !(e.labels && e.labels.length) &&
		!e.getAttribute('aria-label')).map(e => e.name || e.id || e.outerHTML)`))
	if err != nil || len(unlabelled) > 0 {
		s.t.Errorf("%s: inputs without a label: %v (err %v)", name, unlabelled, err)
	}
	unreachable, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(
		'[onclick], [tabindex="-1"], a:not([href])')].map(e => e.outerHTML)`))
	if err != nil || len(unreachable) > 0 {
		s.t.Errorf("%s: actions not reachable by keyboard: %v (err %v)", name, unreachable, err)
	}
	s.do(chromedp.EmulateViewport(1440, 900))
}
