package httpapi

// routes is the whole HTTP surface in one place. Paths are registered
// without a trailing slash; dispatch strips one from requests.
func (s *Server) routes() {
	const v1 = "/api/v1"
	// The error envelope family of each route (API.md §1.5): A and B share
	// one error body, C is the issuer-style one.
	ab, c := familyAB, familyC
	public := func(pattern string, family errorFamily, h handlerFunc) { s.mux.Handle(pattern, s.serve(family, h)) }
	bearer := func(pattern string, family errorFamily, h principalHandler) {
		s.mux.Handle(pattern, s.serve(family, s.authenticated(h)))
	}
	// bearerFirst is bearer for a route whose pattern overlaps another one
	// (GET /card/trade/{id} and GET /card/{publicToken}/pin both match
	// /card/trade/pin): it is matched first. A public token is numeric, so
	// "trade" is never one.
	bearerFirst := func(pattern string, family errorFamily, h principalHandler) {
		s.first.Handle(pattern, s.serve(family, s.authenticated(h)))
	}

	// Operator probes and the contract, outside the mobile API.
	public("GET /healthz", ab, s.healthz)
	public("GET /readyz", ab, s.readyz)
	public("GET /docs", ab, s.docs)
	public("GET "+v1+"/openapi.yaml", ab, s.openapi)

	// §2.1 Auth
	public("POST "+v1+"/auth/signup", ab, s.signup)
	public("POST "+v1+"/auth/verify", ab, s.verifySignup)
	public("POST "+v1+"/auth/set-password", ab, s.setPassword)
	public("POST "+v1+"/auth/resend-otp", ab, s.resendOTP)
	public("POST "+v1+"/auth/login", ab, s.login)
	public("POST "+v1+"/auth/verify-otp", ab, s.verifyOTPNoop)
	public("POST "+v1+"/auth/verify-login-otp", ab, s.verifyLoginOTP)
	public("POST "+v1+"/auth/refresh", ab, s.refresh)
	public("POST "+v1+"/auth/forgot-password", ab, s.forgotPassword)
	public("POST "+v1+"/auth/verify-forgot-password-otp", ab, s.verifyForgotPasswordOTP)
	public("POST "+v1+"/auth/reset-password", ab, s.resetPassword)
	bearer("POST "+v1+"/auth/logout", ab, s.logout)

	// §2.2 User, profile and security
	bearer("GET "+v1+"/user/profile", ab, s.getProfile)
	bearer("PUT "+v1+"/user/profile", ab, s.putProfile)
	bearer("POST "+v1+"/user/change-password", ab, s.changePassword)
	bearer("POST "+v1+"/user/change-email/request", ab, s.changeEmailRequest)
	bearer("POST "+v1+"/user/change-email/verify-new", ab, s.changeEmailVerifyNew)
	bearer("POST "+v1+"/user/change-email/complete", ab, s.changeEmailComplete)
	bearer("POST "+v1+"/user/change-phone/request", ab, s.changePhoneRequest)
	bearer("POST "+v1+"/user/change-phone/verify-new", ab, s.changePhoneVerifyNew)
	bearer("POST "+v1+"/user/change-phone/complete", ab, s.changePhoneComplete)
	bearer("GET "+v1+"/user/transaction-password/status", ab, s.txPasswordStatus)
	bearer("POST "+v1+"/user/transaction-password/request", ab, s.txPasswordRequest)
	bearer("POST "+v1+"/user/transaction-password/complete", ab, s.txPasswordComplete)
	bearer("POST "+v1+"/user/deactivate/request", ab, s.deactivateRequest)
	bearer("POST "+v1+"/user/deactivate", ab, s.deactivate)
	bearer("POST "+v1+"/push/devices", ab, s.registerPushDevice)
	bearer("DELETE "+v1+"/push/devices", ab, s.unregisterPushDevice)
	bearer("GET "+v1+"/partner-link", ab, s.partnerLink)

	// §2.3 Wallet
	bearer("GET "+v1+"/wallet", ab, s.getWallet)
	bearer("POST "+v1+"/wallet/transfer-by-uid", ab, s.transferByUID)
	bearer("POST "+v1+"/wallet/withdrawal", ab, s.requestWithdrawal)
	bearer("GET "+v1+"/wallet/withdrawals", ab, s.listWithdrawals)
	bearer("GET "+v1+"/wallet/withdrawal-fee-info", ab, s.withdrawalFeeInfo)
	bearer("GET "+v1+"/wallet/unified-transactions", ab, s.unifiedTransactions)
	bearer("GET "+v1+"/wallet/exchange-rate", ab, s.exchangeRate)
	public("GET "+v1+"/wallet/exchange-rates", ab, s.exchangeRates)
	bearer("POST "+v1+"/wallet/swap/preview", ab, s.previewSwap)
	bearer("POST "+v1+"/wallet/swap", ab, s.executeSwap)
	bearer("GET "+v1+"/wallet/swap/history", ab, s.swapHistory)

	// §2.4 Card fee and eligibility (paths keep the client's casing)
	bearer("GET "+v1+"/CardFee/GetStats", ab, s.cardFeeStats)
	bearer("GET "+v1+"/CardFee/GetConfig", ab, s.cardFeeConfig)
	bearer("GET "+v1+"/CardFee/GetCurrencies", ab, s.cardFeeCurrencies)
	bearer("POST "+v1+"/CardFee/CreatePayment", ab, s.createCardFeePayment)
	bearer("POST "+v1+"/CardFee/CompletePayment/{transaction_ref}", ab, s.completeCardFeePayment)
	bearer("GET "+v1+"/CardFee/GetPaymentStatus", ab, s.cardFeePaymentStatus)
	bearer("GET "+v1+"/CardFee/GetPaymentHistory", ab, s.cardFeePaymentHistory)
	bearer("GET "+v1+"/kyc/eligibility", ab, s.kycEligibility)

	// §2.5 KYC (historical /didit/ prefix)
	bearer("POST "+v1+"/didit/initialize-token", ab, s.initializeKYC)
	bearer("GET "+v1+"/didit/status", ab, s.kycStatus)

	// §2.6 Cards
	bearer("POST "+v1+"/card/apply", ab, s.applyCard)
	bearer("GET "+v1+"/card/apply/progress/{task_id}", ab, s.cardApplyProgress)
	bearer("GET "+v1+"/card/list", ab, s.listCards)
	bearer("GET "+v1+"/card/account-details", ab, s.cardAccountDetails)
	bearer("GET "+v1+"/card/status", ab, s.getCardStatus)
	bearer("PUT "+v1+"/card/status", ab, s.putCardStatus)
	bearer("GET "+v1+"/card/transaction-history", ab, s.cardTransactionHistory)
	bearer("GET "+v1+"/card/trades", c, s.cardTrades)
	bearerFirst("GET "+v1+"/card/trade/{id}", c, s.cardTrade)
	bearer("PUT "+v1+"/card/3ds", ab, s.setCardThreeDSPlan)

	// §2.7 3DS
	bearer("GET "+v1+"/3ds/my-records", ab, s.myThreeDSRecords)
	bearer("PUT "+v1+"/3ds/messages/{notification_id}/confirm", ab, s.confirmThreeDS)
	bearer("GET "+v1+"/card/cvv", ab, s.cardCVV)
	bearer("POST "+v1+"/card/full-number", ab, s.cardFullNumber)
	bearer("POST "+v1+"/card/{publicToken}/pin/code/send", c, s.sendCardPINCode)
	bearer("GET "+v1+"/card/{publicToken}/pin", c, s.getCardPIN)
	bearer("POST "+v1+"/card/{publicToken}/pin", c, s.setCardPIN)
	// Physical card upgrade (envelope C) and delivery confirmation.
	bearer("GET "+v1+"/card/physical/upgrade/fee-info", c, s.upgradeFeeInfo)
	bearer("POST "+v1+"/card/physical/upgrade/email-code/send", c, s.upgradeSendCode)
	bearer("POST "+v1+"/card/physical/upgrade/email-code/verify", familyCVerify, s.upgradeVerifyCode)
	bearer("PUT "+v1+"/card/convertToPhysical", c, s.convertToPhysical)
	bearer("GET "+v1+"/card/physical/upgrade/progress", c, s.upgradeProgress)
	bearer("POST "+v1+"/card/physical-application/{id}/confirm-delivery", ab, s.confirmDelivery)

	// §2.8 Notifications
	bearer("GET "+v1+"/notifications", ab, s.listNotifications)
	bearer("GET "+v1+"/notifications/unread-count", ab, s.unreadNotifications)
	bearer("GET "+v1+"/notifications/{id}", ab, s.openNotification)
	bearer("PUT "+v1+"/notifications/{id}/read", ab, s.readNotification)
	// §2.8 Announcements, site content, app version (the last two public:
	// the app calls them before login, with whatever token it has stored)
	bearer("GET "+v1+"/announcements", ab, s.listAnnouncements)
	bearer("GET "+v1+"/announcements/unread-count", ab, s.announcementUnreadCount)
	bearer("GET "+v1+"/announcements/{id}", ab, s.getAnnouncement)
	public("GET "+v1+"/site-content", ab, s.siteContent)
	public("GET "+v1+"/app-version", ab, s.appVersion)

	// §2.9 Coupons (as far as the card fee needs them)
	bearer("GET "+v1+"/coupons", ab, s.listCoupons)
	bearer("GET "+v1+"/coupons/my-coupons", ab, s.myCoupons)
	bearer("POST "+v1+"/coupons/claim", ab, s.claimCoupon)
	bearer("POST "+v1+"/coupons/check-eligibility", ab, s.checkCouponEligibility)

	// §2.10 Referrals and tiers
	bearer("GET "+v1+"/user/referral-code", ab, s.referralCode)
	bearer("GET "+v1+"/user/referral-stats", ab, s.referralStats)
	bearer("GET "+v1+"/user/referrals", ab, s.referrals)
	bearer("GET "+v1+"/user/commissions", ab, s.commissions)
	bearer("GET "+v1+"/user/my-referrer", ab, s.myReferrer)
	public("GET "+v1+"/tier-configs", ab, s.tierConfigs)
	bearer("GET "+v1+"/user/tier", ab, s.userTier)
	bearer("GET "+v1+"/user/tier/progress", ab, s.tierProgress)

	// §2.11 Inbound provider webhooks (signature-checked, no bearer)
	public("POST "+v1+"/webhooks/custody", ab, s.custodyCallback)
	public("POST "+v1+"/yudun/callback", ab, s.custodyCallback)
	public("POST "+v1+"/webhooks/kyc", ab, s.kycWebhook)
	public("POST "+v1+"/webhooks/issuer", ab, s.issuerWebhook)
	public("POST "+v1+"/webhooks/3ds-callback", ab, s.threeDSWebhook)

	// §5 Admin API: adminapi's own table says which roles may call each
	// route; every admin answer uses the common error envelope.
	for _, rt := range s.admin.Routes() {
		s.mux.Handle(rt.Pattern, s.serve(ab, rt.Handle))
	}

	// The operators' web console (server-rendered pages, its own security
	// headers and error pages).
	s.mux.Handle("/console", s.console)
	s.mux.Handle("/console/", s.console)

	// §4 Sandbox helpers: registered only in sandbox mode, so in production
	// every /sandbox/* path is an ordinary 404.
	if s.Sandbox.Enabled {
		sb := s.sandbox
		sandbox := func(pattern string, family errorFamily, h handlerFunc) {
			s.mux.Handle(pattern, s.serve(family, sb.RequireToken(h)))
		}
		sandbox("POST "+v1+"/sandbox/deposits", ab, sb.Deposit)
		sandbox("GET "+v1+"/sandbox/outbox", ab, sb.Outbox)
		sandbox("POST "+v1+"/sandbox/fx", ab, sb.FX)
		sandbox("POST "+v1+"/sandbox/withdrawals/{id}/settle", ab, sb.SettleWithdrawal)
		sandbox("POST "+v1+"/sandbox/issuer/failures", ab, sb.IssuerFailures)
		sandbox("POST "+v1+"/sandbox/kyc/approve", ab, sb.ApproveKYC)
		sandbox("POST "+v1+"/sandbox/cards/{public_token}/transactions", ab, sb.CardTransaction)
		sandbox("POST "+v1+"/sandbox/cards/{public_token}/3ds", ab, sb.ThreeDSChallenge)
		sandbox("POST "+v1+"/sandbox/cards/{public_token}/shipment/advance", ab, sb.ShipmentAdvance)
		// The KYC page is opened by a person in a browser: no sandbox token.
		public("GET "+v1+"/sandbox/kyc/sessions/{session_id}", ab, sb.KYCPage)
		public("POST "+v1+"/sandbox/kyc/sessions/{session_id}/approve", ab, sb.KYCDecide(true))
		public("POST "+v1+"/sandbox/kyc/sessions/{session_id}/reject", ab, sb.KYCDecide(false))
	}
}
