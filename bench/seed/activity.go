package seed

import (
	"context"
	"fmt"
	"strconv"
)

// batch collects the rows of one chunk per table, in load order.
type batch struct {
	deposits, ledgerTx, postings, transfers, history [][]any
	notifications, tasks, cards, trades, cardTx      [][]any
	feePayments                                      [][]any
}

// loadActivity writes what users [from, to) did: their deposit, the
// transfers they sent, their notifications and cards.
func (g *generator) loadActivity(ctx context.Context, from, to int) error {
	var b batch
	for i := from; i < to; i++ {
		g.deposit(&b, i)
		for k := 1; k <= g.plan.TransfersPerUser; k++ {
			if j := (i + k) % g.plan.Users; j != i {
				g.transfer(&b, i, j) // a skipped self-transfer changes no balance
			}
		}
		if g.heavy(i) {
			for range g.plan.HeavyTransfers {
				g.transfer(&b, i, (i+1)%g.plan.HeavyUsers)
			}
		}
		g.notify(&b, i)
		if g.plan.CardEvery > 0 && (i%g.plan.CardEvery == 0 || g.heavy(i)) {
			g.card(&b, i)
		}
	}
	for _, l := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"ledger_transactions", []string{"id", "reference", "kind", "description", "created_at"}, b.ledgerTx},
		{"ledger_postings", []string{"id", "transaction_id", "account_id", "amount", "created_at"}, b.postings},
		{"deposits", []string{"id", "trade_id", "user_id", "currency", "address", "amount", "tx_id", "status", "custody_status",
			"ledger_tx_id", "created_at", "updated_at", "credited_at"}, b.deposits},
		{"transfers", []string{"id", "sender_id", "recipient_id", "currency", "amount", "description", "ledger_tx_id", "created_at"}, b.transfers},
		{"unified_transactions", []string{"id", "user_id", "type", "status", "amount", "currency", "fee", "description", "address",
			"tx_hash", "reference", "source_table", "source_id", "counterparty_user_id", "created_at", "completed_at"}, b.history},
		{"notifications", []string{"id", "user_id", "type", "title", "body", "data", "status", "read_at", "created_at", "updated_at"}, b.notifications},
		{"card_tasks", []string{"id", "user_id", "kyc_id", "physical", "status", "card_id", "created_at", "updated_at", "completed_at"}, b.tasks},
		{"card_fee_payments", []string{"id", "user_id", "card_type", "original_fee", "coupon_discount", "actual_payment", "status",
			"transaction_ref", "coupon_code", "consumed_by_task_id", "created_at", "expires_at", "paid_at"}, b.feePayments},
		{"cards", []string{"id", "user_id", "task_id", "public_token", "masked_pan", "currency", "status", "is_physical", "kyc_id",
			"member_name", "balance", "expiry", "created_at", "updated_at"}, b.cards},
		{"card_trades", []string{"trade_id", "card_id", "trade_type", "authorized", "amount", "merchant_name", "merchant_currency",
			"merchant_amount", "trade_clear", "clear_amount", "captured", "trade_time", "clear_time", "created_at", "updated_at"}, b.trades},
		{"card_transactions", []string{"id", "card_id", "source", "trade_id", "trade_type", "direction", "amount", "balance_after",
			"merchant_name", "status", "trade_time", "created_at", "updated_at"}, b.cardTx},
	} {
		if err := g.sk.load(ctx, l.table, l.cols, l.rows); err != nil {
			return err
		}
		g.rows[l.table] += int64(len(l.rows))
	}
	return nil
}

// deposit books user i's opening deposit: custody −D, user +D.
func (g *generator) deposit(b *batch, i int) {
	user, at := g.userID(i), g.at()
	depositID, ltx := g.id("deposits"), g.id("ledger_transactions")
	trade := "seed-" + strconv.FormatInt(user, 10)
	address := fmt.Sprintf("TSeed%029d", user)
	b.ledgerTx = append(b.ledgerTx, []any{ltx, "deposit:" + trade, "deposit", "", at})
	b.postings = append(b.postings,
		[]any{g.id("ledger_postings"), ltx, g.custodyAccount, -g.plan.Deposit, at},
		[]any{g.id("ledger_postings"), ltx, g.accountID(i), g.plan.Deposit, at})
	b.deposits = append(b.deposits, []any{depositID, trade, user, Currency, address, g.plan.Deposit, "0xseed" + trade,
		"completed", 1, ltx, at, at, at})
	b.history = append(b.history, []any{g.id("unified_transactions"), user, "deposit", "completed", g.plan.Deposit, Currency, 0,
		"Deposit", address, "0xseed" + trade, trade, "deposits", depositID, nil, at, at})
}

