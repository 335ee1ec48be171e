package sandboxapi

import (
	"context"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Deposit serves POST /sandbox/deposits (sandbox mode only): it
// builds a custody deposit callback, signs it like the provider would, sends
// it through the normal callback path and answers once it is applied.
func (s *Helpers) Deposit(w http.ResponseWriter, r *http.Request) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b struct {
		Currency *string            `json:"currency"`
		Amount   httpkit.FlexNumber `json:"amount"`
		UserID   httpkit.FlexNumber `json:"user_id"`
		Email    *string            `json:"email"`
		Address  *string            `json:"address"`
		Status   *int               `json:"status"`
	}
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	ctx := r.Context()
	f := httpkit.NewFields()
	cur, ok := s.Wallets.Currencies.Crypto(f.Required("currency", b.Currency))
	if !ok {
		f.Add("currency", "must be an enabled crypto currency")
	}
	amount := f.Amount("amount", b.Amount, cur.Decimals)
	status := 3
	if b.Status != nil {
		status = *b.Status
	}
	address := httpkit.Optional(b.Address)
	var userID int64
	switch {
	case address != "":
	case b.UserID.Present:
		userID = f.ID("user_id", b.UserID)
	case httpkit.Optional(b.Email) != "":
		u, err := s.Accounts.UserIDByEmail(ctx, httpkit.Optional(b.Email))
		if err != nil {
			return err
		}
		userID = u
	default:
		f.Add("user_id", "one of user_id, email or address is required")
	}
	if err := f.Err(); err != nil {
		return err
	}
	// Sandbox calls share one idempotency scope (no user is authenticated).
	s.Host.ExecuteOnce(w, r, 0, raw, func(ctx context.Context) (int, any, error) {
		return s.simulateDeposit(ctx, r, cur, amount, status, address, userID)
	})
	return nil
}

// simulateDeposit sends one signed deposit callback through the normal
// path, applies it and reports the result.
func (s *Helpers) simulateDeposit(ctx context.Context, r *http.Request, cur wallet.Currency, amount money.Amount, status int,
	address string, userID int64) (int, any, error) {
	if address == "" {
		a, err := s.Wallets.DepositAddress(ctx, userID, cur.Network)
		if err != nil {
			return 0, nil, err
		}
		address = a
	}
	tradeID, txID := "sbx_"+secret.Hex(12), "0x"+secret.Hex(32)
	baseUnits := new(big.Int).SetInt64(int64(amount))
	event, _ := json.Marshal(map[string]any{
		"tradeId": tradeID, "tradeType": 1, "address": address, "mainCoinType": strconv.Itoa(cur.MainCoinType),
		"coinType": cur.CoinType, "amount": baseUnits.String(), "fee": "0", "decimals": cur.Decimals, "status": status,
		"txId": txID, "blockHigh": "1", "businessId": "", "memo": "",
	})
	nonce, ts := secret.Hex(8), strconv.FormatInt(time.Now().Unix(), 10)
	form := url.Values{"body": {string(event)}, "nonce": {nonce}, "timestamp": {ts}, "sign": {s.CustodySigner.Sign(string(event), nonce, ts)}}
	eventID, _, err := s.Host.AcceptCustody(ctx, form)
	if err != nil {
		return 0, nil, err
	}
	if err := s.Inbox.Process(ctx, eventID); err != nil {
		return 0, nil, err
	}
	dep, err := s.Wallets.DepositByTrade(ctx, tradeID)
	if err != nil {
		return 0, nil, err
	}
	if dep.UserID == 0 {
		return 0, nil, apperr.New("RECIPIENT_NOT_FOUND").WithDetails("No user owns this address; the deposit is unmatched")
	}
	return http.StatusOK, httpkit.OKB(r, "OK", struct {
		TradeID    string               `json:"trade_id"`
		TxID       string               `json:"tx_id"`
		UserID     int64                `json:"user_id"`
		Currency   string               `json:"currency"`
		Amount     json.Number          `json:"amount"`
		Status     wallet.DepositStatus `json:"status"`
		NewBalance json.Number          `json:"new_balance"`
	}{tradeID, txID, dep.UserID, cur.Name, httpkit.Num(dep.Amount, cur.Decimals), dep.Status, httpkit.Num(dep.NewBalance, cur.Decimals)}), nil
}
