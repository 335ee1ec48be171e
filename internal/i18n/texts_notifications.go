package i18n

// textsNotifications are the titles and bodies of notifications (API.md
// §3.6). Bodies are formats: each translation keeps the %s verbs of the
// English text, in the same order.
// Key: canonical English text; value: {zh, ar}.
var textsNotifications = map[string][2]string{
	// Cards.
	"Card active":                          {"卡片已启用", "البطاقة مفعّلة"},
	"Card frozen":                          {"卡片已冻结", "تم تجميد البطاقة"},
	"Card cancelled":                       {"卡片已注销", "تم إلغاء البطاقة"},
	"Your card ending %s is active again.": {"尾号%s的卡片已重新启用。", "البطاقة المنتهية بـ %s مفعّلة مرة أخرى."},
	"Your card ending %s is frozen.":       {"尾号%s的卡片已冻结。", "تم تجميد البطاقة المنتهية بـ %s."},
	"Your card ending %s is cancelled.":    {"尾号%s的卡片已注销。", "تم إلغاء البطاقة المنتهية بـ %s."},
	"Card payment":                         {"卡片消费", "دفعة بالبطاقة"},
	"Card payment declined":                {"卡片消费被拒绝", "تم رفض الدفع بالبطاقة"},
	"Card refund":                          {"卡片退款", "استرداد إلى البطاقة"},
	"HKD %s paid at %s with your card ending %s.": {
		"已使用尾号%[3]s的卡片在%[2]s支付 HKD %[1]s。", "تم دفع %s دولار هونغ كونغ لدى %s بالبطاقة المنتهية بـ %s."},
	"A payment of HKD %s at %s with your card ending %s was declined.": {
		"尾号%[3]s的卡片在%[2]s的 HKD %[1]s 消费被拒绝。", "تم رفض دفعة بقيمة %s دولار هونغ كونغ لدى %s بالبطاقة المنتهية بـ %s."},
	"HKD %s from %s was refunded to your card ending %s.": {
		"%[2]s已向尾号%[3]s的卡片退款 HKD %[1]s。", "تم استرداد %s دولار هونغ كونغ من %s إلى البطاقة المنتهية بـ %s."},
	"Card issued":                    {"卡片已开通", "تم إصدار البطاقة"},
	"Card application failed":        {"开卡失败", "فشل طلب البطاقة"},
	"Your new card is ready to use.": {"您的新卡已可使用。", "بطاقتك الجديدة جاهزة للاستخدام."},
	"Your card could not be issued; your card fee is available for a new application.": {
		"您的卡片未能开通，开卡费可用于重新申请。", "تعذر إصدار بطاقتك؛ رسوم البطاقة متاحة لطلب جديد."},

	// Wallet.
	"Deposit received":                   {"充值到账", "تم استلام الإيداع"},
	"%s %s was credited to your wallet.": {"%s %s 已存入您的钱包。", "تمت إضافة %s %s إلى محفظتك."},
	"Withdrawal approved":                {"提现已批准", "تمت الموافقة على السحب"},
	"Withdrawal completed":               {"提现已完成", "اكتمل السحب"},
	"Withdrawal rejected":                {"提现被拒绝", "تم رفض السحب"},
	"Withdrawal failed":                  {"提现失败", "فشل السحب"},
	"Your withdrawal of %s %s was approved and is being sent.": {
		"您 %s %s 的提现已批准，正在发送。", "تمت الموافقة على سحبك البالغ %s %s وجارٍ إرساله."},
	"Your withdrawal of %s %s was completed.": {"您 %s %s 的提现已完成。", "اكتمل سحبك البالغ %s %s."},
	"Your withdrawal of %s %s was rejected; the amount and fee are back in your wallet.": {
		"您 %s %s 的提现被拒绝，金额及手续费已退回钱包。", "تم رفض سحبك البالغ %s %s؛ أعيد المبلغ والرسوم إلى محفظتك."},
	"Your withdrawal of %s %s failed; the amount and fee are back in your wallet.": {
		"您 %s %s 的提现失败，金额及手续费已退回钱包。", "فشل سحبك البالغ %s %s؛ أعيد المبلغ والرسوم إلى محفظتك."},
	"Transfer received":   {"收到转账", "تم استلام تحويل"},
	"You received %s %s.": {"您收到了 %s %s。", "لقد استلمت %s %s."},

	// KYC, coupons, physical cards.
	"Identity verified":              {"身份认证已通过", "تم التحقق من الهوية"},
	"Identity verification rejected": {"身份认证未通过", "تم رفض التحقق من الهوية"},
	"Your identity verification was approved. You can apply for a card.": {
		"您的身份认证已通过，现在可以申请卡片。", "تمت الموافقة على التحقق من هويتك. يمكنك التقدم بطلب للحصول على بطاقة."},
	"Your identity verification was rejected (%s). You can submit it again.": {
		"您的身份认证未通过（%s），可以重新提交。", "تم رفض التحقق من هويتك (%s). يمكنك تقديمه مرة أخرى."},
	"You received a coupon":                     {"您获得了一张优惠券", "لقد حصلت على قسيمة"},
	"Coupon %s (%s) was added to your account.": {"优惠券 %s（%s）已添加到您的账户。", "تمت إضافة القسيمة %s (%s) إلى حسابك."},
	"Physical card":                             {"实体卡", "البطاقة المادية"},
	"Your physical card order was sent to the card issuer.": {
		"您的实体卡订单已提交发卡机构。", "تم إرسال طلب بطاقتك المادية إلى جهة الإصدار."},
	"Your physical card is being made.": {"您的实体卡正在制作中。", "يجري تصنيع بطاقتك المادية."},
	"Your physical card has been shipped (tracking number %s).": {
		"您的实体卡已寄出（运单号 %s）。", "تم شحن بطاقتك المادية (رقم التتبع %s)."},
	"Your physical card was delivered.": {"您的实体卡已送达。", "تم تسليم بطاقتك المادية."},
	"Your physical card order failed; the fee was refunded.": {
		"您的实体卡订单失败，费用已退还。", "فشل طلب بطاقتك المادية؛ تم رد الرسوم."},

	// 3DS and referrals.
	"Confirm your card payment":      {"请确认您的卡片支付", "أكّد الدفع ببطاقتك"},
	"Card payment verification code": {"卡片支付验证码", "رمز التحقق من الدفع بالبطاقة"},
	"Approve or reject the payment of %s %s at %s in the app.": {
		"请在应用中批准或拒绝在%[3]s的 %[1]s %[2]s 支付。", "وافق على دفعة %s %s لدى %s أو ارفضها في التطبيق."},
	"The verification code for the payment of %s %s at %s has been sent to your e-mail.": {
		"在%[3]s支付 %[1]s %[2]s 的验证码已发送至您的邮箱。", "تم إرسال رمز التحقق لدفعة %s %s لدى %s إلى بريدك الإلكتروني."},
	"Commission credited": {"佣金已到账", "تمت إضافة العمولة"},

	// Account security (the e-mail of the same event is translated here too).
	"Sessions signed out": {"登录会话已退出", "تم تسجيل الخروج من الجلسات"},
	"Someone used an old sign-in token of your account, so all sessions on that device were signed out. If it wasn't you, change your password.": {
		"有人使用了您账户的旧登录令牌，因此该设备上的所有会话均已退出。如果不是您本人操作，请修改密码。",
		"استخدم شخص ما رمز تسجيل دخول قديمًا لحسابك، لذلك تم تسجيل الخروج من جميع الجلسات على ذلك الجهاز. إذا لم تكن أنت، فغيّر كلمة المرور."},
	"Security alert: your ComeComePay sessions were signed out": {
		"安全提醒：您的 ComeComePay 会话已退出", "تنبيه أمني: تم تسجيل الخروج من جلساتك في ComeComePay"},
	"Someone used an old sign-in token of your ComeComePay account, so all sessions on that device were signed out. If it wasn't you, change your password now.": {
		"有人使用了您 ComeComePay 账户的旧登录令牌，因此该设备上的所有会话均已退出。如果不是您本人操作，请立即修改密码。",
		"استخدم شخص ما رمز تسجيل دخول قديمًا لحسابك في ComeComePay، لذلك تم تسجيل الخروج من جميع الجلسات على ذلك الجهاز. إذا لم تكن أنت، فغيّر كلمة المرور الآن."},
	"Your referral commission (%s) of %s %s has been credited to your wallet.": {
		"您的推荐佣金（%s）%s %s 已存入钱包。", "تمت إضافة عمولة الإحالة (%s) البالغة %s %s إلى محفظتك."},
}
