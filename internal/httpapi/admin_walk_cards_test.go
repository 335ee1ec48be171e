package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/referral"
)

// Examples of the cards, card tasks, physical orders, tiers and
// commissions routes for the admin walk.
var (
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/cards/{id}/lock", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return walkCardPath(t, env) + "/lock", map[string]any{"reason": "chargeback review"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/cards/{id}/unlock", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return walkCardPath(t, env) + "/unlock", map[string]any{"reason": "review closed"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/cards/{id}/cancel", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return walkCardPath(t, env) + "/cancel", map[string]any{"reason": "card reported stolen"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/card-tasks/{id}/retry", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			acc := walkFixture(env).taskHolder(t, env)
			return "/api/v1/admin/card-tasks/" + itoa(failedTask(t, env.h, acc)) + "/retry", map[string]any{"reason": "issuer outage over"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/physical-orders/{id}/status", Role: operator.Compliance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/physical-orders/" + itoa(walkOrder(t, env)) + "/status",
				map[string]any{"status": "PROCESSING", "remark": "In production"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/physical-orders/{id}/refund", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/physical-orders/" + itoa(walkOrder(t, env)) + "/refund", map[string]any{"reason": "card lost in the post"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/tier-configs", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			env.walkSeq++
			return "/api/v1/admin/tier-configs", map[string]any{"tiers": []any{tierBody(4, "V4", 101, 0, "0.35", "0.25", "0.15", "0.1",
				"Walk "+strconv.Itoa(env.walkSeq))}}
		}})
	_ = exampleAdmin(adminExample{Pattern: "PUT /api/v1/admin/tier-configs/{tier_level}", Role: operator.SuperAdmin,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/tier-configs/2", tierBody(0, "V2", 11, 30, "0.26", "0.15", "0.1", "0.05", "")
		}})
	_ = exampleAdmin(adminExample{Pattern: "DELETE /api/v1/admin/tier-configs/{tier_level}", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			splitTopTier(t, env.h)
			return "/api/v1/admin/tier-configs/5", nil
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/commissions/{id}/pay", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/commissions/" + itoa(walkCommission(t, env, true)) + "/pay", map[string]any{"reason": "account unfrozen"}
		}})
	_ = exampleAdmin(adminExample{Pattern: "POST /api/v1/admin/commissions/{id}/cancel", Role: operator.Finance,
		Setup: func(t *testing.T, env *adminEnv) (string, any) {
			return "/api/v1/admin/commissions/" + itoa(walkCommission(t, env, false)) + "/cancel", map[string]any{"reason": "referral fraud"}
		}})
)

// cardsWalk is what the card examples of one walk share: a card to lock,
// unlock and cancel (each action is valid in any state: repeating one
// changes nothing), and a card holder whose failed applications are
// retried.
type cardsWalk struct {
	mu          sync.Mutex
	card        apptest.Card
	tasksHolder *apptest.Account
}

var cardsWalks sync.Map // *adminEnv → *cardsWalk

func walkFixture(env *adminEnv) *cardsWalk {
	w, _ := cardsWalks.LoadOrStore(env, &cardsWalk{})
	return w.(*cardsWalk)
}

func walkCardPath(t *testing.T, env *adminEnv) string {
	t.Helper()
	w := walkFixture(env)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.card.ID == 0 {
		acc, c := toppedHolder(t, env.h, "walk-card-holder@example.com")
		env.personal = append(env.personal, acc.Email, "JOHN DOE")
		w.card = c
	}
	return "/api/v1/admin/cards/" + itoa(w.card.ID)
}

func (w *cardsWalk) taskHolder(t *testing.T, env *adminEnv) apptest.Account {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.tasksHolder == nil {
		acc, _ := env.h.CardHolder(t, "walk-task-holder@example.com")
		env.personal = append(env.personal, acc.Email)
		w.tasksHolder = &acc
	}
	return *w.tasksHolder
}

// walkOrder is a new paid physical upgrade order (SUBMITTED).
func walkOrder(t *testing.T, env *adminEnv) int64 {
	t.Helper()
	env.walkSeq++
	acc, c := env.h.CardHolder(t, "walk-upgrade-"+strconv.Itoa(env.walkSeq)+"@example.com")
	env.personal = append(env.personal, acc.Email)
	return upgradedOrder(t, env.h, acc, c)
}

// walkCommission is a new commission of 1 USDT: pending (its beneficiary
// was frozen when it was earned, and is active again) or credited.
func walkCommission(t *testing.T, env *adminEnv, pending bool) int64 {
	t.Helper()
	env.walkSeq++
	seq := strconv.Itoa(env.walkSeq)
	ben := env.h.Register(t, "walk-referrer-"+seq+"@example.com")
	env.personal = append(env.personal, ben.Email)
	return earnCommission(t, env.h, ben, "walk-referee-"+seq+"-", pending)
}

