package replicatest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
)

// register signs a user up as the app does (the sandbox echoes the codes).
func (c *cluster) register(ctx context.Context, email string) user {
	var sent struct {
		OTP string `json:"otp"`
	}
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/auth/signup", Body: map[string]string{"email": email}}, &sent)
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/auth/verify", Body: map[string]string{"email": email, "otp_code": sent.OTP}}, nil)
	var session struct {
		Access string `json:"access_token"`
		User   struct {
			ID json.Number `json:"id"`
		} `json:"user"`
	}
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/auth/set-password",
		Body: map[string]string{"email": email, "password": password}}, &session)
	id, err := session.User.ID.Int64()
	if err != nil || session.Access == "" {
		c.t.Fatalf("set-password for %s: id %q, token %q", email, session.User.ID, session.Access)
	}
	return user{ID: id, Token: session.Access}
}

func (c *cluster) setTxPassword(ctx context.Context, u user) {
	var started struct {
		OTP      string `json:"otp"`
		TempHash string `json:"temp_hash"`
	}
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/user/transaction-password/request", Token: u.Token,
		Body: map[string]string{"transaction_password": txPassword, "confirm_transaction_password": txPassword}}, &started)
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/user/transaction-password/complete", Token: u.Token,
		Body: map[string]string{"otp_code": started.OTP, "temp_hash": started.TempHash}}, nil)
}

// deposit credits whole USDT through the sandbox custody callback.
func (c *cluster) deposit(ctx context.Context, u user, amount string) {
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/sandbox/deposits",
		Body: map[string]any{"currency": currency, "amount": amount, "user_id": u.ID}}, nil)
}

// readyForCard pays the virtual card fee and passes KYC on the sandbox
// provider's page: what a card application needs.
func (c *cluster) readyForCard(ctx context.Context, u user) {
	c.deposit(ctx, u, "20")
	var payment struct {
		Payment struct {
			Ref string `json:"transaction_ref"`
		} `json:"payment"`
	}
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/CardFee/CreatePayment", Token: u.Token,
		Body: map[string]string{"card_type": "virtual"}}, &payment)
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/CardFee/CompletePayment/" + payment.Payment.Ref, Token: u.Token,
		Key: "replica-fee-" + strconv.FormatInt(u.ID, 10), Body: map[string]string{"payment_currency": currency}}, nil)
	var session struct {
		ID string `json:"verification_id"`
	}
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/didit/initialize-token", Token: u.Token,
		Body: map[string]string{"first_en_name": "JOHN", "last_en_name": "DOE", "bill_country_code": "hk", "area_code": "+852",
			"phone": "91234567", "address": "1 Queen's Road Central", "city": "Hong Kong", "post_code": "000000"}}, &session)
	c.must(ctx, request{Method: http.MethodPost, Path: "/api/v1/sandbox/kyc/sessions/" + session.ID + "/approve"}, nil)
}
