// Package issuerpoll feeds the card domain from an issuer that is asked
// rather than pushing (PokePay: issuance tasks are polled, trades queried,
// no card or trade callbacks are known; PROVIDERS.md §3). A periodic job
// reads a Source from stored cursors, turns what it reads into the internal
// issuer events of API.md §2.11.3 and stores them in the webhook inbox under
// provider "issuer", exactly as a pushed event is stored, so one processor
// (card.Service.IssuerProcessor) applies both.
//
// Every event gets a key derived from what was read ("poll:trade:<id>:
// cleared"), so reading the same window twice stores nothing new: the
// inbox's unique (provider, event key) is the idempotency record, and a
// cursor is only a bookmark of how far reading got.
package issuerpoll

import (
	"context"
	"errors"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
)

// Source is what an issuer adapter implements to be polled. Each call is
// a read: the poller calls it again after any failure.
type Source interface {
	// IssuanceTask returns the state of the issuance task submitted under
	// our reference (card.TaskReference: "task-<id>"). ErrUnknownTask when
	// the issuer has no such task (not submitted yet, or lost).
	IssuanceTask(ctx context.Context, reference string) (IssuanceTask, error)
	// Trades returns trades created or changed after cursor ("" = the
	// adapter's own starting point), oldest change first, at most limit,
	// with the cursor that resumes after the last one returned. More tells
	// another page is ready now.
	Trades(ctx context.Context, cursor string, limit int) (TradePage, error)
	// CardStates returns the issuer's status of each card named; a card
	// the issuer does not know is left out.
	CardStates(ctx context.Context, publicTokens []string) ([]CardState, error)
}

// ErrUnknownTask is IssuanceTask's answer for a reference the issuer does
// not know.
var ErrUnknownTask = errors.New("issuerpoll: issuance task unknown to the issuer")

// TaskState is an issuance task's state at the issuer (PokePay: pending,
// processing, completed, failed).
type TaskState string

// Task states.
const (
	TaskPending    TaskState = "pending"
	TaskProcessing TaskState = "processing"
	TaskCompleted  TaskState = "completed"
	TaskFailed     TaskState = "failed"
)

// IssuanceTask is one issuance task. A completed task carries the card; one
// whose card list says the card failed is reported as TaskFailed by the
// adapter.
type IssuanceTask struct {
	State      TaskState
	Card       IssuedCard
	FailReason string
	// UpdatedAt is when the task last changed (zero = unknown).
	UpdatedAt time.Time
}

// IssuedCard is the card of a completed task. PokePay's task list gives
// public_token, masked_pan, currency and kyc_id; the expiry comes from the
// card's details, which the adapter fetches.
type IssuedCard struct {
	PublicToken string
	MaskedPAN   string
	Expiry      time.Time
}

// Issuer trade types (PokePay's, API.md §2.6 Trade object).
const (
	TypeAuthorization = card.TradeAuthorization // 17
	TypeReversal      = card.TradeReversal      // 18
	TypeRefund        = card.TradeRefund        // 19
)

// TradeState is the state of an authorisation (type 17).
type TradeState string

// Authorisation states.
const (
	TradeAuthorized TradeState = "authorized" // approved, not cleared
	TradeCleared    TradeState = "cleared"
	TradeDeclined   TradeState = "declined"
	// TradeReversed is an authorisation the issuer reports reversed in
	// place (ReversalAmount), for an issuer without type-18 rows.
	TradeReversed TradeState = "reversed"
)

// Trade is one row of the issuer's trade list. Amounts are HKD decimal
// strings as the issuer writes them ("120.50"); empty = not given.
type Trade struct {
	TradeID     int64
	PublicToken string
	Type        int // TypeAuthorization, TypeReversal, TypeRefund
	// OriginalTradeID: for a reversal (18) the authorisation it reverses,
	// for a refund (19) the purchase it refunds.
	OriginalTradeID int64
	State           TradeState // authorisations only
	Amount          string
	CurrencyCode    string
	TradeFee        string
	// Fee is the fee charged for a declined authorisation.
	Fee              string
	MerchantName     string
	MerchantCity     string
	MerchantCountry  string
	MerchantCurrency string
	MerchantAmount   string
	DeclineReason    string
	ClearAmount      string
	// ReversalAmount is the total reversed so far (TradeReversed).
	ReversalAmount string
	BalanceAfter   string
	OccurredAt     time.Time
	ClearedAt      time.Time
}

// TradePage is one page of trades.
type TradePage struct {
	Trades []Trade
	Next   string
	More   bool
}

// CardState is the issuer's status of one card.
type CardState struct {
	PublicToken string
	Code        card.IssuerCode // 00, G1, 99
	// ChangedAt is when the issuer changed it (zero = unknown).
	ChangedAt time.Time
	Reason    string
}
