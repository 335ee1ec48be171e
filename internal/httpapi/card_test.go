package httpapi_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// verifiedUser registers a user, pays the virtual fee and passes KYC.
func verifiedUser(t *testing.T, h *apptest.Harness, email string) apptest.Account {
	t.Helper()
	acc := h.Register(t, email)
	payFee(t, h, acc)
	session, _ := startKYC(t, h, acc)
	h.Do(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/approve", nil).Expect(t, 200, "")
	return acc
}

func applyCard(h *apptest.Harness, acc apptest.Account, body any, headers ...apptest.Header) *apptest.Response {
	return h.Do(http.MethodPost, "/api/v1/card/apply", body, append(headers, apptest.Bearer(acc.Access))...)
}

// waitTask polls the progress endpoint like the app until the task ends.
func waitTask(t *testing.T, h *apptest.Harness, acc apptest.Account, taskID int64) apptest.CardTask {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := h.Do(http.MethodGet, fmt.Sprintf("/api/v1/card/apply/progress/%d", taskID), nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		d := apptest.Data[apptest.CardTask](t, res)
		if d.Status == "completed" || d.Status == "failed" {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %d still %v", taskID, d.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCardApplyJourney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := verifiedUser(t, h, "card@example.com")
		auth := apptest.Bearer(acc.Access)
		if list := apptest.Data[cardListData](t, h.Do(http.MethodGet, "/api/v1/card/list", nil, auth).Expect(t, 200, "")); list.Total != 0 {
			t.Fatalf("list before applying %+v", list)
		}
		res := applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, "")
		applied := apptest.Decode[apptest.EnvelopeB[struct {
			TaskID   int64 `json:"task_id"`
			KYCID    int64 `json:"kyc_id"`
			Physical bool  `json:"physical"`
		}]](t, res)
		if applied.Message != "Card application submitted" || applied.Status != "success" {
			t.Fatalf("apply envelope %s", res.Body)
		}
		data := applied.Data
		// Raw shape: the answer has no card_id at all (the card comes later).
		if _, has := res.JSON["data"].(map[string]any)["card_id"]; has || data.Physical {
			t.Fatalf("apply data %s", res.Body)
		}
		taskID := data.TaskID
		done := waitTask(t, h, acc, taskID)
		item := done.List[0]
		if done.Succeed != 1 || item.Status != "succeed" || item.MaskedPAN == "" || done.CompletedAt == nil {
			t.Fatalf("progress %+v", done)
		}
		list := apptest.Data[cardListData](t, h.Do(http.MethodGet, "/api/v1/card/list", nil, auth).Expect(t, 200, ""))
		c := list.Cards[0]
		if list.Total != 1 || c.Status != "active" || c.CardScheme != "visa" || c.Currency != "HKD" || c.KYCID != data.KYCID {
			t.Fatalf("card list %+v", list)
		}
		token := c.PublicToken
		if _, err := strconv.ParseInt(token, 10, 64); err != nil {
			t.Fatalf("public_token %q is not numeric", token)
		}
		details := apptest.Data[struct {
			ID         int64   `json:"id"`
			MemberName string  `json:"member_name"`
			Amount     float64 `json:"amount"`
			Status     string  `json:"status"`
		}](t, h.Do(http.MethodGet, "/api/v1/card/account-details?public_token="+token, nil, auth).Expect(t, 200, ""))
		if details.ID != c.ID || details.MemberName != "JOHN DOE" || details.Amount != 5 || details.Status != "normal" {
			t.Fatalf("account details %+v", details)
		}
		byID := h.Do(http.MethodGet, fmt.Sprintf("/api/v1/card/account-details?card_id=%d", c.ID), nil, auth).Expect(t, 200, "")
		if apptest.Data[cardDetailsData](t, byID).PublicToken != token {
			t.Fatalf("details by card_id %s", byID.Body)
		}
		// Another user sees none of it.
		other := h.Register(t, "card-other@example.com")
		h.Do(http.MethodGet, "/api/v1/card/account-details?public_token="+token, nil, apptest.Bearer(other.Access)).Expect(t, 404, "CARD_NOT_FOUND")
		h.Do(http.MethodGet, fmt.Sprintf("/api/v1/card/apply/progress/%d", taskID), nil, apptest.Bearer(other.Access)).Expect(t, 404, "TASK_NOT_FOUND")
		h.Do(http.MethodGet, "/api/v1/card/apply/progress/abc", nil, auth).Expect(t, 404, "TASK_NOT_FOUND")
		h.Do(http.MethodGet, "/api/v1/card/account-details", nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		// The fee was consumed: the next card needs a new payment.
		applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 402, "CARD_FEE_UNPAID")
		stats := feeStatsOf(t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, auth).Expect(t, 200, ""))
		if stats.SuccessCards != 1 || !stats.NeedsPayment || stats.NextCardIndex != 2 {
			t.Fatalf("stats after the first card %+v", stats)
		}
	})
}

