package sandboxapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// CustodySimulator lets sandbox helpers report withdrawal outcomes.
type CustodySimulator interface {
	Settle(ctx context.Context, o wallet.WithdrawalOrder, status int) error
}

// SettleWithdrawal serves POST /sandbox/withdrawals/{id}/settle.
func (s *Helpers) SettleWithdrawal(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Outcome *string `json:"outcome"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		f.Add("id", "must be a positive integer")
	}
	status := map[string]int{"completed": 3, "rejected": 2, "failed": 4}[f.Required("outcome", b.Outcome)]
	if b.Outcome != nil && status == 0 {
		f.Add("outcome", "must be completed, failed or rejected")
	}
	if err := f.Err(); err != nil {
		return err
	}
	wd, err := s.Wallets.Withdrawal(r.Context(), id)
	if err != nil {
		return err
	}
	order := wallet.WithdrawalOrder{BusinessID: strconv.FormatInt(wd.ID, 10), Currency: wd.Currency, Address: wd.Address, Amount: wd.ActualAmount()}
	if err := s.Sim.Custody.Settle(r.Context(), order, status); err != nil {
		return err
	}
	if wd, err = s.Wallets.Withdrawal(r.Context(), id); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", s.Host.WithdrawalView(wd)))
	return nil
}
