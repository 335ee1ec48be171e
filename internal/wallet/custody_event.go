package wallet

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/platform/jsonx"
)

// CustodyEvent is the JSON `body` of a custody callback (API.md §2.11.1).
// The provider sends numbers sometimes as JSON strings and sometimes as
// JSON numbers, so every field is decoded as "string or number".
type CustodyEvent struct {
	TradeID      string
	TradeType    int // 1 deposit, 2 withdrawal
	Address      string
	MainCoinType string
	CoinType     string
	Amount       string // integer base units
	Fee          string // integer base units
	Decimals     int
	Status       int
	TxID         string
	BlockHigh    string
	BusinessID   string
	Memo         string
}

// UnmarshalJSON implements json.Unmarshaler.
func (ev *CustodyEvent) UnmarshalJSON(b []byte) error {
	var raw struct {
		TradeID      jsonx.Text `json:"tradeId"`
		TradeType    jsonx.Text `json:"tradeType"`
		Address      jsonx.Text `json:"address"`
		MainCoinType jsonx.Text `json:"mainCoinType"`
		CoinType     jsonx.Text `json:"coinType"`
		Amount       jsonx.Text `json:"amount"`
		Fee          jsonx.Text `json:"fee"`
		Decimals     jsonx.Text `json:"decimals"`
		Status       jsonx.Text `json:"status"`
		TxID         jsonx.Text `json:"txId"`
		BlockHigh    jsonx.Text `json:"blockHigh"`
		BusinessID   jsonx.Text `json:"businessId"`
		Memo         jsonx.Text `json:"memo"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var err error
	toInt := func(name string, f jsonx.Text) int {
		if f == "" || err != nil {
			return 0
		}
		n, e := strconv.Atoi(strings.TrimSpace(string(f)))
		if e != nil {
			err = fmt.Errorf("%s: not an integer: %q", name, string(f))
		}
		return n
	}
	*ev = CustodyEvent{TradeID: string(raw.TradeID), TradeType: toInt("tradeType", raw.TradeType), Address: string(raw.Address),
		MainCoinType: string(raw.MainCoinType), CoinType: string(raw.CoinType), Amount: string(raw.Amount), Fee: string(raw.Fee),
		Decimals: toInt("decimals", raw.Decimals), Status: toInt("status", raw.Status), TxID: string(raw.TxID),
		BlockHigh: string(raw.BlockHigh), BusinessID: string(raw.BusinessID), Memo: string(raw.Memo)}
	return err
}

// ParseCustodyEvent decodes and sanity-checks a callback body.
func ParseCustodyEvent(body []byte) (CustodyEvent, error) {
	var ev CustodyEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return ev, fmt.Errorf("custody event: %w", err)
	}
	if ev.TradeID == "" || (ev.TradeType != 1 && ev.TradeType != 2) || ev.Decimals < 0 || ev.Decimals > 36 {
		return ev, errors.New("custody event: missing tradeId, unknown tradeType or bad decimals")
	}
	return ev, nil
}

// EventKey is the inbox key of a custody callback: the trade id and its
// status, so each status change of a trade is one event and a redelivery of
// the same change (whether its numbers came as strings or as numbers) is a
// duplicate.
func (ev CustodyEvent) EventKey() string {
	return ev.TradeID + ":" + strconv.Itoa(ev.Status)
}
