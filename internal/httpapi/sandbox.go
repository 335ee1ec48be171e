package httpapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/comecomepay/comecomepay/internal/httpapi/sandboxapi"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// sandboxHelpers builds the sandbox helpers over the production webhook
// intake and idempotency of s.
func (s *Server) sandboxHelpers() *sandboxapi.Helpers {
	return sandboxapi.New(sandboxapi.Deps{
		Host: sandboxHost{s}, DB: s.DB, Accounts: s.Accounts, Wallets: s.Wallets, KYC: s.KYC, ThreeDS: s.ThreeDS,
		Physical: s.Physical, Inbox: s.Inbox, CustodySigner: s.Custody, KYCWebhookSecret: s.KYCWebhookSecret,
		ThreeDSWebhookSecret: s.ThreeDSWebhookSecret, Token: s.Sandbox.Token, Sim: s.Sandbox.Simulators,
	})
}

// sandboxHost lends the sandbox helpers what they share with the
// production endpoints, without widening Server's exported surface.
type sandboxHost struct{ s *Server }

func (h sandboxHost) AcceptCustody(ctx context.Context, form url.Values) (int64, bool, error) {
	return h.s.AcceptCustody(ctx, form)
}

func (h sandboxHost) AcceptKYC(ctx context.Context, headers webhooksig.KYCHeaders, raw []byte) (int64, error) {
	return h.s.acceptKYC(ctx, headers, raw)
}

func (h sandboxHost) AcceptThreeDS(ctx context.Context, signature string, raw []byte) (int64, error) {
	return h.s.acceptThreeDS(ctx, signature, raw)
}

func (h sandboxHost) ExecuteOnce(w http.ResponseWriter, r *http.Request, scope int64, raw []byte,
	op func(ctx context.Context) (int, any, error)) {
	h.s.executeOnce(w, r, scope, raw, op)
}

func (h sandboxHost) WithdrawalView(w wallet.Withdrawal) any { return toWithdrawalJSON(w) }
