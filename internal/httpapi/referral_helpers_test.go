package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/referral"
)

// insertReferees adds n accounts referred by parent straight into the
// database (the full journey per referee would take minutes); the first
// paid of them get a completed card fee payment, which qualifies them.
func insertReferees(t *testing.T, h *apptest.Harness, parent int64, prefix string, n, paid int) []int64 {
	t.Helper()
	ids := make([]int64, 0, n)
	now := h.Clock.Now().UnixMicro()
	for i := range n {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		var id int64
		if err := h.App.DB.SQL.QueryRow(`INSERT INTO users (email, password_hash, account_type, status, referral_code, referred_by,
			created_at, updated_at) VALUES ($1, 'x', 'personal', 'active', $2, $3, $4, $4) RETURNING id`,
			prefix+strconv.Itoa(i)+"@example.com", strings.ToUpper(hex.EncodeToString(b)), parent, now+int64(i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if i < paid {
			if _, err := h.App.DB.SQL.Exec(`INSERT INTO card_fee_payments (user_id, card_type, original_fee, actual_payment, status,
				transaction_ref, created_at, expires_at) VALUES ($1, 'virtual', 500, 500, 'completed', $2, $3, $3)`,
				id, "CFPTEST"+strconv.FormatInt(id, 10), now); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, id)
	}
	return ids
}

// setStatus changes an account state behind the service (operators have no
// API for it yet).
func setStatus(t *testing.T, h *apptest.Harness, userID int64, status string) {
	t.Helper()
	if _, err := h.App.DB.SQL.Exec(`UPDATE users SET status = $1 WHERE id = $2`, status, userID); err != nil {
		t.Fatal(err)
	}
}

// pay runs the commission computation of one event, as the job does.
func pay(t *testing.T, h *apptest.Harness, args referral.CommissionArgs) {
	t.Helper()
	if err := h.App.Referrals.Pay(context.Background(), args); err != nil {
		t.Fatalf("pay %+v: %v", args, err)
	}
}

func cardOpening(referee, taskID int64) referral.CommissionArgs {
	return referral.CommissionArgs{Type: referral.TypeCardOpening, SourceID: taskID, RefereeID: referee, Amount: 500}
}

// swapFee is a recharge whose fee is 17.16 HKD at 7.80: 2.2 USD.
func swapFee(referee, swapID int64) referral.CommissionArgs {
	return referral.CommissionArgs{Type: referral.TypeTransaction, SourceID: swapID, RefereeID: referee, Amount: 1716,
		Rate: 780_000_000, Direction: referral.DirectionRecharge}
}

func referralCodeOf(t *testing.T, h *apptest.Harness, acc apptest.Account) string {
	t.Helper()
	return h.Do(http.MethodGet, "/api/v1/user/referral-code", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "").Str(t, "referral_code")
}

// commissionsOf returns the caller's commissions (query appended as is).
func commissionsOf(t *testing.T, h *apptest.Harness, acc apptest.Account, query string) ([]map[string]any, map[string]any) {
	t.Helper()
	body := cmNum(t, h.Do(http.MethodGet, "/api/v1/user/commissions"+query, nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	var list []map[string]any
	for _, raw := range body["commissions"].([]any) {
		list = append(list, raw.(map[string]any))
	}
	return list, body["pagination"].(map[string]any)
}

// waitCommissions waits until the commission jobs have paid acc n commissions.
func waitCommissions(t *testing.T, h *apptest.Harness, acc apptest.Account, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		list, _ := commissionsOf(t, h, acc, "")
		if len(list) >= n {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d commissions, want %d", acc.Email, len(list), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func statsOf(t *testing.T, h *apptest.Harness, acc apptest.Account) map[string]any {
	t.Helper()
	return cmNum(t, h.Do(http.MethodGet, "/api/v1/user/referral-stats", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))["stats"].(map[string]any)
}

func num(s string) json.Number { return json.Number(s) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
