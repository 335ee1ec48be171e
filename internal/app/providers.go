package app

import (
	"context"
	"log/slog"

	"github.com/comecomepay/comecomepay/internal/kyc"
	issuerguard "github.com/comecomepay/comecomepay/internal/providers/issuer/guard"
	issuersandbox "github.com/comecomepay/comecomepay/internal/providers/issuer/sandbox"
	kycsandbox "github.com/comecomepay/comecomepay/internal/providers/kycprovider/sandbox"

	"github.com/comecomepay/comecomepay/internal/config"
)

// guardProviders is the composition root's own check, whatever the caller
// validated: production never wires a simulator (the custody, KYC and card
// issuer below are simulators until their real adapters land, and the
// e-mail outbox is one too), and staging, which does, says so on every
// start. A real adapter arrives as a name in config's provider table and a
// case where its port is built here.
func guardProviders(cfg config.Config, log *slog.Logger, issuerSupplied bool) error {
	var supplied []string
	if issuerSupplied {
		supplied = append(supplied, config.IssuerPort)
	}
	if err := cfg.CheckProviders(supplied...); err != nil {
		return err
	}
	if cfg.Mode == config.Staging {
		log.Warn("STAGING MODE: custody, KYC and card issuer are SIMULATED (deposit addresses are fakes, cards are test cards); "+
			"this instance must never hold real money", "email", emailProvider(cfg))
	}
	return nil
}

// IssuerAdapter is what a card issuer adapter implements: every issuer port
// the domains call (behind the guard) and the issuer's KYC review.
type IssuerAdapter interface {
	issuerguard.Port
	kyc.IssuerReview
}

// simulatedIssuer is the sandbox issuer with its KYC review.
type simulatedIssuer struct {
	*issuersandbox.Issuer
	review kycsandbox.Issuer
}

// ReviewKYC implements kyc.IssuerReview.
func (s simulatedIssuer) ReviewKYC(ctx context.Context, recordID int64, id kyc.Identity) (int, error) {
	return s.review.ReviewKYC(ctx, recordID, id)
}

func emailProvider(cfg config.Config) string {
	if cfg.SMTP.Configured() {
		return "smtp"
	}
	return config.SimulatorProvider
}

// sandboxHelpers reports whether /sandbox/* is mounted: always in sandbox
// mode; in staging only behind COMECOMEPAY_SANDBOX_TOKEN, so a staging host
// is not open to anyone who finds it; never in production.
func sandboxHelpers(cfg config.Config) bool {
	return cfg.Mode == config.Sandbox || cfg.Mode == config.Staging && cfg.SandboxToken != ""
}
