// Package httpapi is the HTTP surface: routing, middleware, decoding into
// domain types, and the one mapping from domain errors to responses.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/console"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/httpapi/adminapi"
	"github.com/comecomepay/comecomepay/internal/httpapi/sandboxapi"
	"github.com/comecomepay/comecomepay/internal/idempotency"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/notify"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/ratelimit"
	"github.com/comecomepay/comecomepay/internal/referral"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/swap"
	"github.com/comecomepay/comecomepay/internal/threeds"
	"github.com/comecomepay/comecomepay/internal/wallet"
	"github.com/comecomepay/comecomepay/internal/webhook"
	"go.opentelemetry.io/otel/trace"
)

// Readiness reports whether the service can take traffic.
type Readiness interface {
	Ready(ctx context.Context) error
}

// CustodySigner signs and verifies custody callbacks.
type CustodySigner interface {
	Sign(body, nonce, timestamp string) string
	Verify(body, nonce, timestamp, sign string) bool
}

// The sandbox providers' types, named here for the wiring.
type (
	OutboxEntry          = sandboxapi.OutboxEntry
	SimulatedTransaction = sandboxapi.SimulatedTransaction
	SimulatedResult      = sandboxapi.SimulatedResult
)

// Deps are what the HTTP layer calls, grouped by domain. The groups are
// embedded, so a handler names a dependency directly (s.Wallets).
type Deps struct {
	PlatformDeps
	EdgeDeps
	UserDeps
	MoneyDeps
	CardDeps
	WebhookDeps
	Admin   AdminDeps
	Sandbox SandboxDeps
}

// PlatformDeps are the service's own machinery.
type PlatformDeps struct {
	Log         *slog.Logger
	DB          *store.DB
	Ready       Readiness
	Registry    *prometheus.Registry
	Spec        []byte
	Idempotency *idempotency.Store
	Jobs        webhook.Inserter
	// Now is the service clock (rate-limit windows).
	Now func() time.Time
	// Tracing gives each request its server span (named by route pattern).
	Tracing trace.TracerProvider
}

// EdgeDeps configure the middleware in front of every route.
type EdgeDeps struct {
	CORSOrigins       []string
	TrustProxyHeaders bool
	// Limiter counts requests for the limits of API.md §1.14 (0 = off).
	Limiter         *ratelimit.RequestLimiter
	RequestsPerIP   int
	RequestsPerUser int
}

// UserDeps serve the account, identity and engagement endpoints.
type UserDeps struct {
	Accounts *account.Service
	KYC      *kyc.Service
	Devices  *notify.Devices
	// Notifications reads the users' in-app notifications.
	Notifications *notification.Reader
	// Content serves announcements, site texts, app versions and the
	// partner link.
	Content *content.Service
	// Referrals serves the referral and tier endpoints (API.md §2.10).
	Referrals *referral.Service
}

// MoneyDeps serve the wallet, swap and card-fee endpoints.
type MoneyDeps struct {
	Wallets  *wallet.Service
	Swaps    *swap.Service
	CardFees *cardfee.Service
	Coupons  *coupon.Service
}

// CardDeps serve the card endpoints.
type CardDeps struct {
	Cards       *card.Service
	CardSecrets *card.Secrets
	// Physical serves the physical card upgrade and shipment endpoints.
	Physical *physical.Service
	ThreeDS  *threeds.Service
	// Settings give the programme figures a card's details display.
	Settings *settings.Service
}

// WebhookDeps verify and store the providers' deliveries.
type WebhookDeps struct {
	Inbox   *webhook.Inbox
	Custody CustodySigner
	// The current key of each provider, and the previous one, still
	// accepted while a rotation is under way (empty: none). New deliveries
	// are signed with the current key only.
	KYCWebhookSecret             string
	KYCWebhookPreviousSecret     string
	IssuerWebhookSecret          string
	IssuerWebhookPreviousSecret  string
	ThreeDSWebhookSecret         string
	ThreeDSWebhookPreviousSecret string
	// ThreeDSAuth authenticates POST /webhooks/3ds-callback (HMAC, Thredd
	// RSA or bearer + IP allow-list); nil = HMAC with the two secrets
	// above. The sandbox simulator's deliveries always use the HMAC.
	ThreeDSAuth webhooksig.ThreeDSAuthenticator
}

// AdminDeps serve the operator API of API.md §5 (package adminapi); the
// admin endpoints also call the domain services of the other groups.
type AdminDeps struct {
	Operators *operator.Service
	Audit     *audit.Log
	Approvals *approval.Service
	Office    *backoffice.Service
	// ConsoleCSRF keys the console's form tokens; SecureConsoleCookies
	// marks its cookies Secure (served over HTTPS).
	ConsoleCSRF          *secret.Hasher
	SecureConsoleCookies bool
}

// SandboxDeps are the sandbox helpers of API.md §4 and the simulated
// providers they drive.
type SandboxDeps struct {
	// Enabled mounts the helpers (sandbox mode, or staging with a token).
	Enabled bool
	// Token, when set, guards the helpers (X-Sandbox-Token).
	Token      string
	Simulators sandboxapi.Simulators
}

// Server is the API handler.
type Server struct {
	Deps
	log *slog.Logger
	mux *http.ServeMux
	// first holds routes that overlap a pattern of mux (ServeMux refuses
	// two patterns that both match one path without either being more
	// specific); dispatch consults it before mux.
	first   *http.ServeMux
	metrics *httpMetrics
	handler http.Handler
	// sandbox serves the sandbox helpers; nil unless Sandbox.
	sandbox *sandboxapi.Helpers
	admin   *adminapi.API
	console *console.Console
	tracer  trace.Tracer
}

// NewServer builds the whole HTTP handler.
func NewServer(d Deps) (*Server, error) {
	if d.Limiter == nil {
		return nil, errors.New("httpapi: the request Limiter is not wired")
	}
	s := &Server{Deps: d, log: d.Log, mux: http.NewServeMux(), first: http.NewServeMux(),
		tracer: d.Tracing.Tracer("github.com/comecomepay/comecomepay/internal/httpapi")}
	m, err := newHTTPMetrics(d.Registry)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	if d.Sandbox.Enabled {
		s.sandbox = s.sandboxHelpers()
	}
	admin := adminapi.Deps{Host: adminHost{s}, Operators: d.Admin.Operators, Audit: d.Admin.Audit, Approvals: d.Admin.Approvals,
		Office: d.Admin.Office}
	if err := admin.Check(); err != nil {
		return nil, err
	}
	s.admin = adminapi.New(admin)
	s.console, err = console.New(console.Deps{Operators: d.Admin.Operators, Office: d.Admin.Office, Audit: d.Admin.Audit,
		Approvals: d.Admin.Approvals, CSRF: d.Admin.ConsoleCSRF, ClientIP: s.clientIP,
		SecureCookies: d.Admin.SecureConsoleCookies, Log: d.Log, Now: d.Now})
	if err != nil {
		return nil, err
	}
	s.routes()
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{}))
	s.handler = s.requestID(s.recoverPanics(s.securityHeaders(s.cors(s.limitBody(s.dispatch())))))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "comecomepay_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "comecomepay_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *httpMetrics) observe(route string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, http.StatusText(status)).Inc()
	m.duration.WithLabelValues(route).Observe(took.Seconds())
}
