package adminapi

import (
	"net/http"
	"sync"

	"github.com/comecomepay/comecomepay/internal/operator"
)

// Who may do what (API.md §5). super_admin may do everything; the other
// roles get what their work needs and nothing else.
var (
	anyRole    = operator.Roles
	superOnly  = []operator.Role{operator.SuperAdmin}
	finance    = []operator.Role{operator.SuperAdmin, operator.Finance}
	compliance = []operator.Role{operator.SuperAdmin, operator.Compliance}
	// readUsers: whoever answers users or reviews them reads them.
	readUsers = []operator.Role{operator.SuperAdmin, operator.Compliance, operator.Finance, operator.Support}
	// audit readers: the people who are accountable for what others did.
	auditors = []operator.Role{operator.SuperAdmin, operator.Compliance, operator.Finance}
)

// Routes is the admin surface in one table: pattern, roles, whether it
// writes (and so audits), and the endpoint. The role-matrix test walks it.
func (a *API) Routes() []Route {
	const v1 = "/api/v1/admin"
	var routes []Route
	public := func(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
		routes = append(routes, Route{Pattern: pattern, Handle: h})
	}
	read := func(pattern string, roles []operator.Role, h Handler) {
		routes = append(routes, Route{Pattern: pattern, Roles: roles, Handle: a.guard(roles, h)})
	}
	write := func(pattern string, roles []operator.Role, h Handler) {
		routes = append(routes, Route{Pattern: pattern, Roles: roles, Audited: true, Handle: a.guard(roles, h)})
	}

	// Sign-in and the operator's own sessions.
	public("POST "+v1+"/auth/login", a.login)
	public("POST "+v1+"/auth/refresh", a.refresh)
	write("POST "+v1+"/auth/logout", anyRole, a.logout)
	read("GET "+v1+"/me", anyRole, a.me)
	read("GET "+v1+"/me/sessions", anyRole, a.mySessions)
	write("DELETE "+v1+"/me/sessions/{session_id}", anyRole, a.revokeMySession)

	// Operators.
	read("GET "+v1+"/admins", superOnly, a.listOperators)
	write("POST "+v1+"/admins", superOnly, a.createOperator)
	read("GET "+v1+"/admins/{id}", superOnly, a.getOperator)
	write("PUT "+v1+"/admins/{id}", superOnly, a.updateOperator)
	write("DELETE "+v1+"/admins/{id}", superOnly, a.disableOperator)
	read("GET "+v1+"/admins/{id}/sessions", superOnly, a.operatorSessions)
	write("DELETE "+v1+"/admins/{id}/sessions/{session_id}", superOnly, a.revokeOperatorSession)

	// Four-eyes.
	read("GET "+v1+"/approvals", finance, a.listApprovals)
	write("POST "+v1+"/approvals/{id}/approve", finance, a.approve)
	write("POST "+v1+"/approvals/{id}/reject", finance, a.reject)

	// Audit log.
	read("GET "+v1+"/audit-logs", auditors, a.auditLogs)

	// Users, KYC review and 3DS records. Fee exemptions are revenue (finance);
	// limits are risk controls on a person (compliance, like a freeze);
	// 3DS records answer a cardholder's "my payment was declined" (support).
	threeDSReaders := []operator.Role{operator.SuperAdmin, operator.Compliance, operator.Support}
	read("GET "+v1+"/users", readUsers, a.searchUsers)
	read("GET "+v1+"/users/{id}", readUsers, a.userDetail)
	write("POST "+v1+"/users/{id}/personal-data", compliance, a.revealPersonalData)
	write("PUT "+v1+"/users/{id}/limits", compliance, a.setUserLimits)
	write("PUT "+v1+"/users/{id}/fee-exemption", finance, a.setFeeExemption)
	write("POST "+v1+"/users/{id}/freeze", compliance, a.setFrozen(true))
	write("POST "+v1+"/users/{id}/unfreeze", compliance, a.setFrozen(false))
	write("POST "+v1+"/users/{id}/revoke-sessions", compliance, a.revokeUserSessions)
	read("GET "+v1+"/kyc/records", compliance, a.kycRecords)
	read("GET "+v1+"/kyc/records/{id}", compliance, a.kycRecord)
	write("POST "+v1+"/kyc/records/{id}/identity", compliance, a.revealKYCIdentity)
	write("POST "+v1+"/kyc/records/{id}/decision", compliance, a.decideKYC)
	read("GET "+v1+"/3ds/records", threeDSReaders, a.threeDSRecords)

	// Money: withdrawals, deposits, ledger, reconciliation, card-fee payments.
	// Compliance reads them too (AML review of deposits and withdrawals, the
	// book for audits); only finance acts.
	read("GET "+v1+"/withdrawals", auditors, a.listWithdrawals)
	write("POST "+v1+"/withdrawals/{id}/approve", finance, a.approveWithdrawal)
	write("POST "+v1+"/withdrawals/{id}/reject", finance, a.rejectWithdrawal)
	read("GET "+v1+"/deposits", auditors, a.listDeposits)
	write("POST "+v1+"/deposits/{id}/assign", finance, a.assignDeposit)
	write("POST "+v1+"/deposits/{id}/credit", finance, a.creditDeposit)
	read("GET "+v1+"/ledger/balances", auditors, a.ledgerBalances)
	read("GET "+v1+"/ledger/entries", auditors, a.ledgerEntries)
	write("POST "+v1+"/ledger/adjustments", finance, a.adjustBalance)
	read("GET "+v1+"/reconciliation/runs", auditors, a.reconciliationRuns)
	read("GET "+v1+"/reconciliation/report", auditors, a.reconciliationReport)
	write("POST "+v1+"/reconciliation/run", finance, a.runReconciliation)
	read("GET "+v1+"/reconciliation/custody-runs", auditors, a.custodyReconciliationRuns)
	write("POST "+v1+"/reconciliation/custody-run", finance, a.runCustodyReconciliation)
	read("GET "+v1+"/card-fee-payments", auditors, a.listCardFeePayments)
	write("POST "+v1+"/card-fee-payments/{id}/refund", finance, a.refundCardFeePayment)

	// Cards, card tasks, physical orders, tiers, commissions.
	// Card operations (lock, cancel, issuance retries, shipping) are
	// compliance's with super_admin; money (order refunds, commissions,
	// the tier rates that price them) is finance's.
	read("GET "+v1+"/cards", readUsers, a.listCards)
	write("POST "+v1+"/cards/{id}/lock", compliance, a.lockCard)
	write("POST "+v1+"/cards/{id}/unlock", compliance, a.unlockCard)
	write("POST "+v1+"/cards/{id}/cancel", compliance, a.cancelCard)
	read("GET "+v1+"/card-tasks", readUsers, a.listCardTasks)
	write("POST "+v1+"/card-tasks/{id}/retry", compliance, a.retryCardTask)
	read("GET "+v1+"/physical-orders", readUsers, a.listPhysicalOrders)
	write("POST "+v1+"/physical-orders/{id}/status", compliance, a.setPhysicalOrderStatus)
	write("POST "+v1+"/physical-orders/{id}/refund", finance, a.refundPhysicalOrder)
	read("GET "+v1+"/tier-configs", finance, a.tierConfigs)
	write("POST "+v1+"/tier-configs", finance, a.setTierConfigs)
	write("PUT "+v1+"/tier-configs/{tier_level}", finance, a.updateTierConfig)
	write("DELETE "+v1+"/tier-configs/{tier_level}", finance, a.deleteTierConfig)
	read("GET "+v1+"/commissions", finance, a.listCommissions)
	write("POST "+v1+"/commissions/{id}/pay", finance, a.payCommission)
	write("POST "+v1+"/commissions/{id}/cancel", finance, a.cancelCommission)

	// Card-fee, platform, swap and withdrawal fee settings. Finance changes
	// them; compliance (limits, thresholds) and support (what users pay)
	// read them.
	settingsReaders := []operator.Role{operator.SuperAdmin, operator.Finance, operator.Compliance, operator.Support}
	read("GET "+v1+"/settings", settingsReaders, a.getSettings)
	write("PUT "+v1+"/settings", finance, a.putSettings)
	read("GET "+v1+"/settings/history", settingsReaders, a.settingsHistory)
	read("GET "+v1+"/swap-fee-config", settingsReaders, a.getSwapFee)
	write("PUT "+v1+"/swap-fee-config", finance, a.putSwapFee)
	read("GET "+v1+"/swap-fee-config/history", settingsReaders, a.swapFeeHistory)
	read("GET "+v1+"/withdrawal-fee-config", settingsReaders, a.getWithdrawalFees)
	write("PUT "+v1+"/withdrawal-fee-config", finance, a.putWithdrawalFee)
	read("GET "+v1+"/card-fee-config", settingsReaders, a.getCardFees)
	write("PUT "+v1+"/card-fee-config/{card_type}", finance, a.putCardFee)

	// Content, coupons, notifications, webhook inbox.
	// Coupons discount card fees, so finance defines and hands them out;
	// content (campaign texts) and support (users' questions) read them.
	// Notifications are support's and content's. The inbox is read by whoever
	// chases a deposit, a card event or a KYC decision; replaying re-applies
	// money and card events, so it is finance's.
	contentTeam := []operator.Role{operator.SuperAdmin, operator.Content}
	couponReaders := []operator.Role{operator.SuperAdmin, operator.Finance, operator.Content, operator.Support}
	messengers := []operator.Role{operator.SuperAdmin, operator.Support, operator.Content}
	inboxReaders := []operator.Role{operator.SuperAdmin, operator.Finance, operator.Compliance}
	read("GET "+v1+"/announcements", contentTeam, a.listAnnouncements)
	write("POST "+v1+"/announcements", contentTeam, a.createAnnouncement)
	read("GET "+v1+"/announcements/{id}", contentTeam, a.getAnnouncement)
	write("PUT "+v1+"/announcements/{id}", contentTeam, a.updateAnnouncement)
	write("DELETE "+v1+"/announcements/{id}", contentTeam, a.deleteAnnouncement)
	write("POST "+v1+"/announcements/{id}/publish", contentTeam, a.publishAnnouncement)
	read("GET "+v1+"/app-version/{platform}", contentTeam, a.getAppVersion)
	write("PUT "+v1+"/app-version/{platform}", contentTeam, a.setAppVersion)
	read("GET "+v1+"/site-content/{lang}", contentTeam, a.getSiteContent)
	write("PUT "+v1+"/site-content/{lang}", contentTeam, a.setSiteContent)
	read("GET "+v1+"/partner-link", contentTeam, a.getPartnerLink)
	write("PUT "+v1+"/partner-link", contentTeam, a.setPartnerLink)
	read("GET "+v1+"/coupons", couponReaders, a.listCoupons)
	write("POST "+v1+"/coupons", finance, a.createCoupon)
	read("GET "+v1+"/coupons/{id}", couponReaders, a.getCoupon)
	write("PUT "+v1+"/coupons/{id}", finance, a.updateCoupon)
	write("DELETE "+v1+"/coupons/{id}", finance, a.deleteCoupon)
	write("POST "+v1+"/coupons/{id}/assign", finance, a.assignCoupon)
	write("POST "+v1+"/notifications/send", messengers, a.sendNotification)
	write("POST "+v1+"/notifications/broadcast", messengers, a.broadcast)
	read("GET "+v1+"/notifications/broadcasts", messengers, a.listBroadcasts)
	read("GET "+v1+"/notifications/broadcasts/{id}", messengers, a.getBroadcast)
	read("GET "+v1+"/webhooks/events", inboxReaders, a.webhookEvents)
	write("POST "+v1+"/webhooks/events/{id}/replay", finance, a.replayWebhookEvent)

	_ = readUsers
	return routes
}

// rolesByPattern is the route table's roles, for the console: a console
// page or action names the admin route it mirrors and inherits its roles,
// so both surfaces read one authorisation table.
var rolesByPattern = sync.OnceValue(func() map[string][]operator.Role {
	m := map[string][]operator.Role{}
	for _, rt := range New(Deps{}).Routes() {
		m[rt.Pattern] = rt.Roles
	}
	return m
})

// RolesOf returns the roles the admin route pattern allows, and whether the
// pattern exists.
func RolesOf(pattern string) ([]operator.Role, bool) {
	roles, ok := rolesByPattern()[pattern]
	return roles, ok
}
