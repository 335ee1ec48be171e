package card

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Currency is the currency of every card (API.md §2.6).
const Currency = "HKD"

// Ledger account names of a card's money. A card's spendable balance and
// the amounts authorised but not yet cleared are the user's own accounts,
// so the ledger keeps both from going negative.
const (
	balancePrefix = "card:"
	holdPrefix    = "card_hold:"
)

// LedgerKind is the kind of the card balance accounts in the ledger's
// totals (ledger.Total.Name): their name up to the first ':'.
const LedgerKind = "card"

// BalanceAccount is the ledger account of a card's spendable HKD balance.
func BalanceAccount(c Card) ledger.AccountRef {
	return ledger.UserAccount(c.UserID, balancePrefix+strconv.FormatInt(c.ID, 10), Currency)
}

// HoldAccount is the ledger account of a card's authorised, uncleared HKD.
func HoldAccount(c Card) ledger.AccountRef {
	return ledger.UserAccount(c.UserID, holdPrefix+strconv.FormatInt(c.ID, 10), Currency)
}

// balanceColumn reads a card's balance from the ledger inside a cards query.
var balanceColumn = ledger.BalanceColumn("cards.user_id", "'"+balancePrefix+"' || cards.id", "'"+Currency+"'")

// TotalBalance is the sum of a user's card balances (the wallet's read-only
// HKD entry); a cancelled card has been emptied, so all cards can be summed.
func (s *Service) TotalBalance(ctx context.Context, q store.Querier, userID int64) (money.Amount, error) {
	return s.Ledger.SumBalances(ctx, q, userID, balancePrefix, Currency)
}

// Balance returns a card's balance as of q (inside a transaction: after its
// postings).
func (s *Service) Balance(ctx context.Context, q store.Querier, c Card) (money.Amount, error) {
	return s.Ledger.Balance(ctx, q, BalanceAccount(c))
}

// ForUpdate returns the caller's card by public token or record id, locked
// in tx (PostgreSQL; SQLite's writer is single).
func (s *Service) ForUpdate(ctx context.Context, tx *sql.Tx, userID, id int64, publicToken string) (Card, error) {
	return s.get(ctx, tx, userID, id, publicToken, s.DB.ForUpdate())
}