// TestCardApplyStatusCodes covers each status of the product owner's contract.
func TestCardApplyStatusCodes(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, func(c *config.Config) { c.MaxCards = 1 })
		h.Do(http.MethodPost, "/api/v1/card/apply", map[string]any{"physical": false}).Expect(t, 401, "UNAUTHORIZED")
		h.Do(http.MethodPost, "/api/v1/card/apply", map[string]any{"physical": false}, apptest.Bearer("expired.or.forged")).Expect(t, 401, "UNAUTHORIZED")
		plain := h.Register(t, "no-kyc@example.com")
		applyCard(h, plain, map[string]any{"physical": false}).Expect(t, 400, "KYC_NOT_APPROVED")

		acc := verifiedUser(t, h, "codes@example.com")
		applyCard(h, acc, map[string]any{"physical": "true"}).Expect(t, 400, "VALIDATION_FAILED")
		applyCard(h, acc, `{"physical":`).Expect(t, 400, "VALIDATION_FAILED")
		res := applyCard(h, acc, map[string]any{"physical": true, "name_on_card": "john doe", "area_code": "86", "phone": "12ab",
			"postal_country": "cn"}).Expect(t, 400, "VALIDATION_FAILED")
		fields := apptest.Decode[apptest.ErrorBody](t, res).Fields
		for _, f := range []string{"name_on_card", "recipient", "area_code", "phone", "postal_address", "postal_city", "postal_code", "postal_country"} {
			if _, ok := fields[f]; !ok {
				t.Errorf("fields lacks %s: %v", f, fields)
			}
		}
		applyCard(h, acc, map[string]any{"physical": true, "name_on_card": "JOHN DOE", "recipient": "张三", "area_code": "+86",
			"phone": "13800138000", "postal_address": "某街道123号", "postal_city": "上海", "postal_code": "200000",
			"postal_country": "CN"}).Expect(t, 402, "CARD_FEE_UNPAID")
		task := apptest.Data[apptest.CardApplied](t, applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, "")).TaskID
		waitTask(t, h, acc, task)
		h.Deposit(t, acc, "USDT-TRC20", "5")
		ref := createPayment(h, acc, "virtual")
		ref.Expect(t, 400, "CARD_LIMIT_REACHED")
		applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 400, "CARD_LIMIT_REACHED")
	})
}

// TestParallelAppliesConsumeOnePayment: 20 applies with one paid fee.
func TestParallelAppliesConsumeOnePayment(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := verifiedUser(t, h, "race-apply@example.com")
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[int]int{}
		)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := applyCard(h, acc, map[string]any{"physical": false}, apptest.Header{Name: "Idempotency-Key", Value: fmt.Sprintf("apply-%04d", i)})
				mu.Lock()
				codes[res.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[200] != 1 || codes[402] != 19 {
			t.Fatalf("statuses %v, want one 200 and nineteen 402", codes)
		}
	})
}

