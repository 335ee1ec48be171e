package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

type withdrawalView struct {
	ID           int64       `json:"id"`
	UserID       int64       `json:"user_id"`
	Currency     string      `json:"currency"`
	Amount       json.Number `json:"amount"`
	Fee          json.Number `json:"fee"`
	ActualAmount json.Number `json:"actual_amount"`
	Address      string      `json:"address"`
	Status       string      `json:"status"`
	TxHash       string      `json:"tx_hash"`
	RejectReason string      `json:"reject_reason"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
	CompletedAt  *time.Time  `json:"completed_at"`
}

func viewWithdrawal(x wallet.Withdrawal) withdrawalView {
	d := x.Currency.Decimals
	return withdrawalView{ID: x.ID, UserID: x.UserID, Currency: x.Currency.Name, Amount: num(x.Amount, d), Fee: num(x.Fee, d),
		ActualAmount: num(x.ActualAmount(), d), Address: x.Address, Status: string(x.Status), TxHash: x.TxHash,
		RejectReason: x.RejectReason, CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(), CompletedAt: optionalTime(x.CompletedAt)}
}

var withdrawalStatuses = []string{string(wallet.WithdrawalPending), string(wallet.WithdrawalApproved), string(wallet.WithdrawalCompleted),
	string(wallet.WithdrawalRejected), string(wallet.WithdrawalFailed)}

// listWithdrawals: GET /admin/withdrawals?status=&user_id=.
func (a *API) listWithdrawals(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	return listPaged(w, r, func(f httpkit.Fields) wallet.WithdrawalFilter {
		return wallet.WithdrawalFilter{Status: wallet.WithdrawalStatus(queryEnum(r, f, "status", withdrawalStatuses...)),
			UserID: queryID(r, f, "user_id")}
	}, a.Office.Withdrawals, viewWithdrawal)
}

// approveWithdrawal: POST /admin/withdrawals/{id}/approve {reason}.
func (a *API) approveWithdrawal(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, reason, err := idAndReason(r, wallet.ErrWithdrawalNotFound)
	if err != nil {
		return err
	}
	x, out, err := a.Office.ApproveWithdrawal(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return moneyAnswer(w, r, out, func() any { return viewWithdrawal(x) })
}

// rejectWithdrawal: POST /admin/withdrawals/{id}/reject {reason}.
func (a *API) rejectWithdrawal(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, reason, err := idAndReason(r, wallet.ErrWithdrawalNotFound)
	if err != nil {
		return err
	}
	x, err := a.Office.RejectWithdrawal(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewWithdrawal(x))
}
