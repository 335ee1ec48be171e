package sandboxapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/money"
)

// FXSimulator sets the simulated USD-stablecoin → HKD rate for every replica.
type FXSimulator interface {
	SetUSDTHKD(ctx context.Context, rate money.Rate) error
}

// FX serves POST /sandbox/fx (sandbox mode only, API.md §4).
func (s *Helpers) FX(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		USDTHKD httpkit.FlexNumber `json:"usdt_hkd"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	var rate money.Rate
	switch {
	case !b.USDTHKD.Present:
		f.Add("usdt_hkd", "is required")
	case !b.USDTHKD.TypeOK:
		f.Add("usdt_hkd", "must be a number")
	default:
		var err error
		if rate, err = money.ParseRate(b.USDTHKD.Raw); err != nil {
			f.Add("usdt_hkd", err.Error())
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Sim.FX.SetUSDTHKD(r.Context(), rate); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		USDTHKD any `json:"usdt_hkd"`
	}{json.Number(rate.String())}))
	return nil
}