// TestIssuanceSurvivesARestart: the process dies after the issuer issued the
// card but before it was recorded; the job runs again on restart and the
// application still yields exactly one card, the one the issuer made.
func TestIssuanceSurvivesARestart(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		h := apptest.NewStopped(t, engine)
		h.StartJobs() // the journey before the apply needs the mail and KYC jobs
		acc := verifiedUser(t, h, "restart@example.com")
		if err := h.App.Jobs.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		task := apptest.Data[apptest.CardApplied](t, applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, "")).TaskID
		issued, err := h.App.IssuerSim.IssueCard(ctx, card.IssueRequest{Reference: fmt.Sprintf("task-%d", task), MemberName: "JOHN DOE"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.App.DB.SQL.Exec(`UPDATE card_tasks SET status = 'processing' WHERE id = $1`, task); err != nil {
			t.Fatal(err)
		}
		h.StartJobs() // the restart
		waitTask(t, h, acc, task)
		// A duplicate job run changes nothing either.
		if err := h.App.Cards.Issue(ctx, task); err != nil {
			t.Fatal(err)
		}
		var n int
		var token string
		if err := h.App.DB.InTx(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(public_token) FROM cards WHERE task_id = $1`, task).Scan(&n, &token)
		}); err != nil {
			t.Fatal(err)
		}
		if n != 1 || token != issued.PublicToken {
			t.Fatalf("%d cards (token %s), want exactly the issuer's %s", n, token, issued.PublicToken)
		}
	})
}

// TestFailedIssuanceReleasesTheFee: an issuer refusal fails the task and the
// fee payment can be used again.
func TestFailedIssuanceReleasesTheFee(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := verifiedUser(t, h, "fail-issue@example.com")
		h.App.IssuerSim.FailNext("issue_card", 1000)
		task := apptest.Data[apptest.CardApplied](t, applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, "")).TaskID
		// Fast-forward: the issuance window is over, so the next attempt fails the task.
		h.Clock.Advance(25 * time.Hour)
		if err := h.App.Cards.Issue(context.Background(), task); err != nil {
			t.Fatal(err)
		}
		acc = h.Login(t, acc.Email, apptest.Password) // a day later the old token has expired
		done := waitTask(t, h, acc, task)
		if done.Status != "failed" || done.Failed != 1 || done.FailReason == "" {
			t.Fatalf("failed task %+v", done)
		}
		h.App.IssuerSim.FailNext("issue_card", -1000)
		stats := feeStatsOf(t, h.Do(http.MethodGet, "/api/v1/CardFee/GetStats", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
		if stats.NeedsPayment || stats.PendingCards != 0 {
			t.Fatalf("the fee was not released: %+v", stats)
		}
		applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, "")
	})
}

// TestIssuerFailureIsRetried: a transient issuer failure is retried by the
// job queue and the card still arrives, once.
func TestIssuerFailureIsRetried(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "retry@example.com")
		payFee(t, h, acc)
		startKYC(t, h, acc)
		h.Do(http.MethodPost, "/api/v1/sandbox/kyc/approve", map[string]any{"email": acc.Email}).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/sandbox/kyc/approve", map[string]any{"email": acc.Email}).Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "issue_card", "count": 1}).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "explode"}).Expect(t, 400, "VALIDATION_FAILED")
		task := apptest.Data[apptest.CardApplied](t, applyCard(h, acc, map[string]any{"physical": false}).Expect(t, 200, "")).TaskID
		if done := waitTask(t, h, acc, task); done.Status != "completed" {
			t.Fatalf("task after one failure %+v", done)
		}
		list := apptest.Data[cardListData](t, h.Do(http.MethodGet, "/api/v1/card/list", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
		if list.Total != 1 {
			t.Fatalf("cards %+v", list)
		}
	})
}
