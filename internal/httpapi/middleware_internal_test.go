package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"go.opentelemetry.io/otel/trace/noop"
)

func TestPanicBecomesGeneric500(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewJSONHandler(&logs, nil))}
	h := s.requestID(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("pq: secret column leaked")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/x", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body["code"] != "INTERNAL_ERROR" || body["details"] != "" || strings.Contains(rec.Body.String(), "secret column") {
		t.Fatalf("500 body leaks or is wrong: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "secret column") {
		t.Fatalf("panic not logged for operators: %s", logs.String())
	}
	// Outside any route: the line says so, and names the request.
	line := panicLine(t, logs.Bytes())
	if line.Route != "unmatched" || line.Method != "GET" || line.RequestID == "" || line.RequestID != rec.Header().Get("X-Request-Id") {
		t.Fatalf("panic log %s", logs.String())
	}
}

// TestPanicInRouteLogsPattern: a handler's panic is recovered where the
// route is known; its line names the pattern, not the path, and the
// request is still logged and counted as a 500.
func TestPanicInRouteLogsPattern(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	metrics, err := newHTTPMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{log: slog.New(slog.NewJSONHandler(&logs, nil)), mux: http.NewServeMux(), first: http.NewServeMux(), metrics: metrics,
		tracer: noop.NewTracerProvider().Tracer("test")}
	s.mux.Handle("POST /api/v1/things/{id}", s.serve(familyC, func(http.ResponseWriter, *http.Request) error { panic("boom") }))
	h := s.requestID(s.recoverPanics(s.dispatch()))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/things/secret-id", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"code":"INTERNAL_ERROR"`) {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	line := panicLine(t, logs.Bytes())
	if line.Route != "POST /api/v1/things/{id}" || line.Method != "POST" || line.RequestID != rec.Header().Get("X-Request-Id") ||
		line.Error != "panic: boom" || !strings.Contains(line.Stack, "TestPanicInRouteLogsPattern") {
		t.Fatalf("panic log %s", logs.String())
	}
	if strings.Contains(logs.String(), "secret-id") {
		t.Fatalf("the log names the path: %s", logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"http request"`) || !strings.Contains(logs.String(), `"status":500`) {
		t.Fatalf("the panicking request is missing from the access log: %s", logs.String())
	}
}

type panicLog struct {
	Level     string `json:"level"`
	Route     string `json:"route"`
	Method    string `json:"method"`
	RequestID string `json:"request_id"`
	Error     string `json:"error"`
	Stack     string `json:"stack"`
}

func panicLine(t *testing.T, logs []byte) panicLog {
	t.Helper()
	for line := range bytes.Lines(logs) {
		var l panicLog
		if err := json.Unmarshal(line, &l); err == nil && l.Level == "ERROR" && strings.HasPrefix(l.Error, "panic: ") {
			return l
		}
	}
	t.Fatalf("no panic line in %s", logs)
	return panicLog{}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	s := &Server{Deps: Deps{EdgeDeps: EdgeDeps{CORSOrigins: []string{"https://app.example"}}}}
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	for _, tc := range []struct {
		name, origin, method, preflight string
		wantStatus                      int
		wantAllow                       string
	}{
		{"allowed simple request", "https://app.example", http.MethodGet, "", http.StatusTeapot, "https://app.example"},
		{"allowed preflight", "https://app.example", http.MethodOptions, "POST", http.StatusNoContent, "https://app.example"},
		{"foreign origin", "https://evil.example", http.MethodGet, "", http.StatusTeapot, ""},
		{"foreign preflight is not answered", "https://evil.example", http.MethodOptions, "POST", http.StatusTeapot, ""},
		{"no origin", "", http.MethodGet, "", http.StatusTeapot, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, "/api/v1/user/profile", nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.preflight != "" {
				req.Header.Set("Access-Control-Request-Method", tc.preflight)
			}
			rec := httptest.NewRecorder()
			s.cors(next).ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus || rec.Header().Get("Access-Control-Allow-Origin") != tc.wantAllow {
				t.Fatalf("status %d allow %q, want %d %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), tc.wantStatus, tc.wantAllow)
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]int{
		"VALIDATION_FAILED": 400, "UNAUTHORIZED": 401, "CARD_FEE_UNPAID": 402, "ACCOUNT_DEACTIVATED": 403,
		"USER_NOT_FOUND": 404, "CARD_FEE_NOT_CONFIGURED": 404, "METHOD_NOT_ALLOWED": 405, "IDEMPOTENCY_CONFLICT": 409,
		"PAYLOAD_TOO_LARGE": 413, "OTP_ATTEMPTS_EXCEEDED": 429, "TRANSACTION_PASSWORD_LOCKED": 429,
		"INTERNAL_ERROR": 500, "ISSUER_UNAVAILABLE": 502, "EXCHANGE_RATE_UNAVAILABLE": 503, "OTP_INVALID": 400,
	} {
		if got := statusOf(code); got != want {
			t.Errorf("statusOf(%s) = %d, want %d", code, got, want)
		}
	}
}
