package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

type depositView struct {
	ID            int64       `json:"id"`
	TradeID       string      `json:"trade_id"`
	UserID        *int64      `json:"user_id"`
	Currency      string      `json:"currency"`
	Address       string      `json:"address"`
	Amount        json.Number `json:"amount"`
	TxID          string      `json:"tx_id"`
	Status        string      `json:"status"`
	CustodyStatus int         `json:"custody_status"`
	LedgerTxID    *int64      `json:"ledger_tx_id"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	CreditedAt    *time.Time  `json:"credited_at"`
}

func viewDeposit(x wallet.Deposit) depositView {
	return depositView{ID: x.ID, TradeID: x.TradeID, UserID: optionalID(x.UserID), Currency: x.Currency.Name, Address: x.Address,
		Amount: num(x.Amount, x.Currency.Decimals), TxID: x.TxID, Status: string(x.Status), CustodyStatus: x.CustodyStatus,
		LedgerTxID: optionalID(x.LedgerTxID), CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(), CreditedAt: optionalTime(x.CreditedAt)}
}

var depositStatuses = []string{string(wallet.DepositPending), string(wallet.DepositCompleted), string(wallet.DepositFailed),
	string(wallet.DepositBelowMinimum), string(wallet.DepositUnmatched), string(wallet.DepositDuplicate)}

// listDeposits: GET /admin/deposits?status=&user_id=.
func (a *API) listDeposits(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	return listPaged(w, r, func(f httpkit.Fields) wallet.DepositFilter {
		return wallet.DepositFilter{Status: wallet.DepositStatus(queryEnum(r, f, "status", depositStatuses...)),
			UserID: queryID(r, f, "user_id")}
	}, a.Office.Deposits, viewDeposit)
}

// assignDeposit: POST /admin/deposits/{id}/assign {user_id, reason?}.
func (a *API) assignDeposit(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", wallet.ErrDepositNotFound)
	if err != nil {
		return err
	}
	var in struct {
		UserID httpkit.FlexNumber `json:"user_id"`
		Reason *string            `json:"reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	userID := f.ID("user_id", in.UserID)
	if err := f.Err(); err != nil {
		return err
	}
	x, err := a.Office.AssignDeposit(r.Context(), id, userID, httpkit.Optional(in.Reason))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewDeposit(x))
}

// creditDeposit: POST /admin/deposits/{id}/credit {reason}.
func (a *API) creditDeposit(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, reason, err := idAndReason(r, wallet.ErrDepositNotFound)
	if err != nil {
		return err
	}
	x, out, err := a.Office.CreditDeposit(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return moneyAnswer(w, r, out, func() any { return viewDeposit(x) })
}
