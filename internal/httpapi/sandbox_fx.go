package httpapi

import (
	"context"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/money"
)

// SandboxFX sets the simulated USD-stablecoin → HKD rate for every replica.
type SandboxFX interface {
	SetUSDTHKD(ctx context.Context, rate money.Rate) error
}

// sandboxFX serves POST /sandbox/fx (sandbox mode only, API.md §4).
func (s *Server) sandboxFX(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		USDTHKD flexNumber `json:"usdt_hkd"`
	}
	if err := decode(r, &b); err != nil {
		return err
	}
	f := newFields()
	var rate money.Rate
	switch {
	case !b.USDTHKD.present:
		f.Add("usdt_hkd", "is required")
	case !b.USDTHKD.typeOK:
		f.Add("usdt_hkd", "must be a number")
	default:
		var err error
		if rate, err = money.ParseRate(b.USDTHKD.raw); err != nil {
			f.Add("usdt_hkd", err.Error())
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.SandboxFX.SetUSDTHKD(r.Context(), rate); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, okB(r, "OK", struct {
		USDTHKD any `json:"usdt_hkd"`
	}{rateNum(rate)}))
	return nil
}
