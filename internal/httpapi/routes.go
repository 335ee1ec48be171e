package httpapi

import "net/http"

// routes is the whole HTTP surface in one place. Paths are registered
// without a trailing slash; dispatch strips one from requests.
func (s *Server) routes() {
	const v1 = "/api/v1"
	public := func(pattern string, h http.HandlerFunc) { s.mux.Handle(pattern, h) }
	bearer := func(pattern string, h principalHandler) { s.mux.Handle(pattern, s.authenticated(h)) }
	// bearerFirst is bearer for a route whose pattern overlaps another one
	// (GET /card/trade/{id} and GET /card/{publicToken}/pin both match
	// /card/trade/pin): it is matched first. A public token is numeric, so
	// "trade" is never one.
	bearerFirst := func(pattern string, h principalHandler) { s.first.Handle(pattern, s.authenticated(h)) }

	// Operator probes and the contract, outside the mobile API.
	public("GET /healthz", s.healthz)
	public("GET /readyz", s.readyz)
	public("GET /docs", s.docs)
	public("GET "+v1+"/openapi.yaml", s.openapi)

	// §2.1 Auth
	public("POST "+v1+"/auth/signup", s.signup)
	public("POST "+v1+"/auth/verify", s.verifySignup)
	public("POST "+v1+"/auth/set-password", s.setPassword)
	public("POST "+v1+"/auth/resend-otp", s.resendOTP)
	public("POST "+v1+"/auth/login", s.login)
	public("POST "+v1+"/auth/verify-otp", s.verifyOTPNoop)
	public("POST "+v1+"/auth/verify-login-otp", s.verifyLoginOTP)
	public("POST "+v1+"/auth/refresh", s.refresh)
	public("POST "+v1+"/auth/forgot-password", s.forgotPassword)
	public("POST "+v1+"/auth/verify-forgot-password-otp", s.verifyForgotPasswordOTP)
	public("POST "+v1+"/auth/reset-password", s.resetPassword)
	bearer("POST "+v1+"/auth/logout", s.logout)

	// §2.2 User, profile and security
	bearer("GET "+v1+"/user/profile", s.getProfile)
	bearer("PUT "+v1+"/user/profile", s.putProfile)
	bearer("POST "+v1+"/user/change-password", s.changePassword)
	bearer("POST "+v1+"/user/change-email/request", s.changeEmailRequest)
	bearer("POST "+v1+"/user/change-email/verify-new", s.changeEmailVerifyNew)
	bearer("POST "+v1+"/user/change-email/complete", s.changeEmailComplete)
	bearer("POST "+v1+"/user/change-phone/request", s.changePhoneRequest)
	bearer("POST "+v1+"/user/change-phone/verify-new", s.changePhoneVerifyNew)
	bearer("POST "+v1+"/user/change-phone/complete", s.changePhoneComplete)
	bearer("GET "+v1+"/user/transaction-password/status", s.txPasswordStatus)
	bearer("POST "+v1+"/user/transaction-password/request", s.txPasswordRequest)
	bearer("POST "+v1+"/user/transaction-password/complete", s.txPasswordComplete)
	bearer("POST "+v1+"/user/deactivate/request", s.deactivateRequest)
	bearer("POST "+v1+"/user/deactivate", s.deactivate)
	bearer("POST "+v1+"/push/devices", s.registerPushDevice)
	bearer("DELETE "+v1+"/push/devices", s.unregisterPushDevice)
	bearer("GET "+v1+"/partner-link", s.partnerLink)

	// §2.3 Wallet
	bearer("GET "+v1+"/wallet", s.getWallet)
	bearer("POST "+v1+"/wallet/transfer-by-uid", s.transferByUID)
	bearer("POST "+v1+"/wallet/withdrawal", s.requestWithdrawal)
	bearer("GET "+v1+"/wallet/withdrawals", s.listWithdrawals)
	bearer("GET "+v1+"/wallet/withdrawal-fee-info", s.withdrawalFeeInfo)
	bearer("GET "+v1+"/wallet/unified-transactions", s.unifiedTransactions)
	bearer("GET "+v1+"/wallet/exchange-rate", s.exchangeRate)
	public("GET "+v1+"/wallet/exchange-rates", s.exchangeRates)
	bearer("POST "+v1+"/wallet/swap/preview", s.previewSwap)
	bearer("POST "+v1+"/wallet/swap", s.executeSwap)
	bearer("GET "+v1+"/wallet/swap/history", s.swapHistory)

	// §2.4 Card fee and eligibility (paths keep the client's casing)
	bearer("GET "+v1+"/CardFee/GetStats", s.cardFeeStats)
	bearer("GET "+v1+"/CardFee/GetConfig", s.cardFeeConfig)
	bearer("GET "+v1+"/CardFee/GetCurrencies", s.cardFeeCurrencies)
	bearer("POST "+v1+"/CardFee/CreatePayment", s.createCardFeePayment)
	bearer("POST "+v1+"/CardFee/CompletePayment/{transaction_ref}", s.completeCardFeePayment)
	bearer("GET "+v1+"/CardFee/GetPaymentStatus", s.cardFeePaymentStatus)
	bearer("GET "+v1+"/CardFee/GetPaymentHistory", s.cardFeePaymentHistory)
	bearer("GET "+v1+"/kyc/eligibility", s.kycEligibility)

	// §2.5 KYC (historical /didit/ prefix)
	bearer("POST "+v1+"/didit/initialize-token", s.initializeKYC)
	bearer("GET "+v1+"/didit/status", s.kycStatus)

	// §2.6 Cards
	bearer("POST "+v1+"/card/apply", s.applyCard)
	bearer("GET "+v1+"/card/apply/progress/{task_id}", s.cardApplyProgress)
	bearer("GET "+v1+"/card/list", s.listCards)
	bearer("GET "+v1+"/card/account-details", s.cardAccountDetails)
	bearer("GET "+v1+"/card/status", s.getCardStatus)
	bearer("PUT "+v1+"/card/status", s.putCardStatus)
	bearer("GET "+v1+"/card/transaction-history", s.cardTransactionHistory)
	bearer("GET "+v1+"/card/trades", s.cardTrades)
	bearerFirst("GET "+v1+"/card/trade/{id}", s.cardTrade)
	bearer("PUT "+v1+"/card/3ds", s.setCardThreeDSPlan)

	// §2.7 3DS
	bearer("GET "+v1+"/3ds/my-records", s.myThreeDSRecords)
	bearer("PUT "+v1+"/3ds/messages/{notification_id}/confirm", s.confirmThreeDS)
	bearer("GET "+v1+"/card/cvv", s.cardCVV)
	bearer("POST "+v1+"/card/full-number", s.cardFullNumber)
	bearer("POST "+v1+"/card/{publicToken}/pin/code/send", s.sendCardPINCode)
	bearer("GET "+v1+"/card/{publicToken}/pin", s.getCardPIN)
	bearer("POST "+v1+"/card/{publicToken}/pin", s.setCardPIN)
	// Physical card upgrade (envelope C) and delivery confirmation.
	bearer("GET "+v1+"/card/physical/upgrade/fee-info", s.upgradeFeeInfo)
	bearer("POST "+v1+"/card/physical/upgrade/email-code/send", s.upgradeSendCode)
	bearer("POST "+v1+"/card/physical/upgrade/email-code/verify", s.upgradeVerifyCode)
	bearer("PUT "+v1+"/card/convertToPhysical", s.convertToPhysical)
	bearer("GET "+v1+"/card/physical/upgrade/progress", s.upgradeProgress)
	bearer("POST "+v1+"/card/physical-application/{id}/confirm-delivery", s.confirmDelivery)

	// §2.8 Notifications
	bearer("GET "+v1+"/notifications", s.listNotifications)
	bearer("GET "+v1+"/notifications/unread-count", s.unreadNotifications)
	bearer("GET "+v1+"/notifications/{id}", s.openNotification)
	bearer("PUT "+v1+"/notifications/{id}/read", s.readNotification)
	// §2.8 Announcements, site content, app version (the last two public:
	// the app calls them before login, with whatever token it has stored)
	bearer("GET "+v1+"/announcements", s.listAnnouncements)
	bearer("GET "+v1+"/announcements/unread-count", s.announcementUnreadCount)
	bearer("GET "+v1+"/announcements/{id}", s.getAnnouncement)
	public("GET "+v1+"/site-content", s.siteContent)
	public("GET "+v1+"/app-version", s.appVersion)

	// §2.9 Coupons (as far as the card fee needs them)
	bearer("GET "+v1+"/coupons", s.listCoupons)
	bearer("GET "+v1+"/coupons/my-coupons", s.myCoupons)
	bearer("POST "+v1+"/coupons/claim", s.claimCoupon)
	bearer("POST "+v1+"/coupons/check-eligibility", s.checkCouponEligibility)

	// §2.10 Referrals and tiers
	bearer("GET "+v1+"/user/referral-code", s.referralCode)
	bearer("GET "+v1+"/user/referral-stats", s.referralStats)
	bearer("GET "+v1+"/user/referrals", s.referrals)
	bearer("GET "+v1+"/user/commissions", s.commissions)
	bearer("GET "+v1+"/user/my-referrer", s.myReferrer)
	public("GET "+v1+"/tier-configs", s.tierConfigs)
	bearer("GET "+v1+"/user/tier", s.userTier)
	bearer("GET "+v1+"/user/tier/progress", s.tierProgress)

	// §2.11 Inbound provider webhooks (signature-checked, no bearer)
	public("POST "+v1+"/webhooks/custody", s.custodyCallback)
	public("POST "+v1+"/yudun/callback", s.custodyCallback)
	public("POST "+v1+"/webhooks/kyc", s.kycWebhook)
	public("POST "+v1+"/webhooks/issuer", s.issuerWebhook)
	public("POST "+v1+"/webhooks/3ds-callback", s.threeDSWebhook)

	// §4 Sandbox helpers: registered only in sandbox mode, so in production
	// every /sandbox/* path is an ordinary 404.
	if s.Sandbox {
		sandbox := func(pattern string, h http.HandlerFunc) { s.mux.Handle(pattern, s.sandboxOnly(h)) }
		sandbox("POST "+v1+"/sandbox/deposits", s.sandboxDeposit)
		sandbox("GET "+v1+"/sandbox/outbox", s.sandboxOutbox)
		sandbox("POST "+v1+"/sandbox/fx", s.sandboxFX)
		sandbox("POST "+v1+"/sandbox/withdrawals/{id}/settle", s.sandboxSettleWithdrawal)
		sandbox("POST "+v1+"/sandbox/issuer/failures", s.sandboxIssuerFailures)
		sandbox("POST "+v1+"/sandbox/kyc/approve", s.sandboxKYCApproveUser)
		sandbox("POST "+v1+"/sandbox/cards/{public_token}/transactions", s.sandboxCardTransaction)
		sandbox("POST "+v1+"/sandbox/cards/{public_token}/3ds", s.sandboxThreeDS)
		sandbox("POST "+v1+"/sandbox/cards/{public_token}/shipment/advance", s.sandboxShipmentAdvance)
		// The KYC page is opened by a person in a browser: no sandbox token.
		public("GET "+v1+"/sandbox/kyc/sessions/{session_id}", s.sandboxKYCPage)
		public("POST "+v1+"/sandbox/kyc/sessions/{session_id}/approve", s.sandboxKYCDecide(true))
		public("POST "+v1+"/sandbox/kyc/sessions/{session_id}/reject", s.sandboxKYCDecide(false))
	}
}
