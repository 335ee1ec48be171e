// Package sandboxapi is the sandbox helpers of API.md §4: endpoints that
// drive the simulated providers (deposits, card transactions, 3DS
// challenges, shipments, KYC decisions, FX, failures) and read their
// outbox. The HTTP layer mounts them only in sandbox mode; every simulated
// delivery goes through the production webhook path, signed as the provider
// would sign it.
package sandboxapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/threeds"
	"github.com/comecomepay/comecomepay/internal/wallet"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// Host is what the helpers borrow from the production API: its webhook
// intake (verify, store once in the inbox), its Idempotency-Key handling,
// and the JSON view of a withdrawal.
type Host interface {
	AcceptCustody(ctx context.Context, form url.Values) (eventID int64, duplicate bool, err error)
	AcceptKYC(ctx context.Context, headers webhooksig.KYCHeaders, raw []byte) (eventID int64, err error)
	AcceptThreeDS(ctx context.Context, signature string, raw []byte) (eventID int64, err error)
	// ExecuteOnce runs op at most once per Idempotency-Key and writes (or
	// replays) its answer.
	ExecuteOnce(w http.ResponseWriter, r *http.Request, scope int64, raw []byte, op func(ctx context.Context) (int, any, error))
	WithdrawalView(w wallet.Withdrawal) any
}

// CustodySigner signs custody callbacks as the provider does.
type CustodySigner interface {
	Sign(body, nonce, timestamp string) string
}

// FailureInjector makes a simulated provider fail its next calls.
type FailureInjector interface {
	FailNext(operation string, n int)
}

// Simulators are the sandbox providers the helpers drive.
type Simulators struct {
	Custody        CustodySimulator
	Issuer         IssuerSimulator
	ThreeDS        ThreeDSSimulator
	FX             FXSimulator
	Outbox         Outbox
	IssuerFailures FailureInjector
	// KYCIssuer is the issuer's review of an approved identity.
	KYCIssuer kyc.IssuerReview
}

// Deps are what the helpers call.
type Deps struct {
	Host     Host
	DB       *store.DB
	Accounts *account.Service
	Wallets  *wallet.Service
	KYC      *kyc.Service
	ThreeDS  *threeds.Service
	Physical *physical.Service
	Inbox    *webhook.Inbox
	// The keys the simulated providers sign their deliveries with.
	CustodySigner        CustodySigner
	KYCWebhookSecret     string
	ThreeDSWebhookSecret string
	Sim                  Simulators
	// Token, when set, guards the helpers (X-Sandbox-Token); the KYC page,
	// opened by a person in a browser, is not guarded.
	Token string
}

// Helpers serves the sandbox endpoints. Each handler returns its failure;
// the HTTP layer renders it in the route's error envelope.
type Helpers struct{ Deps }

// New returns the helpers over d.
func New(d Deps) *Helpers { return &Helpers{d} }

// RequireToken checks X-Sandbox-Token when a sandbox token is configured.
func (s *Helpers) RequireToken(h func(w http.ResponseWriter, r *http.Request) error) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.Token != "" && !secret.Equal(r.Header.Get("X-Sandbox-Token"), s.Token) {
			return apperr.New(apperr.CodeUnauthorized).WithDetails("X-Sandbox-Token is missing or wrong")
		}
		return h(w, r)
	}
}
