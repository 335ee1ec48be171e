package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/providermetrics"
	"github.com/comecomepay/comecomepay/internal/platform/tracing"
	custodysandbox "github.com/comecomepay/comecomepay/internal/providers/custody/sandbox"
	"github.com/comecomepay/comecomepay/internal/providers/custody/udun"
	"github.com/comecomepay/comecomepay/internal/providers/kycprovider/didit"
	kycsandbox "github.com/comecomepay/comecomepay/internal/providers/kycprovider/sandbox"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// custodyAdapter is what a custody adapter implements: addresses, the
// provider's address check, withdrawals, and the balances the daily
// custody reconciliation compares with the ledger.
type custodyAdapter interface {
	wallet.Custody
	wallet.CustodyWithdrawals
	wallet.CustodyBalances
}

// simulatedCustody is the sandbox custody with its ledger-backed balances.
type simulatedCustody struct {
	*custodysandbox.Custody
	balances *custodysandbox.Balances
}

// Balances implements wallet.CustodyBalances.
func (c simulatedCustody) Balances(ctx context.Context, currencies []wallet.Currency) (map[string]money.Amount, error) {
	return c.balances.Balances(ctx, currencies)
}

// custodyPort builds the custody adapter COMECOMEPAY_CUSTODY_PROVIDER
// selects. Each real adapter's HTTP client makes a span per call.
func (a *App) custodyPort(cfg config.Config, sim *custodysandbox.Custody, registry prometheus.Registerer, now func() time.Time) (custodyAdapter, error) {
	switch cfg.Providers.Custody {
	case "udun":
		c, err := udun.New(udun.Config{GatewayURL: cfg.UDUN.GatewayURL, MerchantID: cfg.UDUN.MerchantID, APIKey: cfg.CustodyAPIKey,
			CallbackURL: cfg.UDUN.CallbackURL, CoinTypeField: cfg.UDUN.ChainField, Timeout: cfg.UDUN.Timeout},
			tracing.ProviderClient(a.Tracing, "udun", providermetrics.Client(registry, "udun", cfg.UDUN.Timeout+5*time.Second)), now)
		if err != nil {
			return nil, fmt.Errorf("app: custody adapter: %w", err)
		}
		return c, nil
	default:
		return simulatedCustody{sim, custodysandbox.NewBalances(a.DB, a.Ledger)}, nil
	}
}

// kycPort builds the KYC provider adapter COMECOMEPAY_KYC_PROVIDER selects.
func (a *App) kycPort(cfg config.Config, registry prometheus.Registerer) (kyc.Provider, error) {
	switch cfg.Providers.KYC {
	case "didit":
		c, err := didit.New(didit.Config{BaseURL: cfg.Didit.BaseURL, APIKey: cfg.Didit.APIKey, WorkflowID: cfg.Didit.WorkflowID,
			CallbackURL: cfg.Didit.CallbackURL, Timeout: cfg.Didit.Timeout},
			tracing.ProviderClient(a.Tracing, "didit", providermetrics.Client(registry, "didit", cfg.Didit.Timeout+5*time.Second)))
		if err != nil {
			return nil, fmt.Errorf("app: KYC adapter: %w", err)
		}
		return c, nil
	default:
		return kycsandbox.New(cfg.PublicBaseURL), nil
	}
}

// threeDSAuth builds the 3DS webhook's authentication COMECOMEPAY_3DS_AUTH
// selects (the processor's RSA keys are read from their files here).
func threeDSAuth(cfg config.Config) (webhooksig.ThreeDSAuthenticator, error) {
	var auth webhooksig.ThreeDSAuthenticator
	var err error
	switch cfg.ThreeDSAuth.Scheme {
	case config.ThreeDSThreddRSA:
		keys := map[string]string{}
		for id, path := range cfg.ThreeDSAuth.RSAKeyFiles {
			pem, readErr := os.ReadFile(path)
			if readErr != nil {
				return nil, fmt.Errorf("COMECOMEPAY_3DS_THREDD_KEYS: key %s: %w", id, readErr)
			}
			keys[id] = string(pem)
		}
		auth, err = webhooksig.NewThreeDSRSA(keys)
	case config.ThreeDSBearer:
		auth, err = webhooksig.NewThreeDSBearer([]string{cfg.ThreeDSAuth.BearerToken}, cfg.ThreeDSAuth.AllowedNets)
	default:
		auth, err = webhooksig.NewThreeDSHMAC(cfg.ThreeDSWebhookSecret, cfg.ThreeDSWebhookPreviousSecret)
	}
	if err != nil {
		return nil, fmt.Errorf("app: 3DS webhook authentication: %w", err)
	}
	return auth, nil
}
