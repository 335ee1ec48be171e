// Package diditfake is a Didit v3 server for tests, written from the
// documented shapes (../shared/PROVIDERS.md §2): it checks x-api-key,
// opens sessions and hands an unfinished one back for the same vendor_data,
// serves decisions, can answer 429 (with Retry-After), 5xx or too late, and
// delivers status.updated webhooks signed like Didit (X-Signature,
// X-Signature-V2, X-Signature-Simple, X-Timestamp) to a URL.
//
//	fake := diditfake.New(t, "api-key", "webhook-secret")
//	client, _ := didit.New(didit.Config{BaseURL: fake.URL, APIKey: "api-key", WorkflowID: diditfake.WorkflowID, …}, http.DefaultClient)
//	… the app opens a session …
//	status, err := fake.Decide(ctx, appURL+"/api/v1/webhooks/kyc", sessionID, kyc.DiditApproved, nil)
package diditfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

// WorkflowID is a workflow the fake accepts; any UUID is accepted.
const WorkflowID = "11111111-2222-4333-8444-555555555555"

// Session is what the fake holds about one session.
type Session struct {
	ID         string
	VendorData string
	Status     string
	URL        string
	Decision   *kyc.ProviderDecision
	// Request is the body that opened it, as received (identity included:
	// the fake is test-only).
	Request json.RawMessage
}

// Server is the fake.
type Server struct {
	URL           string
	APIKey        string
	WebhookSecret string
	// Now stamps deliveries; tests move it to send stale ones.
	Now func() time.Time

	srv *httptest.Server
	mu  sync.Mutex
	// sessions by id; byVendor is the latest session of a vendor_data.
	sessions map[string]*Session
	byVendor map[string]string
	faults   []fault
	calls    int
}

type fault struct {
	status     int
	retryAfter string
	delay      time.Duration
}

// New starts a fake closed at the end of the test.
func New(t testing.TB, apiKey, webhookSecret string) *Server {
	t.Helper()
	s := &Server{APIKey: apiKey, WebhookSecret: webhookSecret, Now: time.Now, sessions: map[string]*Session{}, byVendor: map[string]string{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	return s
}

// FailNext makes the next n API calls answer status (a 429 with the given
// Retry-After value, "" for none) instead of doing their work.
func (s *Server) FailNext(n, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status: status, retryAfter: retryAfter})
	}
}

// DelayNext makes the next n API calls answer only after d (or when the
// caller gives up).
func (s *Server) DelayNext(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{delay: d})
	}
}

// Calls is how many API calls reached the fake (faults included).
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Session returns a copy of a session.
func (s *Server) Session(id string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return Session{}, false
	}
	return *sess, true
}

// SessionOf returns the latest session opened for a vendor_data.
func (s *Server) SessionOf(vendorData string) (Session, bool) {
	s.mu.Lock()
	id := s.byVendor[vendorData]
	s.mu.Unlock()
	return s.Session(id)
}

func finished(status string) bool {
	switch status {
	case kyc.DiditApproved, kyc.DiditDeclined, kyc.DiditExpired, kyc.DiditAbandoned, kyc.DiditKYCExpired:
		return true
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	var f *fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f != nil && f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	if f != nil && f.status != 0 {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		writeJSON(w, f.status, map[string]string{"detail": http.StatusText(f.status)})
		return
	}
	if r.Header.Get("x-api-key") != s.APIKey {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid API key"})
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/session/":
		s.create(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v3/session/") && strings.HasSuffix(r.URL.Path, "/decision/"):
		s.decision(w, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v3/session/"), "/decision/"))
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found"})
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	var req struct {
		WorkflowID string `json:"workflow_id"`
		VendorData string `json:"vendor_data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || json.Unmarshal(raw, &req) != nil || uuid.Validate(req.WorkflowID) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "workflow_id is required"})
		return
	}
	s.mu.Lock()
	sess, ok := s.sessions[s.byVendor[req.VendorData]]
	if !ok || req.VendorData == "" || finished(sess.Status) {
		id := uuid.NewString()
		sess = &Session{ID: id, VendorData: req.VendorData, Status: kyc.DiditNotStarted, URL: s.URL + "/session/" + id, Request: raw}
		s.sessions[id] = sess
		s.byVendor[req.VendorData] = id
	}
	answer := map[string]any{"session_id": sess.ID, "session_number": len(s.sessions), "session_token": "tok_" + sess.ID[:8],
		"url": sess.URL, "status": sess.Status, "vendor_data": sess.VendorData, "workflow_id": req.WorkflowID}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, answer)
}

func (s *Server) decision(w http.ResponseWriter, id string) {
	s.mu.Lock()
	sess, ok := s.sessions[id]
	var body []byte
	if ok {
		body = decisionBody(*sess)
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Session not found"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// decisionBody is the session's decision with its status and ids set.
func decisionBody(sess Session) []byte {
	d := kyc.ProviderDecision{}
	if sess.Decision != nil {
		d = *sess.Decision
	}
	d.SessionID, d.Status, d.VendorData = sess.ID, sess.Status, sess.VendorData
	b, _ := json.Marshal(d)
	return b
}

// SetStatus changes a session's status and decision without a webhook (a
// delivery that never arrived).
func (s *Server) SetStatus(sessionID, status string, d *kyc.ProviderDecision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[sessionID]
	if !ok {
		return fmt.Errorf("diditfake: no session %s", sessionID)
	}
	sess.Status, sess.Decision = status, d
	return nil
}

// Event is the status.updated delivery for a session's current state.
func (s *Server) Event(sessionID string) (kyc.ProviderEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[sessionID]
	if !ok {
		return kyc.ProviderEvent{}, fmt.Errorf("diditfake: no session %s", sessionID)
	}
	now := s.Now()
	ev := kyc.ProviderEvent{EventID: uuid.NewString(), WebhookType: kyc.WebhookStatusUpdated, Timestamp: now.Unix(), CreatedAt: now.Unix(),
		Environment: "sandbox", SessionID: sess.ID, Status: sess.Status, WorkflowID: WorkflowID, VendorData: sess.VendorData}
	if sess.Status == kyc.DiditApproved || sess.Status == kyc.DiditDeclined || sess.Status == kyc.DiditInReview {
		var d kyc.ProviderDecision
		_ = json.Unmarshal(decisionBody(*sess), &d)
		ev.Decision = &d
	}
	return ev, nil
}

// Decide sets a session's status (and decision) and delivers the signed
// status.updated webhook to webhookURL; it returns the answer's status.
func (s *Server) Decide(ctx context.Context, webhookURL, sessionID, status string, d *kyc.ProviderDecision) (int, error) {
	if err := s.SetStatus(sessionID, status, d); err != nil {
		return 0, err
	}
	ev, err := s.Event(sessionID)
	if err != nil {
		return 0, err
	}
	return s.Deliver(ctx, webhookURL, ev)
}

// Deliver signs ev like Didit and posts it to webhookURL.
func (s *Server) Deliver(ctx context.Context, webhookURL string, ev kyc.ProviderEvent) (int, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return 0, err
	}
	return s.DeliverRaw(ctx, webhookURL, body)
}

// DeliverRaw signs an arbitrary body (which must hold an integer
// "timestamp") and posts it to webhookURL.
func (s *Server) DeliverRaw(ctx context.Context, webhookURL string, body []byte) (int, error) {
	headers, err := webhooksig.SignKYC(s.WebhookSecret, body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	headers.Set(req.Header)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("diditfake: deliver: %w", err)
	}
	_ = res.Body.Close()
	return res.StatusCode, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
