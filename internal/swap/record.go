package swap

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Record is a stored swap.
type Record struct {
	ID          int64
	UserID      int64
	CardID      int64
	QuoteID     string
	Direction   Direction
	Pair        Pair
	FromAmount  money.Amount
	ToAmount    money.Amount
	Rate        money.Rate // HKD per USD-stablecoin, in either direction
	FeeRate     money.Rate
	FeeAmount   money.Amount
	NetAmount   money.Amount
	Status      Status
	CreatedAt   time.Time
	CompletedAt *time.Time
}

// DisplayRate is the exchange rate shown: units of To per 1 From.
func (r Record) DisplayRate() money.Rate { return displayRate(r.Direction, r.Rate) }

// reference names the ledger transaction of one step of the swap.
func (r Record) reference(step string) string {
	return "swap:" + strconv.FormatInt(r.ID, 10) + ":" + step
}

// IssuerReference is the operation reference the app shows
// (`pokepay_reference`): "recharge_<public_token>" or "withdraw_<public_token>".
func (r Record) IssuerReference(publicToken string) string {
	return string(r.Direction) + "_" + publicToken
}

const recordColumns = `id, user_id, card_id, quote_id, direction, from_currency, to_currency, from_amount, to_amount, rate,
	fee_rate, fee_amount, net_amount, status, created_at, completed_at`

func (s *Service) scan(row interface{ Scan(...any) error }) (Record, error) {
	var (
		r         Record
		from, to  string
		completed time.Time
	)
	if err := row.Scan(&r.ID, &r.UserID, &r.CardID, &r.QuoteID, &r.Direction, &from, &to, &r.FromAmount, &r.ToAmount, &r.Rate,
		&r.FeeRate, &r.FeeAmount, &r.NetAmount, &r.Status, store.TimeInto(&r.CreatedAt), store.TimeInto(&completed)); err != nil {
		return Record{}, store.NotFound(err)
	}
	p, err := s.ParsePair(from, to)
	if err != nil {
		// A currency disabled since: keep showing the swap with its names.
		p.From.Name, p.To.Name = from, to
	}
	r.Pair = p
	if !completed.IsZero() {
		r.CompletedAt = &completed
	}
	return r, nil
}

func (s *Service) record(ctx context.Context, q store.Querier, id int64) (Record, error) {
	rec, err := s.scan(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM swaps WHERE id = $1`, id))
	if err != nil {
		return Record{}, fmt.Errorf("read swap %d: %w", id, err)
	}
	return rec, nil
}

// result reads the outcome of an executed swap with the new balances.
func (s *Service) result(ctx context.Context, id int64) (Result, error) {
	rec, err := s.record(ctx, s.DB.SQL, id)
	if err != nil {
		return Result{}, fmt.Errorf("swap: result: %w", err)
	}
	c, err := s.cardOf(ctx, rec)
	if err != nil {
		return Result{}, fmt.Errorf("swap: result of swap %d: %w", id, err)
	}
	res := Result{Swap: rec, PublicToken: c.PublicToken}
	if res.CardBalance, err = s.Cards.Balance(ctx, s.DB.SQL, c); err != nil {
		return Result{}, fmt.Errorf("swap: result of swap %d: card balance: %w", id, err)
	}
	res.WalletBalance, err = s.Ledger.Balance(ctx, s.DB.SQL, ledger.UserAccount(rec.UserID, ledger.Available, rec.Pair.Crypto.Name))
	if err != nil {
		return Result{}, fmt.Errorf("swap: result of swap %d: wallet balance: %w", id, err)
	}
	return res, nil
}

// History returns a page of the user's swaps, newest first, and the total.
func (s *Service) History(ctx context.Context, userID int64, page, limit int) ([]Record, int, error) {
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM swaps WHERE user_id = $1`, userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("swap: count swaps of user %d: %w", userID, err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+recordColumns+` FROM swaps WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`,
		userID, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, fmt.Errorf("swap: swaps of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		r, err := s.scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("swap: swaps of user %d: %w", userID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("swap: swaps of user %d: %w", userID, err)
	}
	return out, total, nil
}

// ByIDs returns the user's swaps among ids (one query for a page of
// history rows).
func (s *Service) ByIDs(ctx context.Context, userID int64, ids []int64) (map[int64]Record, error) {
	out := map[int64]Record{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{userID}
	marks := make([]string, 0, len(ids))
	for _, id := range ids {
		args = append(args, id)
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+recordColumns+` FROM swaps WHERE user_id = $1 AND id IN (`+
		strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("swap: %d swaps of user %d: %w", len(ids), userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := s.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("swap: %d swaps of user %d: %w", len(ids), userID, err)
		}
		out[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("swap: %d swaps of user %d: %w", len(ids), userID, err)
	}
	return out, nil
}

// Get returns one of the user's swaps.
func (s *Service) Get(ctx context.Context, userID, id int64) (Record, error) {
	rec, err := s.scan(s.DB.SQL.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM swaps WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return Record{}, fmt.Errorf("swap: swap %d of user %d: %w", id, userID, err)
	}
	return rec, nil
}

// PendingOnCard counts a card's swaps whose card leg is unresolved
// (implements card.PendingSwaps).
func (s *Service) PendingOnCard(ctx context.Context, q store.Querier, cardID int64) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM swaps WHERE card_id = $1 AND status = $2`, cardID, StatusPending).Scan(&n); err != nil {
		return 0, fmt.Errorf("swap: pending swaps of card %d: %w", cardID, err)
	}
	return n, nil
}
