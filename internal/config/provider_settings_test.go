package config_test

import (
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/config"
)

// TestRealAdaptersNeedTheirSettings: selecting a real adapter without what
// it needs to reach its provider stops the start, naming each variable.
func TestRealAdaptersNeedTheirSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		set  map[string]string
		want []string
	}{
		{"udun without gateway", map[string]string{"COMECOMEPAY_CUSTODY_PROVIDER": "udun"},
			[]string{"COMECOMEPAY_UDUN_GATEWAY_URL", "COMECOMEPAY_UDUN_MERCHANT_ID"}},
		{"udun with a bad chain field", map[string]string{"COMECOMEPAY_CUSTODY_PROVIDER": "udun",
			"COMECOMEPAY_UDUN_GATEWAY_URL": "https://udun.example", "COMECOMEPAY_UDUN_MERCHANT_ID": "300015",
			"COMECOMEPAY_UDUN_CHAIN_FIELD": "chain"}, []string{"COMECOMEPAY_UDUN_CHAIN_FIELD"}},
		{"didit without key or workflow", map[string]string{"COMECOMEPAY_KYC_PROVIDER": "didit"},
			[]string{"COMECOMEPAY_DIDIT_API_KEY", "COMECOMEPAY_DIDIT_WORKFLOW_ID"}},
		{"bearer without an allow-list", map[string]string{"COMECOMEPAY_3DS_AUTH": "bearer",
			"COMECOMEPAY_3DS_BEARER_TOKEN": "tok-0123456789abcdef"}, []string{"COMECOMEPAY_3DS_ALLOWED_IPS"}},
		{"bearer with a bad network", map[string]string{"COMECOMEPAY_3DS_AUTH": "bearer",
			"COMECOMEPAY_3DS_BEARER_TOKEN": "tok-0123456789abcdef", "COMECOMEPAY_3DS_ALLOWED_IPS": "10.0.0.0/8,not-an-ip"},
			[]string{"not-an-ip"}},
		{"rsa without keys", map[string]string{"COMECOMEPAY_3DS_AUTH": "thredd-rsa"}, []string{"COMECOMEPAY_3DS_THREDD_KEYS"}},
		{"unknown 3ds scheme", map[string]string{"COMECOMEPAY_3DS_AUTH": "none"}, []string{"COMECOMEPAY_3DS_AUTH"}},
		{"bad rsa entry", map[string]string{"COMECOMEPAY_3DS_AUTH": "thredd-rsa", "COMECOMEPAY_3DS_THREDD_KEYS": "k1"},
			[]string{"COMECOMEPAY_3DS_THREDD_KEYS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(env(tc.set))
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not name %s", err, w)
				}
			}
		})
	}
}

// TestRealAdapterSettings: a complete UDUN and Didit set-up loads in
// sandbox mode, defaults follow the public base URL, and String masks keys.
func TestRealAdapterSettings(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(map[string]string{
		"COMECOMEPAY_PUBLIC_BASE_URL":  "https://api.ccp.example/",
		"COMECOMEPAY_CUSTODY_PROVIDER": "UDUN", "COMECOMEPAY_UDUN_GATEWAY_URL": "https://gw.udun.example/",
		"COMECOMEPAY_UDUN_MERCHANT_ID": "300015", "COMECOMEPAY_CUSTODY_API_KEY": "udun-key-7Hq2Lm9Xc4Vb",
		"COMECOMEPAY_KYC_PROVIDER": "didit", "COMECOMEPAY_DIDIT_API_KEY": "didit-api-key-Zk81Qp",
		"COMECOMEPAY_DIDIT_WORKFLOW_ID": "22222222-3333-4444-5555-666666666666", "COMECOMEPAY_KYC_WEBHOOK_SECRET": "wh_4Rt9Lp2Xq7Zm",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Providers.Custody != "udun" || c.Providers.KYC != "didit" || c.UDUN.GatewayURL != "https://gw.udun.example" ||
		c.UDUN.CallbackURL != "https://api.ccp.example/api/v1/webhooks/custody" || c.UDUN.ChainField != "coinType" ||
		c.Didit.BaseURL != "https://verification.didit.me" || c.Didit.CallbackURL != "https://api.ccp.example" {
		t.Fatalf("settings: %+v %+v %+v", c.Providers, c.UDUN, c.Didit)
	}
	out := c.String()
	for _, secret := range []string{"udun-key-7Hq2Lm9Xc4Vb", "didit-api-key-Zk81Qp", "wh_4Rt9Lp2Xq7Zm"} {
		if strings.Contains(out, secret) {
			t.Errorf("config output shows a key: %s", secret)
		}
	}
	if !strings.Contains(out, "300015") || !strings.Contains(out, "https://gw.udun.example") {
		t.Errorf("config output misses the UDUN settings:\n%s", out)
	}
}

// TestIssuedKeysRule: production takes the keys UDUN and Didit issue as
// they come (shorter than ours) and still refuses typed ones.
func TestIssuedKeysRule(t *testing.T) {
	t.Parallel()
	for value, ok := range map[string]bool{"9f2c4b8e1a7d5e3f60b2c4d8": true, "9f2c4b8e1a7d5e3f60b2": false, "wh_Kq7Zp2Lx9Vr4Tm8Nc": true,
		"short-key": false, "changeme-changeme-1": false, strings.Repeat("ab", 10): false} {
		e := strongEnv(t, "production")
		e["COMECOMEPAY_KYC_WEBHOOK_SECRET"] = value
		_, err := config.Load(env(e))
		if named := err != nil && strings.Contains(err.Error(), "COMECOMEPAY_KYC_WEBHOOK_SECRET"); named == ok {
			t.Errorf("issued key %q: accepted=%v, error %v", value, !named, err)
		}
	}
}
