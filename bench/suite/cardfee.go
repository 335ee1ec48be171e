package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/comecomepay/comecomepay/bench/seed"
)

// The card-fee target is about the payment: CompletePayment moves each
// payer's fee into the one fee-income house account every payer shares.
// Opening the order (CreatePayment) moves no money and is a request of its
// own, so the pairs are measured on a line of their own and the payment
// lines time CompletePayment on orders opened beforehand.

// take hands out the next n unused payers (fewer when the pool runs out).
func (o *once) take(n int) []*benchUser {
	i := int(o.next.Load())
	j := min(len(o.users), i+n)
	o.next.Store(int64(j))
	return o.users[i:j]
}

// openPayments opens a virtual card-fee order for each of users from 16
// clients, untimed, and returns the payers whose order opened with its
// reference.
func openPayments(ctx context.Context, s *server, users []*benchUser) (*once, map[*benchUser]string, error) {
	var (
		mu     sync.Mutex
		refs   = map[*benchUser]string{}
		opened []*benchUser
		failed int
		first  string
		wg     sync.WaitGroup
	)
	work := make(chan *benchUser)
	for range 16 {
		wg.Go(func() {
			for u := range work {
				ref, err := createPayment(ctx, s, u)
				mu.Lock()
				if err != nil {
					failed++
					if first == "" {
						first = err.Error()
					}
				} else {
					refs[u] = ref
					opened = append(opened, u)
				}
				mu.Unlock()
			}
		})
	}
	for _, u := range users {
		work <- u
	}
	close(work)
	wg.Wait()
	if failed > len(users)/100 {
		return nil, nil, fmt.Errorf("opening card-fee orders: %d of %d failed (first: %s)", failed, len(users), first)
	}
	return &once{users: opened}, refs, nil
}

// createPayment opens u's virtual card-fee order and returns its reference.
func createPayment(ctx context.Context, s *server, u *benchUser) (string, error) {
	status, raw, err := call(ctx, "POST", s.base+"/api/v1/CardFee/CreatePayment", u.token, []byte(`{"card_type":"virtual"}`), nil)
	if err != nil || status != 200 {
		return "", fmt.Errorf("%d %.200s %v", status, raw, err)
	}
	var created struct {
		Payment struct {
			Ref string `json:"transaction_ref"`
		} `json:"payment"`
	}
	if err := json.Unmarshal(raw, &created); err != nil {
		return "", err
	}
	return created.Payment.Ref, nil
}

// cardFeeOp is one user's card fee from scratch: CreatePayment then
// CompletePayment.
func cardFeeOp(s *server) op {
	return func(ctx context.Context, u *benchUser) (int, string) {
		ref, err := createPayment(ctx, s, u)
		if err != nil {
			return 0, err.Error()
		}
		return completePayment(ctx, s, u, ref)
	}
}

// completeOp pays the order opened for each payer.
func completeOp(s *server, refs map[*benchUser]string) op {
	return func(ctx context.Context, u *benchUser) (int, string) { return completePayment(ctx, s, u, refs[u]) }
}

func completePayment(ctx context.Context, s *server, u *benchUser, ref string) (int, string) {
	status, raw, err := call(ctx, "POST", s.base+"/api/v1/CardFee/CompletePayment/"+ref, u.token,
		[]byte(`{"payment_currency":"`+seed.Currency+`"}`), nil)
	if err != nil {
		return status, err.Error()
	}
	return status, string(raw)
}
