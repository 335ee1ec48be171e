package i18n

// textsOther holds the success messages of API.md §2.3–§2.10 and the
// localized labels: KYC status messages (§2.5), physical-order status texts
// (§3.4.5) and unified-transaction type and status labels (§3.4.9).
// Key: canonical English text; value: {zh, ar}.
var textsOther = map[string][2]string{
	// §2.3 Wallet.
	"Wallet retrieved successfully":   {"获取钱包成功", "تم جلب المحفظة بنجاح"},
	"Withdrawal request submitted":    {"提现申请已提交", "تم تقديم طلب السحب"},
	"Transfer completed successfully": {"转账成功", "تم التحويل بنجاح"},
	"Swap completed successfully":     {"兑换成功", "تمت المبادلة بنجاح"},

	// §2.4 Card fee and eligibility.
	"Payment created successfully":   {"支付订单创建成功", "تم إنشاء الدفعة بنجاح"},
	"Payment completed successfully": {"支付成功", "تم الدفع بنجاح"},
	"Card fee payment required before KYC verification": {
		"进行KYC认证前需先支付开卡费",
		"يجب دفع رسوم البطاقة قبل التحقق من الهوية",
	},

	// §2.5 KYC. The rejected message is composed by the caller as
	// Text("KYC rejected") + ": " + reason + ". " + Text("You can resubmit.").
	"KYC session created": {"KYC会话已创建", "تم إنشاء جلسة التحقق من الهوية"},
	"KYC not submitted":   {"KYC未提交", "لم يتم تقديم التحقق من الهوية"},
	"KYC is under review": {"KYC审核中", "التحقق من الهوية قيد المراجعة"},
	"KYC approved, no need to resubmit": {
		"KYC已通过，无需重复提交",
		"تمت الموافقة على التحقق من الهوية، لا حاجة لإعادة التقديم",
	},
	"KYC rejected":      {"KYC未通过", "تم رفض التحقق من الهوية"},
	"You can resubmit.": {"您可以重新提交。", "يمكنك إعادة التقديم."},

	// §2.6 Cards.
	"Card application submitted":                  {"开卡申请已提交", "تم تقديم طلب البطاقة"},
	"Card account details retrieved successfully": {"获取卡片账户详情成功", "تم جلب تفاصيل حساب البطاقة بنجاح"},
	"Card status modified successfully":           {"卡片状态修改成功", "تم تعديل حالة البطاقة بنجاح"},
	"Transaction history retrieved successfully":  {"获取交易记录成功", "تم جلب سجل المعاملات بنجاح"},
	"CVV retrieved successfully":                  {"获取CVV成功", "تم جلب رمز CVV بنجاح"},
	"Full card number retrieved successfully":     {"获取完整卡号成功", "تم جلب رقم البطاقة الكامل بنجاح"},
	"PIN retrieved successfully":                  {"获取PIN码成功", "تم جلب رمز PIN بنجاح"},
	"PIN set successfully":                        {"PIN码设置成功", "تم تعيين رمز PIN بنجاح"},
	"Delivery confirmed successfully":             {"确认收货成功", "تم تأكيد الاستلام بنجاح"},
	"Card 3DS authentication plan updated successfully": {
		"卡片3DS验证方式更新成功",
		"تم تحديث طريقة مصادقة 3DS للبطاقة بنجاح",
	},

	// §2.7 3DS.
	"3DS challenge confirmed": {"3DS验证已确认", "تم تأكيد طلب التحقق 3DS"},

	// §2.9 Coupons.
	"Coupon claimed successfully": {"优惠券领取成功", "تم الحصول على القسيمة بنجاح"},

	// §3.4.5 Physical order status texts (status_desc, status_text). The
	// shared labels Pending, Approved, Failed, Cancelled and Rejected are
	// listed with the transaction statuses below.
	"Email code sent":              {"已发送邮箱验证码", "تم إرسال رمز البريد الإلكتروني"},
	"Email verified":               {"邮箱已验证", "تم التحقق من البريد الإلكتروني"},
	"Fee paid":                     {"已支付费用", "تم دفع الرسوم"},
	"Submitted to the card issuer": {"已提交至发卡机构", "تم الإرسال إلى جهة إصدار البطاقة"},
	"Processing":                   {"处理中", "قيد المعالجة"},
	"Shipped":                      {"已发货", "تم الشحن"},
	"Delivered":                    {"已送达", "تم التسليم"},

	// §3.4.9 Unified transaction types (type_label).
	"Deposit":               {"充值", "إيداع"},
	"Withdrawal":            {"提现", "سحب"},
	"Swap":                  {"兑换", "مبادلة"},
	"Card fee":              {"开卡费", "رسوم البطاقة"},
	"Physical card upgrade": {"实体卡升级", "الترقية إلى بطاقة فعلية"},
	"Transfer":              {"转账", "تحويل"},
	"Commission":            {"佣金", "عمولة"},
	"Refund":                {"退款", "استرداد"},
	"Fee":                   {"手续费", "رسوم"},
	"Adjustment":            {"调账", "تسوية"},

	// §3.4.9 Unified transaction statuses (status_label).
	"Pending":   {"待处理", "قيد الانتظار"},
	"Approved":  {"已批准", "تمت الموافقة"},
	"Completed": {"已完成", "مكتمل"},
	"Failed":    {"失败", "فشل"},
	"Cancelled": {"已取消", "ملغى"},
	"Rejected":  {"已拒绝", "مرفوض"},
	"Credited":  {"已入账", "تمت الإضافة إلى الرصيد"},
}
