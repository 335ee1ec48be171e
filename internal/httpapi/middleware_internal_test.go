package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPanicBecomesGeneric500(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewJSONHandler(&logs, nil))}
	h := s.recoverPanics(s.requestID(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
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