// transfer books one TransferAmount from user i to user j the way the
// wallet does: transfer row, ledger transaction, a history row per side.
// Its ledger reference has the wallet's shape ("transfer:<micros>-<16
// hex>", wallet.transferLedgerRef) with the transfer id as the hex part
// instead of random bits, so it stays unique and repeatable.
func (g *generator) transfer(b *batch, i, j int) {
	sender, recipient, at := g.userID(i), g.userID(j), g.at()
	transferID, ltx := g.id("transfers"), g.id("ledger_transactions")
	ref := "TRF" + strconv.FormatInt(transferID, 10)
	b.transfers = append(b.transfers, []any{transferID, sender, recipient, Currency, TransferAmount, "seed", ltx, at})
	b.ledgerTx = append(b.ledgerTx, []any{ltx, fmt.Sprintf("transfer:%d-%016x", at, transferID), "transfer", "seed", at})
	b.postings = append(b.postings,
		[]any{g.id("ledger_postings"), ltx, g.accountID(i), -TransferAmount, at},
		[]any{g.id("ledger_postings"), ltx, g.accountID(j), TransferAmount, at})
	b.history = append(b.history,
		[]any{g.id("unified_transactions"), sender, "transfer", "completed", -TransferAmount, Currency, 0, "seed", "", "", ref,
			"transfers", transferID, recipient, at, at},
		[]any{g.id("unified_transactions"), recipient, "transfer", "completed", TransferAmount, Currency, 0, "seed", "", "", ref,
			"transfers", transferID, sender, at, at})
}

// notify writes user i's notifications, the older half read.
func (g *generator) notify(b *batch, i int) {
	n := int(float64(i+1)*g.plan.NotificationsPerUser) - int(float64(i)*g.plan.NotificationsPerUser)
	if g.heavy(i) {
		n = g.plan.HeavyNotifications
	}
	user := g.userID(i)
	for k := range n {
		at := g.t0 + int64(i)*g.stepMicros + int64(k+1)*1_000_000
		status, readAt := "unread", any(nil)
		if k < n/2 {
			status, readAt = "read", at+60_000_000
		}
		b.notifications = append(b.notifications, []any{g.id("notifications"), user, "transfer_received", "Transfer received",
			"You received 1 USDT", `{"type":"transfer_received"}`, status, readAt, at, at})
	}
}

// card gives user i one issued virtual card with TradesPerCard settled
// purchases, and the card-fee payment its application used. The fee was
// waived by a full coupon, so it moved no money and the book stays as the
// deposits and transfers make it.
func (g *generator) card(b *batch, i int) {
	user, at := g.userID(i), g.t0+int64(i)*g.stepMicros
	taskID, cardID, paymentID := g.id("card_tasks"), g.id("cards"), g.id("card_fee_payments")
	b.feePayments = append(b.feePayments, []any{paymentID, user, "virtual", 10_000_000, 10_000_000, 0, "completed",
		"SEEDFEE" + strconv.FormatInt(paymentID, 10), "SEED100", taskID, at, at + 1_800_000_000, at})
	b.tasks = append(b.tasks, []any{taskID, user, 1, false, "completed", cardID, at, at, at})
	b.cards = append(b.cards, []any{cardID, user, taskID, fmt.Sprintf("8%011d", cardID), fmt.Sprintf("424242******%04d", cardID%10000),
		"HKD", "active", false, 1, "SEED USER", 100_000, "12/30", at, at})
	balance := int64(100_000 + 1_000*g.plan.TradesPerCard)
	for k := range g.plan.TradesPerCard {
		tradeID, when := g.id("card_trades"), at+int64(k+1)*3_600_000_000
		balance -= 1_000
		b.trades = append(b.trades, []any{tradeID, cardID, 1, true, 1_000, "Seed Merchant", "HKD", 1_000, 1, 1_000, 1_000,
			when, when, when, when})
		b.cardTx = append(b.cardTx, []any{g.id("card_transactions"), cardID, "trade:" + strconv.FormatInt(tradeID, 10), tradeID,
			"consumption", "debit", 1_000, balance, "Seed Merchant", "completed", when, when, when})
	}
}
