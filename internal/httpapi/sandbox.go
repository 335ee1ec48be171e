package httpapi

import (
	"context"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// envelopeB is the wrapped success body.
type envelopeB struct {
	envelopeA
	Data any `json:"data"`
}

func okB(r *http.Request, message string, data any) envelopeB {
	return envelopeB{okA(r, message), data}
}

// sandboxOnly checks X-Sandbox-Token when a sandbox token is configured.
func (s *Server) sandboxOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.SandboxToken != "" && !secret.Equal(r.Header.Get("X-Sandbox-Token"), s.SandboxToken) {
			return apperr.New(apperr.CodeUnauthorized).WithDetails("X-Sandbox-Token is missing or wrong")
		}
		return h(w, r)
	}
}

// sandboxDeposit serves POST /sandbox/deposits (sandbox mode only): it
// builds a custody deposit callback, signs it like the provider would, sends
// it through the normal callback path and answers once it is applied.
func (s *Server) sandboxDeposit(w http.ResponseWriter, r *http.Request) error {
	raw, err := readBody(r)
	if err != nil {
		return err
	}
	var b struct {
		Currency *string    `json:"currency"`
		Amount   flexNumber `json:"amount"`
		UserID   flexNumber `json:"user_id"`
		Email    *string    `json:"email"`
		Address  *string    `json:"address"`
		Status   *int       `json:"status"`
	}
	if err := decodeJSON(raw, &b); err != nil {
		return err
	}
	ctx := r.Context()
	f := newFields()
	cur, ok := s.Wallets.Currencies.Crypto(f.required("currency", b.Currency))
	if !ok {
		f.Add("currency", "must be an enabled crypto currency")
	}
	amount := f.amount("amount", b.Amount, cur.Decimals)
	status := 3
	if b.Status != nil {
		status = *b.Status
	}
	address := optional(b.Address)
	var userID int64
	switch {
	case address != "":
	case b.UserID.present:
		userID = f.id("user_id", b.UserID)
	case optional(b.Email) != "":
		u, err := s.Accounts.UserIDByEmail(ctx, optional(b.Email))
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
	s.executeOnce(w, r, 0, raw, func(ctx context.Context) (int, any, error) {
		return s.simulateDeposit(ctx, r, cur, amount, status, address, userID)
	})
	return nil
}

// simulateDeposit sends one signed deposit callback through the normal
// path, applies it and reports the result.
func (s *Server) simulateDeposit(ctx context.Context, r *http.Request, cur wallet.Currency, amount money.Amount, status int,
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
	form := url.Values{"body": {string(event)}, "nonce": {nonce}, "timestamp": {ts}, "sign": {s.Custody.Sign(string(event), nonce, ts)}}
	eventID, _, err := s.AcceptCustody(ctx, form)
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
	return http.StatusOK, okB(r, "OK", struct {
		TradeID    string      `json:"trade_id"`
		TxID       string      `json:"tx_id"`
		UserID     int64       `json:"user_id"`
		Currency   string      `json:"currency"`
		Amount     json.Number `json:"amount"`
		Status     string      `json:"status"`
		NewBalance json.Number `json:"new_balance"`
	}{tradeID, txID, dep.UserID, cur.Name, num(dep.Amount, cur.Decimals), dep.Status, num(dep.NewBalance, cur.Decimals)}), nil
}
