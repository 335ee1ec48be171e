package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestTransferSpanTree: one transfer is one trace — the request's server
// span (route pattern, status, user id, request id; no personal data),
// its transactions and statements below it, and the push job it queued as
// a span linked back to the request — on both engines. The log lines of
// the request carry its trace id next to its request id.
func TestTransferSpanTree(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		exporter := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
		ended := func() []sdktrace.ReadOnlySpan { return exporter.GetSpans().Snapshots() }
		h := apptest.NewWithOptions(t, engine, app.Options{Tracing: tp})
		alice, bob := h.Register(t, "alice-trace@example.com"), h.Register(t, "bob-trace@example.com")
		h.SetTxPassword(t, alice)
		h.Deposit(t, alice, "USDT-TRC20", "50")
		res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID, "currency": "USDT-TRC20",
			"amount": "5", "transaction_password": apptest.TxPassword}, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		requestID := res.Header.Get("X-Request-Id")

		var request sdktrace.ReadOnlySpan
		for _, s := range ended() {
			if s.Name() == "POST /api/v1/wallet/transfer-by-uid" {
				request = s
			}
		}
		if request == nil {
			t.Fatalf("no server span for the transfer among %d spans", len(ended()))
		}
		attrs := attrMap(request.Attributes())
		if attrs["http.route"] != "POST /api/v1/wallet/transfer-by-uid" || attrs["http.response.status_code"] != "200" ||
			attrs["enduser.id"] != strconv.FormatInt(alice.ID, 10) || attrs["request_id"] != requestID {
			t.Errorf("request span attributes: %v", attrs)
		}
		traceID := request.SpanContext().TraceID()
		var tx, statements int
		for _, s := range ended() {
			if s.SpanContext().TraceID() != traceID || s.Parent().SpanID() != request.SpanContext().SpanID() {
				continue
			}
			switch {
			case s.Name() == "db transaction":
				tx++
			case strings.HasPrefix(s.Name(), "db "):
				statements++
			}
		}
		if tx == 0 || statements == 0 {
			t.Errorf("under the request: %d transactions, %d statements; want both", tx, statements)
		}

		// The push job of bob's transfer_received notification is worked
		// later, in its own trace, linked to the request's.
		deadline := time.Now().Add(15 * time.Second)
		var job sdktrace.ReadOnlySpan
		for job == nil && time.Now().Before(deadline) {
			for _, s := range ended() {
				if s.Name() == "river.work/notification.push" && linksTo(s, traceID) {
					job = s
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		if job == nil {
			t.Fatal("no worked push job linked to the transfer's trace")
		}

		for _, s := range ended() {
			for _, kv := range s.Attributes() {
				if v := kv.Value.Emit(); strings.Contains(v, "@example.com") || strings.Contains(v, apptest.TxPassword) && kv.Key != "db.query.text" {
					t.Errorf("span %q attribute %s carries personal data or a secret: %q", s.Name(), kv.Key, v)
				}
			}
		}
		if !strings.Contains(h.Log.String(), `"trace_id":"`+traceID.String()+`"`) {
			t.Error("no log line carries the transfer's trace id")
		}
	})
}

func attrMap(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

func linksTo(s sdktrace.ReadOnlySpan, traceID interface{ String() string }) bool {
	for _, l := range s.Links() {
		if l.SpanContext.TraceID().String() == traceID.String() {
			return true
		}
	}
	return false
}
