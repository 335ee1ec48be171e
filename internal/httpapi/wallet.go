package httpapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

type balanceJSON struct {
	ID           int64       `json:"id"`
	Currency     string      `json:"currency"`
	Balance      json.Number `json:"balance"`
	MainCoinType int         `json:"main_coin_type"`
	CoinType     string      `json:"coin_type"`
	Symbol       string      `json:"symbol"`
	Decimals     int         `json:"decimals"`
	TokenStatus  int         `json:"token_status"`
	MainSymbol   string      `json:"main_symbol"`
	Logo         string      `json:"logo"`
	CoinName     string      `json:"coin_name"`
	Address      string      `json:"address"`
	CreatedAt    string      `json:"created_at"`
	UpdatedAt    string      `json:"updated_at"`
}

type walletJSON struct {
	ID                 int64                  `json:"id"`
	UserID             int64                  `json:"user_id"`
	WalletID           string                 `json:"wallet_id"`
	Currency           string                 `json:"currency"`
	Status             string                 `json:"status"`
	DailyLimit         json.Number            `json:"daily_limit"`
	MonthlyLimit       json.Number            `json:"monthly_limit"`
	BalancesByCurrency map[string]json.Number `json:"balances_by_currency"`
	Balances           []balanceJSON          `json:"balances"`
	TotalAssetHKD      json.Number            `json:"total_asset_hkd"`
	TotalAssetUSDT     json.Number            `json:"total_asset_usdt"`
	CreatedAt          string                 `json:"created_at"`
	UpdatedAt          string                 `json:"updated_at"`
}

// getWallet serves GET /wallet/ (the id_user header is ignored: identity
// comes from the token only).
func (s *Server) getWallet(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	o, err := s.Wallets.Overview(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	created := rfc3339(o.CreatedAt)
	out := walletJSON{ID: o.UserID, UserID: o.UserID, WalletID: o.WalletID, Currency: "USD", Status: o.Status,
		DailyLimit: httpkit.Num(o.DailyLimit, 2), MonthlyLimit: httpkit.Num(o.MonthlyLimit, 2),
		BalancesByCurrency: map[string]json.Number{}, Balances: []balanceJSON{},
		TotalAssetHKD: httpkit.Num(o.TotalHKD, 2), TotalAssetUSDT: httpkit.Num(o.TotalUSDT, 6), CreatedAt: created, UpdatedAt: rfc3339(o.UpdatedAt)}
	for _, b := range o.Balances {
		c := b.Currency
		out.BalancesByCurrency[c.Name] = httpkit.Num(b.Available, c.Decimals)
		out.Balances = append(out.Balances, balanceJSON{ID: b.AccountID, Currency: c.Name, Balance: httpkit.Num(b.Available, c.Decimals),
			MainCoinType: c.MainCoinType, CoinType: c.CoinType, Symbol: c.Symbol, Decimals: c.Decimals, TokenStatus: c.TokenStatus,
			MainSymbol: c.MainSymbol, Logo: c.Logo, CoinName: c.CoinName, Address: b.Address, CreatedAt: created, UpdatedAt: created})
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Wallet walletJSON `json:"wallet"`
	}{httpkit.OKA(r, "Wallet retrieved successfully"), out})
	return nil
}

// transferByUID serves POST /wallet/transfer-by-uid.
func (s *Server) transferByUID(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b struct {
		RecipientUID httpkit.FlexNumber `json:"recipient_uid"`
		Currency     *string            `json:"currency"`
		Amount       httpkit.FlexNumber `json:"amount"`
		TxPassword   *string            `json:"transaction_password"`
		Description  *string            `json:"description"`
	}
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	cur, ok, err := s.cryptoCurrency(f, b.Currency, "transferred")
	if err != nil {
		return err
	}
	in := wallet.TransferInput{SenderID: p.UserID, RecipientID: f.ID("recipient_uid", b.RecipientUID), Currency: cur}
	if ok {
		in.Amount = f.Amount("amount", b.Amount, cur.Decimals)
	}
	in.TxPassword = f.Secret("transaction_password", b.TxPassword)
	if in.TxPassword != "" && !account.IsOTPFormat(in.TxPassword, 6) {
		f.Add("transaction_password", "must be 6 digits")
	}
	in.Description = httpkit.Optional(b.Description)
	if len([]rune(in.Description)) > 140 {
		f.Add("description", "must be at most 140 characters")
	}
	if in.Description == "" {
		in.Description = "Internal transfer"
	}
	if err := f.Err(); err != nil {
		return err
	}
	s.execute(w, r, p.UserID, raw, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		res, err := s.Wallets.Transfer(ctx, tx, in)
		if err != nil {
			return 0, nil, err
		}
		d := res.Currency.Decimals
		return http.StatusOK, struct {
			httpkit.EnvelopeA
			TransactionID     int64       `json:"transaction_id"`
			Currency          string      `json:"currency"`
			Amount            json.Number `json:"amount"`
			NewBalance        json.Number `json:"new_balance"`
			RecipientUID      int64       `json:"recipient_uid"`
			RecipientWalletID string      `json:"recipient_wallet_id"`
		}{httpkit.OKA(r, "Transfer completed successfully"), res.TransactionID, res.Currency.Name, httpkit.Num(res.Amount, d),
			httpkit.Num(res.NewBalance, d), res.RecipientID, res.RecipientWalletID}, nil
	})
	return nil
}
