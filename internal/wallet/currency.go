package wallet

import (
	"fmt"
	"strings"

	"github.com/comecomepay/comecomepay/internal/chain"
)

// Currency is one row of the currency table (API.md §1.7).
type Currency struct {
	Name         string // wallet name, e.g. "USDT-TRC20"
	MainCoinType int
	CoinType     string // token contract
	Symbol       string
	Decimals     int
	TokenStatus  int
	MainSymbol   string
	CoinName     string
	Logo         string
	// Network is empty for HKD, the read-only card balance.
	Network chain.Network
}

// HKD is the card currency: read-only in the wallet, the sum of card balances.
const HKD = "HKD"

// Crypto reports whether c is a wallet (on-chain) currency.
func (c Currency) Crypto() bool { return c.Network != "" }

// Token is the part of the name before "-" ("USDT-TRC20" → "USDT").
func (c Currency) Token() string {
	t, _, _ := strings.Cut(c.Name, "-")
	return t
}

// DefaultCurrencies is the default currency table, in display order.
var DefaultCurrencies = []Currency{
	{Name: "USDT-TRC20", MainCoinType: 195, CoinType: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", Symbol: "TRCUSDT", Decimals: 6, TokenStatus: 1, MainSymbol: "TRX", CoinName: "TRC20-USDT", Network: chain.TRC20},
	{Name: "USDT-ERC20", MainCoinType: 60, CoinType: "0xdac17f958d2ee523a2206206994597c13d831ec7", Symbol: "ERCUSDT", Decimals: 6, TokenStatus: 1, MainSymbol: "ETH", CoinName: "ERC20-USDT", Network: chain.ERC20},
	{Name: "USDC-TRC20", MainCoinType: 195, CoinType: "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8", Symbol: "TRCUSDC", Decimals: 6, TokenStatus: 1, MainSymbol: "TRX", CoinName: "TRC20-USDC", Network: chain.TRC20},
	{Name: "USDC-ERC20", MainCoinType: 60, CoinType: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", Symbol: "ERCUSDC", Decimals: 6, TokenStatus: 1, MainSymbol: "ETH", CoinName: "ERC20-USDC", Network: chain.ERC20},
	{Name: HKD, MainCoinType: 0, CoinType: "", Symbol: "HKD", Decimals: 2, TokenStatus: 0, MainSymbol: "HKD", CoinName: "HKD"},
}

// Currencies is the enabled currency table.
type Currencies struct {
	list   []Currency
	byName map[string]Currency
}

// NewCurrencies returns the table of the given currencies, in order.
func NewCurrencies(list []Currency) *Currencies {
	c := &Currencies{list: list, byName: map[string]Currency{}}
	for _, cur := range list {
		c.byName[cur.Name] = cur
	}
	return c
}

// All returns the enabled currencies in display order.
func (c *Currencies) All() []Currency { return c.list }

// Get returns the currency named name (exact, case-sensitive as the API writes them).
func (c *Currencies) Get(name string) (Currency, bool) {
	cur, ok := c.byName[name]
	return cur, ok
}

// Crypto returns the enabled on-chain currency named name.
func (c *Currencies) Crypto(name string) (Currency, bool) {
	cur, ok := c.byName[strings.ToUpper(strings.TrimSpace(name))]
	return cur, ok && cur.Crypto()
}

// ByContract maps a custody (mainCoinType, coinType) pair to a currency.
func (c *Currencies) ByContract(mainCoinType int, coinType string) (Currency, bool) {
	for _, cur := range c.list {
		if cur.Crypto() && cur.MainCoinType == mainCoinType && strings.EqualFold(cur.CoinType, coinType) {
			return cur, true
		}
	}
	return Currency{}, false
}

// SelectCurrencies returns the currencies of the default table named in
// names, in the order given; an unknown name is an error.
func SelectCurrencies(names []string) ([]Currency, error) {
	byName := map[string]Currency{}
	for _, c := range DefaultCurrencies {
		byName[c.Name] = c
	}
	out := make([]Currency, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		c, ok := byName[strings.ToUpper(strings.TrimSpace(n))]
		if !ok {
			return nil, fmt.Errorf("unknown wallet currency %q", n)
		}
		if !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c)
		}
	}
	return out, nil
}
