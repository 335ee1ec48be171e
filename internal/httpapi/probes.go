package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) error {
	httpkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.Ready.Ready(ctx); err != nil {
		s.logFailure(r, http.StatusServiceUnavailable, "not ready", err)
		httpkit.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return nil
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(s.Spec)
	return nil
}

// docs is a self-contained page (no external scripts: the service may run
// offline) that shows the contract served at /api/v1/openapi.yaml.
func (s *Server) docs(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
	_, _ = w.Write([]byte(docsPage))
	return nil
}

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ComeComePay API</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}pre{background:#f6f8fa;padding:1rem;overflow:auto}
h2{margin-top:2rem}code{background:#f6f8fa}</style></head>
<body><h1>ComeComePay API</h1>
<p>The contract is <a href="/api/v1/openapi.yaml"><code>/api/v1/openapi.yaml</code></a> (OpenAPI 3.0). Routes:</p>
<ul id="routes"></ul><h2>Specification</h2><pre id="spec">Loading…</pre>
<script>
fetch('/api/v1/openapi.yaml').then(r => r.text()).then(t => {
  document.getElementById('spec').textContent = t;
  const ul = document.getElementById('routes');
  let path = null;
  for (const line of t.split('\n')) {
    let m = line.match(/^  (\/\S*):\s*$/);
    if (m) { path = m[1]; continue; }
    m = line.match(/^    (get|post|put|delete|patch):\s*$/);
    if (m && path) { const li = document.createElement('li'); li.textContent = m[1].toUpperCase() + ' /api/v1' + path; ul.appendChild(li); }
    if (/^\S/.test(line)) path = null;
  }
});
</script></body></html>`
