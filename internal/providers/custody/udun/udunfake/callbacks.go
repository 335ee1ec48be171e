package udunfake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Trade is the body of a callback. Each status change of one trade is sent
// with the same TradeID.
type Trade struct {
	TradeID      string
	TradeType    int // 1 deposit, 2 withdrawal
	Address      string
	MainCoinType string
	CoinType     string
	Amount       string // integer base units
	Fee          string // integer base units
	Decimals     int
	Status       int // 0 pending review, 1 approved, 2 rejected, 3 succeeded, 4 failed
	TxID         string
	BlockHigh    string
	BusinessID   string
	Memo         string
}

// NumberStyle is how the numeric fields of a callback are written: the
// provider sends them sometimes as JSON strings, sometimes as numbers.
type NumberStyle int

// Number styles.
const (
	NumbersAsStrings NumberStyle = iota
	NumbersAsNumbers
)

// JSON is the callback's body text in style.
func (t Trade) JSON(style NumberStyle) []byte {
	num := func(s string) any {
		if style == NumbersAsNumbers && s != "" && allDigits(strings.TrimPrefix(s, "-")) {
			return json.Number(s)
		}
		return s
	}
	m := map[string]any{"tradeId": num(t.TradeID), "tradeType": num(strconv.Itoa(t.TradeType)), "address": t.Address,
		"mainCoinType": num(t.MainCoinType), "coinType": t.CoinType, "amount": num(t.Amount), "fee": num(t.Fee),
		"decimals": num(strconv.Itoa(t.Decimals)), "status": num(strconv.Itoa(t.Status)), "txId": t.TxID,
		"blockHigh": num(t.BlockHigh), "memo": t.Memo}
	if t.BusinessID != "" {
		m["businessId"] = num(t.BusinessID)
	}
	b, _ := json.Marshal(m)
	return b
}

// Send delivers a trade to callbackURL as the provider does: a signed form
// post of timestamp (milliseconds), nonce, sign and body. Only the plain
// text reply "success" is an acknowledgement; anything else is an error
// (the provider would resend).
func (f *Fake) Send(ctx context.Context, callbackURL string, t Trade, style NumberStyle) error {
	body := string(t.JSON(style))
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return fmt.Errorf("udunfake: nonce: %w", err)
	}
	nonce, ts := fmt.Sprintf("%06d", n.Int64()), strconv.FormatInt(time.Now().UnixMilli(), 10)
	form := url.Values{"timestamp": {ts}, "nonce": {nonce}, "sign": {Sign(body, f.APIKey, nonce, ts)}, "body": {body}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, callbackURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("udunfake: callback: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("udunfake: callback %s: %w", t.TradeID, err)
	}
	defer res.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK || !bytes.Equal(bytes.TrimSpace(reply), []byte("success")) {
		return fmt.Errorf("udunfake: callback %s not acknowledged: HTTP %d %q", t.TradeID, res.StatusCode, reply)
	}
	return nil
}

// DepositTrade makes a deposit trade (a new trade id) of amountBaseUnits of
// the coin coinType (the token contract, or the chain number for a main
// coin) to address, without sending it.
func (f *Fake) DepositTrade(address, coinType, amountBaseUnits string, status int) (Trade, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var coin *Coin
	for i := range f.coins {
		if strings.EqualFold(f.coins[i].CoinType, coinType) {
			coin = &f.coins[i]
		}
	}
	if coin == nil {
		return Trade{}, fmt.Errorf("udunfake: no coin %q", coinType)
	}
	f.seq++
	id := fmt.Sprintf("%d%06d", time.Now().UnixMilli(), f.seq)
	return Trade{TradeID: id, TradeType: 1, Address: address, MainCoinType: coin.MainCoinType, CoinType: coin.CoinType,
		Amount: amountBaseUnits, Fee: "0", Decimals: coin.Decimals, Status: status, TxID: txHash("deposit|" + id),
		BlockHigh: strconv.Itoa(50_000_000 + f.seq)}, nil
}

// Deposit makes a deposit trade and sends it; send the returned trade again
// with another Status for its later states.
func (f *Fake) Deposit(ctx context.Context, callbackURL, address, coinType, amountBaseUnits string, status int) (Trade, error) {
	t, err := f.DepositTrade(address, coinType, amountBaseUnits, status)
	if err != nil {
		return Trade{}, err
	}
	return t, f.Send(ctx, callbackURL, t, NumbersAsStrings)
}

// WithdrawalTrade is the callback of an accepted order at a status; every
// status of one order shares its trade id.
func (f *Fake) WithdrawalTrade(businessID string, status int) (Trade, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.withdrawals[businessID]
	if !ok {
		return Trade{}, fmt.Errorf("udunfake: no accepted withdrawal %q", businessID)
	}
	c, ok := f.coin(w.MainCoinType, w.CoinType)
	if !ok {
		return Trade{}, fmt.Errorf("udunfake: withdrawal %q: coin gone", businessID)
	}
	amount, _ := baseUnits(w.Amount, c.Decimals)
	t := Trade{TradeID: "wd" + hex.EncodeToString(sha([]byte(businessID))[:8]), TradeType: 2, Address: w.Address,
		MainCoinType: w.MainCoinType, CoinType: c.CoinType, Amount: amount, Fee: "0", Decimals: c.Decimals, Status: status,
		BusinessID: businessID, BlockHigh: "0"}
	if status == 3 {
		t.TxID, t.BlockHigh = txHash("withdrawal|"+businessID), "50000001"
	}
	return t, nil
}

// SettleWithdrawal sends the callback of an accepted order at a status
// (1 approved, 2 rejected, 3 succeeded, 4 failed).
func (f *Fake) SettleWithdrawal(ctx context.Context, callbackURL, businessID string, status int) (Trade, error) {
	t, err := f.WithdrawalTrade(businessID, status)
	if err != nil {
		return Trade{}, err
	}
	return t, f.Send(ctx, callbackURL, t, NumbersAsStrings)
}

func sha(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func txHash(seed string) string { return hex.EncodeToString(sha([]byte(seed))) }
