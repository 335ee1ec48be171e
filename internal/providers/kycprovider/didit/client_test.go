package didit_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/providers/kycprovider/didit"
	"github.com/comecomepay/comecomepay/internal/providers/kycprovider/didit/diditfake"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

const (
	apiKey        = "didit-test-api-key"
	webhookSecret = "didit-test-webhook-secret"
)

func newClient(t *testing.T, fake *diditfake.Server, key string, timeout time.Duration) *didit.Client {
	t.Helper()
	c, err := didit.New(didit.Config{BaseURL: fake.URL, APIKey: key, WorkflowID: diditfake.WorkflowID,
		CallbackURL: "https://app.example/kyc/done", Timeout: timeout}, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var applicant = kyc.Applicant{FirstName: "RENÉ", LastName: "DOE", Email: "rene@example.com", Phone: "+85291234567", Country: "hk",
	Address: "1 Queen's Road, Hong Kong, 000000", Language: "zh"}

func TestNewValidates(t *testing.T) {
	good := didit.Config{APIKey: "k", WorkflowID: diditfake.WorkflowID, CallbackURL: "https://app.example/done"}
	if _, err := didit.New(good, &http.Client{}); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, mutate := range map[string]func(*didit.Config){
		"no key":         func(c *didit.Config) { c.APIKey = " " },
		"workflow":       func(c *didit.Config) { c.WorkflowID = "wf-1" },
		"callback":       func(c *didit.Config) { c.CallbackURL = "/done" },
		"base":           func(c *didit.Config) { c.BaseURL = "ftp://didit" },
		"negative limit": func(c *didit.Config) { c.Timeout = -time.Second },
	} {
		cfg := good
		mutate(&cfg)
		if _, err := didit.New(cfg, &http.Client{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := didit.New(good, nil); err == nil {
		t.Error("nil http client accepted")
	}
}

func TestCreateSessionAndReuse(t *testing.T) {
	ctx := context.Background()
	fake := diditfake.New(t, apiKey, webhookSecret)
	c := newClient(t, fake, apiKey, 0)
	s1, err := c.CreateSession(ctx, 812, applicant)
	if err != nil || s1.ID == "" || !strings.HasPrefix(s1.URL, fake.URL) {
		t.Fatalf("create: %+v %v", s1, err)
	}
	sess, _ := fake.Session(s1.ID)
	var sent struct {
		WorkflowID      string            `json:"workflow_id"`
		VendorData      string            `json:"vendor_data"`
		Callback        string            `json:"callback"`
		Language        string            `json:"language"`
		ContactDetails  map[string]string `json:"contact_details"`
		ExpectedDetails map[string]string `json:"expected_details"`
	}
	if err := json.Unmarshal(sess.Request, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.WorkflowID != diditfake.WorkflowID || sent.VendorData != "812" || sent.Callback != "https://app.example/kyc/done" ||
		sent.Language != "zh" || sent.ContactDetails["phone"] != "+85291234567" || sent.ContactDetails["email"] != "rene@example.com" ||
		sent.ExpectedDetails["country"] != "HKG" || sent.ExpectedDetails["first_name"] != "RENÉ" ||
		sent.ExpectedDetails["address"] != applicant.Address {
		t.Fatalf("request %s", sess.Request)
	}
	// An unfinished session comes back for the same record; another
	// record, or a finished session, gets a new one.
	if again, err := c.CreateSession(ctx, 812, applicant); err != nil || again != s1 {
		t.Fatalf("reuse: %+v %v", again, err)
	}
	if other, _ := c.CreateSession(ctx, 813, applicant); other.ID == s1.ID {
		t.Fatal("another record shares the session")
	}
	_ = fake.SetStatus(s1.ID, kyc.DiditExpired, nil)
	if fresh, _ := c.CreateSession(ctx, 812, applicant); fresh.ID == s1.ID {
		t.Fatal("an expired session was handed back")
	}
}

func TestResult(t *testing.T) {
	ctx := context.Background()
	fake := diditfake.New(t, apiKey, webhookSecret)
	c := newClient(t, fake, apiKey, 0)
	s, _ := c.CreateSession(ctx, 9, applicant)
	if o, err := c.Result(ctx, s.ID); err != nil || o.Status != kyc.StatusPendingSubmit || o.ProviderStatus != kyc.DiditNotStarted {
		t.Fatalf("fresh: %+v %v", o, err)
	}
	_ = fake.SetStatus(s.ID, kyc.DiditDeclined, &kyc.ProviderDecision{
		FaceMatches: []kyc.Check{{Status: "Declined", Warnings: []kyc.Warning{{Risk: "LOW_FACE_MATCH_SIMILARITY", LogType: "error"}}}}})
	if o, err := c.Result(ctx, s.ID); err != nil || o.Status != kyc.StatusRejected || o.FailReason != "The selfie did not match the document photo" {
		t.Fatalf("declined: %+v %v", o, err)
	}
	if _, err := c.Result(ctx, "no-such-session"); !errors.Is(err, kyc.ErrProviderUnknownSession) {
		t.Fatalf("unknown session: %v", err)
	}
	_ = fake.SetStatus(s.ID, "Cancelled", nil)
	if _, err := c.Result(ctx, s.ID); !errors.Is(err, kyc.ErrProviderRequest) {
		t.Fatalf("unknown status: %v", err)
	}
}

// TestRateLimit: a 429 is a retryable error with Didit's delay, and the
// client does not call Didit again before the delay has passed.
func TestRateLimit(t *testing.T) {
	ctx := context.Background()
	fake := diditfake.New(t, apiKey, webhookSecret)
	c := newClient(t, fake, apiKey, 0)
	fake.FailNext(1, http.StatusTooManyRequests, "1")
	_, err := c.CreateSession(ctx, 1, applicant)
	if d, ok := kyc.RetryAfter(err); !errors.Is(err, kyc.ErrProviderRateLimited) || !ok || d != time.Second {
		t.Fatalf("429: %v (%v %v)", err, d, ok)
	}
	calls := fake.Calls()
	_, err = c.CreateSession(ctx, 1, applicant)
	if d, ok := kyc.RetryAfter(err); !errors.Is(err, kyc.ErrProviderRateLimited) || !ok || d <= 0 || d > time.Second || fake.Calls() != calls {
		t.Fatalf("inside the delay: %v (%v), calls %d → %d", err, d, calls, fake.Calls())
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := c.CreateSession(ctx, 1, applicant); err != nil {
		t.Fatalf("after the delay: %v", err)
	}
	// Without a usable Retry-After, a minute (Didit's window).
	fake.FailNext(1, http.StatusTooManyRequests, "")
	_, err = newClient(t, fake, apiKey, 0).CreateSession(ctx, 2, applicant)
	if d, _ := kyc.RetryAfter(err); d != time.Minute {
		t.Fatalf("default delay %v", d)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	fake := diditfake.New(t, apiKey, webhookSecret)
	for _, tc := range []struct {
		status int
		want   error
	}{
		{http.StatusForbidden, kyc.ErrProviderCredentials}, {http.StatusBadRequest, kyc.ErrProviderRequest},
		{http.StatusInternalServerError, kyc.ErrProviderDown}, {http.StatusBadGateway, kyc.ErrProviderDown},
	} {
		fake.FailNext(1, tc.status, "")
		_, err := newClient(t, fake, apiKey, 0).CreateSession(ctx, 1, applicant)
		if !errors.Is(err, tc.want) {
			t.Errorf("%d: %v", tc.status, err)
		}
		if _, ok := kyc.RetryAfter(err); ok {
			t.Errorf("%d is not a rate limit", tc.status)
		}
		if strings.Contains(err.Error(), "RENÉ") || strings.Contains(err.Error(), "91234567") {
			t.Errorf("identity in %q", err)
		}
	}
	if _, err := newClient(t, fake, "wrong-key", 0).CreateSession(ctx, 1, applicant); !errors.Is(err, kyc.ErrProviderCredentials) {
		t.Fatalf("wrong key: %v", err)
	}
	fake.DelayNext(1, 2*time.Second)
	start := time.Now()
	_, err := newClient(t, fake, apiKey, 100*time.Millisecond).CreateSession(ctx, 1, applicant)
	if !errors.Is(err, kyc.ErrProviderDown) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("timeout: %v after %s", err, time.Since(start))
	}
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"session_id":`))
	}))
	defer garbage.Close()
	c, _ := didit.New(didit.Config{BaseURL: garbage.URL, APIKey: "k", WorkflowID: diditfake.WorkflowID, CallbackURL: "https://a.example/"},
		&http.Client{})
	if _, err := c.CreateSession(ctx, 1, applicant); !errors.Is(err, kyc.ErrProviderDown) {
		t.Fatalf("garbage: %v", err)
	}
}

// TestFakeDeliveries: the fake's webhooks verify with the production
// verifier, carry what the processor needs, and V2 holds when raw fails.
func TestFakeDeliveries(t *testing.T) {
	ctx := context.Background()
	fake := diditfake.New(t, apiKey, webhookSecret)
	c := newClient(t, fake, apiKey, 0)
	s, _ := c.CreateSession(ctx, 77, applicant)
	var got []kyc.ProviderEvent
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var raw json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&raw)
		h := webhooksig.KYCHeadersFrom(r.Header)
		if err := webhooksig.VerifyKYC(h, raw, time.Now(), webhookSecret); err != nil || h.SignatureSimple == "" {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		h.Signature = "00"
		if canonical, _ := webhooksig.CanonicalJSON(raw); webhooksig.VerifyKYC(h, canonical, time.Now(), webhookSecret) != nil {
			http.Error(w, "V2 does not hold", http.StatusUnauthorized)
			return
		}
		ev, _ := kyc.ParseProviderEvent(raw)
		got = append(got, ev)
	}))
	defer hook.Close()
	code, err := fake.Decide(ctx, hook.URL, s.ID, kyc.DiditApproved, nil)
	if err != nil || code != 200 || len(got) != 1 {
		t.Fatalf("deliver: %d %v %d", code, err, len(got))
	}
	ev := got[0]
	if ev.EventID == "" || ev.WebhookType != kyc.WebhookStatusUpdated || ev.VendorData != "77" || ev.SessionID != s.ID ||
		ev.Status != kyc.DiditApproved || ev.Decision == nil || ev.Timestamp == 0 {
		t.Fatalf("event %+v", ev)
	}
	fake.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
	if code, _ := fake.Decide(ctx, hook.URL, s.ID, kyc.DiditApproved, nil); code != http.StatusUnauthorized {
		t.Fatalf("stale delivery answered %d", code)
	}
}