// toppedHolder is a card holder whose card holds 381.42 HKD (50 USDT at
// 7.80 less the 2.2 % fee) and whose wallet keeps 50 USDT.
func toppedHolder(t *testing.T, h *apptest.Harness, email string) (apptest.Account, apptest.Card) {
	t.Helper()
	acc, c := h.CardHolder(t, email)
	h.Deposit(t, acc, "USDT-TRC20", "100")
	postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 50, "card_id", c.ID)).Expect(t, 200, "")
	return acc, c
}

// payCardFee pays a virtual card fee (5 USDT) through the API.
func payCardFee(t *testing.T, h *apptest.Harness, acc apptest.Account) {
	t.Helper()
	auth := apptest.Bearer(acc.Access)
	h.Deposit(t, acc, "USDT-TRC20", "5")
	res := h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual"}, auth).Expect(t, 200, "")
	ref := apptest.Decode[apptest.FeePayment](t, res).Payment.TransactionRef
	h.Do(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+ref, map[string]string{"payment_currency": "USDT-TRC20"}, auth).Expect(t, 200, "")
}

// failedTask is an application of acc (who passed KYC) whose issuance
// failed: it paid a fee, and the failure released the payment (API.md §3.2
// step 8), as the issuance job leaves it.
func failedTask(t *testing.T, h *apptest.Harness, acc apptest.Account) int64 {
	t.Helper()
	payCardFee(t, h, acc)
	now := h.Clock.Now().UnixMicro()
	var id int64
	if err := h.App.DB.SQL.QueryRow(`INSERT INTO card_tasks (user_id, kyc_id, physical, status, fail_reason, fee_payment_id,
		created_at, updated_at, completed_at)
		SELECT $1, k.id, $2, 'failed', 'The card issuer could not issue the card', p.id, $3, $3, $3
		FROM kyc_records k, card_fee_payments p
		WHERE k.user_id = $1 AND k.status = 'approved' AND p.user_id = $1 AND p.status = 'completed' AND p.consumed_by_task_id IS NULL
		ORDER BY p.id DESC LIMIT 1 RETURNING id`, acc.ID, false, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// upgradedOrder upgrades acc's card to physical (40 USDT) and returns the
// order, SUBMITTED.
func upgradedOrder(t *testing.T, h *apptest.Harness, acc apptest.Account, c apptest.Card) int64 {
	t.Helper()
	h.Deposit(t, acc, "USDT-TRC20", "40")
	vt := verifiedToken(t, h, acc, c.PublicToken)
	order := dataC[upgradeOrder](t, expectC(t, convert(h, acc, convertBody(c.PublicToken, vt, "USDT-TRC20"), newKey()), 200, "SUCCESS"))
	if order.Status != "SUBMITTED" || order.ApplicationID == 0 {
		t.Fatalf("upgrade %+v", order)
	}
	return order.ApplicationID
}

// earnCommission makes ben the level-1 referrer of a new user whose card
// opening (a 5 USD fee) earns ben 1 USDT: pending when ben was frozen at
// the time (ben is active again afterwards), credited otherwise.
func earnCommission(t *testing.T, h *apptest.Harness, ben apptest.Account, refereePrefix string, pending bool) int64 {
	t.Helper()
	referee := insertReferees(t, h, ben.ID, refereePrefix, 1, 0)[0]
	if pending {
		setStatus(t, h, ben.ID, "frozen")
	}
	pay(t, h, cardOpening(referee, referee))
	setStatus(t, h, ben.ID, "active")
	var id int64
	if err := h.App.DB.SQL.QueryRow(`SELECT id FROM commissions WHERE beneficiary_id = $1 ORDER BY id DESC LIMIT 1`, ben.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// tierBody is a tier in a request body (level 0: none, as PUT takes it).
func tierBody(level int, name string, min, max int64, l1Card, l1Tx, l2Card, l2Tx, description string) map[string]any {
	b := map[string]any{"tier_name": name, "min_referral_count": min, "max_referral_count": max,
		"level1_card_opening_rate": num(l1Card), "level1_transaction_rate": num(l1Tx),
		"level2_card_opening_rate": num(l2Card), "level2_transaction_rate": num(l2Tx)}
	if level > 0 {
		b["tier_level"] = level
	}
	if description != "" {
		b["description"] = description
	}
	return b
}

// splitTopTier makes V4 101–200 and adds V5 201+, as the CLI would.
func splitTopTier(t *testing.T, h *apptest.Harness) {
	t.Helper()
	v4 := referral.Tier{Level: 4, Name: "V4", Min: 101, Max: 200, L1Card: 35_000_000, L1Tx: 25_000_000, L2Card: 15_000_000, L2Tx: 10_000_000}
	v5 := referral.Tier{Level: 5, Name: "V5", Min: 201, L1Card: 40_000_000, L1Tx: 25_000_000, L2Card: 15_000_000, L2Tx: 10_000_000}
	if _, err := h.App.Office.SetTiers(audit.WithActor(context.Background(), audit.CLI()), []referral.Tier{v4, v5}, nil); err != nil {
		t.Fatal(err)
	}
}
