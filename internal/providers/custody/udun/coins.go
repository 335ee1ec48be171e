package udun

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/comecomepay/comecomepay/internal/money"

	"github.com/comecomepay/comecomepay/internal/platform/jsonx"
)

// Coin is one entry of /mch/support-coins: the provider's truth for chain
// numbers, token contracts and decimals.
type Coin struct {
	Name         string
	Symbol       string
	MainCoinType string // chain number, as the provider writes it
	CoinType     string // token contract; equals MainCoinType for the main coin
	Decimals     int
	TokenStatus  int // 0 main coin, 1 token
	MainSymbol   string
	Balance      string // human units; only with showBalance
}

// UnmarshalJSON reads every field as "string or number".
func (c *Coin) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name         jsonx.Text `json:"name"`
		Symbol       jsonx.Text `json:"symbol"`
		MainCoinType jsonx.Text `json:"mainCoinType"`
		CoinType     jsonx.Text `json:"coinType"`
		Decimals     jsonx.Text `json:"decimals"`
		TokenStatus  jsonx.Text `json:"tokenStatus"`
		MainSymbol   jsonx.Text `json:"mainSymbol"`
		Balance      jsonx.Text `json:"balance"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	decimals, err := strconv.Atoi(string(raw.Decimals))
	if err != nil || decimals < 0 || decimals > 36 {
		return fmt.Errorf("coin %q: decimals %q", string(raw.Symbol), string(raw.Decimals))
	}
	status, _ := strconv.Atoi(string(raw.TokenStatus))
	*c = Coin{Name: string(raw.Name), Symbol: string(raw.Symbol), MainCoinType: string(raw.MainCoinType), CoinType: string(raw.CoinType),
		Decimals: decimals, TokenStatus: status, MainSymbol: string(raw.MainSymbol), Balance: string(raw.Balance)}
	return nil
}

const (
	// coinsTTL is how long the support-coins list is trusted.
	coinsTTL = 10 * time.Minute
	// coinsMissRefresh is the least age at which a lookup that misses
	// refetches the list, so an unknown coin cannot hammer the gateway.
	coinsMissRefresh = 30 * time.Second
)

// coinCache holds the support-coins list. It only caches what the
// provider says about its own coins, so replicas holding different copies
// for a few minutes answer the same.
type coinCache struct {
	fetch func(ctx context.Context, showBalance bool) ([]Coin, error)
	now   func() time.Time

	mu      sync.Mutex
	coins   []Coin
	fetched time.Time
}

func newCoinCache(fetch func(ctx context.Context, showBalance bool) ([]Coin, error), now func() time.Time) *coinCache {
	return &coinCache{fetch: fetch, now: now}
}

// list returns the cached list, fetching it when stale (or, with
// missedBefore, when older than coinsMissRefresh).
func (cc *coinCache) list(ctx context.Context, missedBefore bool) ([]Coin, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	age := cc.now().Sub(cc.fetched)
	if cc.coins != nil && age < coinsTTL && (!missedBefore || age < coinsMissRefresh) {
		return cc.coins, nil
	}
	coins, err := cc.fetch(ctx, false)
	if err != nil {
		return nil, err
	}
	cc.store(coins)
	return coins, nil
}

// store keeps a freshly fetched list; the caller holds mu or owns the cache.
func (cc *coinCache) store(coins []Coin) {
	cc.coins, cc.fetched = coins, cc.now()
}

// find returns the first coin that match accepts, refetching the list
// once on a miss.
func (cc *coinCache) find(ctx context.Context, match func(Coin) bool) (Coin, error) {
	for _, missed := range []bool{false, true} {
		coins, err := cc.list(ctx, missed)
		if err != nil {
			return Coin{}, err
		}
		for _, c := range coins {
			if match(c) {
				return c, nil
			}
		}
	}
	return Coin{}, ErrUnknownCoin
}

// coinOf matches a currency's (mainCoinType, coinType) pair.
func coinOf(mainCoinType int, coinType string) func(Coin) bool {
	main := strconv.Itoa(mainCoinType)
	return func(c Coin) bool { return c.MainCoinType == main && strings.EqualFold(c.CoinType, coinType) }
}

// chainOf matches any coin of a chain.
func chainOf(mainCoinType int) func(Coin) bool {
	main := strconv.Itoa(mainCoinType)
	return func(c Coin) bool { return c.MainCoinType == main }
}

// fetchCoins calls /mch/support-coins.
func (c *Client) fetchCoins(ctx context.Context, showBalance bool) ([]Coin, error) {
	var coins []Coin
	err := c.call(ctx, "/mch/support-coins", map[string]any{"merchantId": c.cfg.MerchantID, "showBalance": showBalance}, &coins)
	if err != nil {
		return nil, fmt.Errorf("udun: support coins: %w", err)
	}
	return coins, nil
}

var ten = big.NewInt(10)

// humanAmount writes minor units of a currency with scale decimals as the
// provider's human decimal string for a coin with coinDecimals, exactly:
// an amount finer than the coin can carry is refused, never rounded.
func humanAmount(a money.Amount, scale, coinDecimals int) (string, error) {
	if a <= 0 {
		return "", fmt.Errorf("amount %d must be positive", a)
	}
	n := big.NewInt(int64(a))
	if coinDecimals < scale {
		unit := new(big.Int).Exp(ten, big.NewInt(int64(scale-coinDecimals)), nil)
		if new(big.Int).Rem(n, unit).Sign() != 0 {
			return "", fmt.Errorf("amount %s has more than the coin's %d decimals", a.Format(scale), coinDecimals)
		}
	}
	text := n.String()
	if scale == 0 {
		return text, nil
	}
	if len(text) <= scale {
		text = strings.Repeat("0", scale-len(text)+1) + text
	}
	whole, frac := text[:len(text)-scale], strings.TrimRight(text[len(text)-scale:], "0")
	if frac == "" {
		return whole, nil
	}
	return whole + "." + frac, nil
}

// parseHuman reads a non-negative human decimal ("12.5") into minor units
// with scale decimals, truncating finer digits.
func parseHuman(s string, scale int) (money.Amount, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "." {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || (frac != "" && !digits(frac)) {
		return 0, false
	}
	if len(frac) > scale {
		frac = frac[:scale]
	}
	frac += strings.Repeat("0", scale-len(frac))
	n, ok := new(big.Int).SetString(whole+frac, 10)
	if !ok || !n.IsInt64() {
		return 0, false
	}
	return money.Amount(n.Int64()), true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
