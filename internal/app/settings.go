package app

import (
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// newSettings builds the operator settings of API.md §3.3. The environment
// gives the defaults of the figures it has always set (a stored value wins
// over them); the figures the deployment alone decides are listed as fixed,
// each with the reason it is not changed through the API (docs/operators.md).
func (a *App) newSettings(p parts) *settings.Service {
	cfg := a.Config
	var coins []settings.Currency
	var names []string
	for _, c := range p.currencies {
		names = append(names, c.Name)
		if c.Crypto() {
			coins = append(coins, settings.Currency{Name: c.Name, Decimals: c.Decimals})
		}
	}
	fx := "issuer rate"
	if p.sandbox {
		fx = "sandbox: fixed USDT→HKD " + cfg.FXRate.String()
	}
	return settings.NewService(settings.Deps{DB: a.DB, Currencies: coins, Now: p.now,
		Defaults: map[string]string{
			"max_cards":                       strconv.Itoa(cfg.MaxCards),
			"withdrawal_requires_tx_password": strconv.FormatBool(cfg.WithdrawalNeedsTxPassword),
		},
		Fixed: []settings.Fixed{
			{Key: "fee_payment_currencies", Value: strings.Join(cryptoNames(p.currencies), ","), Source: "env COMECOMEPAY_WALLET_CURRENCIES",
				Description: "Stablecoins that pay card fees (1:1 USD). Enabling a currency needs its deposit addresses at the custody provider: a deployment change."},
			{Key: "wallet_currencies", Value: strings.Join(names, ","), Source: "env COMECOMEPAY_WALLET_CURRENCIES",
				Description: "Enabled wallet currencies, in display order."},
			{Key: "fx_source", Value: fx, Source: "env COMECOMEPAY_ISSUER_PROVIDER, COMECOMEPAY_FX_USDT_HKD",
				Description: "Where exchange rates come from: a provider choice, made with its credentials."},
			{Key: "access_token_ttl", Value: cfg.AccessTokenTTL.String(), Source: "env COMECOMEPAY_ACCESS_TOKEN_TTL",
				Description: "User access token lifetime. Session security: changed by a reviewed deployment, not by one operator."},
			{Key: "refresh_token_ttl", Value: cfg.RefreshTokenTTL.String(), Source: "env COMECOMEPAY_REFRESH_TOKEN_TTL",
				Description: "User refresh token lifetime. Session security, as above."},
			{Key: "otp_validity", Value: otp.DefaultPolicy.TTL.String(), Source: "code (otp.DefaultPolicy)",
				Description: "One-time code validity. Part of the attempt-limiting scheme; changing it live could reopen burned codes."},
			{Key: "otp_resend_cooldown", Value: otp.DefaultPolicy.Cooldown.String(), Source: "code (otp.DefaultPolicy)",
				Description: "Wait before another code is sent (anti-abuse)."},
			{Key: "otp_max_wrong_tries", Value: strconv.Itoa(otp.DefaultPolicy.MaxAttempts), Source: "code (otp.DefaultPolicy)",
				Description: "Wrong tries that burn a code (brute-force bound: 5 tries of 10^5 codes)."},
			{Key: "tx_password_lockout", Value: "5 wrong → 30m0s", Source: "code (account)",
				Description: "Transaction password lockout (brute-force bound of a 6-digit secret)."},
			{Key: "withdrawal_auto_approve_all", Value: strconv.FormatBool(p.sandbox && !cfg.SandboxWithdrawalsWaitForOperator),
				Source:      "mode (sandbox approves every withdrawal unless COMECOMEPAY_SANDBOX_AUTO_APPROVE_WITHDRAWALS=false)",
				Description: "Sandbox mode approves every withdrawal whatever withdrawal_auto_approve_max_usd says."},
		}})
}

func cryptoNames(cs []wallet.Currency) []string {
	var out []string
	for _, c := range cs {
		if c.Crypto() {
			out = append(out, c.Name)
		}
	}
	return out
}
