package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestMailRetriedAfterTransientFailure: an e-mail the provider fails to
// take is sent again by the job queue and arrives exactly once.
func TestMailRetriedAfterTransientFailure(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		h.App.Outbox.FailNext(1)
		h.Do(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": "retry-mail@example.com"}).Expect(t, 200, "")
		deadline := time.Now().Add(20 * time.Second)
		for len(h.App.Outbox.To("retry-mail@example.com")) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the signup e-mail never arrived after a transient failure")
			}
			time.Sleep(50 * time.Millisecond)
		}
		waitJobsDone(t, h, "mail.send")
		if n := len(h.App.Outbox.To("retry-mail@example.com")); n != 1 {
			t.Fatalf("%d e-mails, want exactly 1", n)
		}
	})
}
