// Package sandbox is the offline KYC provider: its hosted session is a page
// served by this backend (/api/v1/sandbox/kyc/sessions/{id}) whose Approve
// and Reject buttons deliver decisions, shaped and signed like Didit's,
// through the signed webhook path.
package sandbox

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/comecomepay/comecomepay/internal/kyc"
)

// Provider simulates the KYC provider.
type Provider struct{ baseURL string }

// New returns a provider whose session pages live under baseURL (the public
// base URL of this service).
func New(baseURL string) *Provider { return &Provider{baseURL: strings.TrimRight(baseURL, "/")} }

// CreateSession implements kyc.Provider.
func (p *Provider) CreateSession(_ context.Context, _ int64, _ kyc.Applicant) (kyc.Session, error) {
	id := "kyc_" + uuid.NewString()
	return kyc.Session{ID: id, URL: p.baseURL + "/api/v1/sandbox/kyc/sessions/" + id}, nil
}

// Result implements kyc.Provider: the simulator keeps no state of its own;
// its decisions exist only as the webhooks its page delivered.
func (p *Provider) Result(context.Context, string) (kyc.Outcome, error) {
	return kyc.Outcome{}, kyc.ErrNoProviderResult
}

// Issuer simulates the card issuer's KYC review: it approves every identity
// (pokepay_status 2).
type Issuer struct{}

// ReviewKYC implements kyc.IssuerReview.
func (Issuer) ReviewKYC(context.Context, int64, kyc.Identity) (int, error) { return 2, nil }
