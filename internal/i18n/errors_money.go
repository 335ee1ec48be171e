package i18n

// errorsMoney covers the wallet, swap, card, card-fee, KYC, coupon,
// physical-upgrade, 3DS, idempotency and upstream-provider codes of the
// API.md §1.6 catalogue.
var errorsMoney = map[string]errorText{
	// Wallet, withdrawals and transfers.
	"INSUFFICIENT_BALANCE": {
		summary: "Insufficient balance",
		en:      "Insufficient balance",
		zh:      "余额不足",
		ar:      "الرصيد غير كافٍ",
	},
	"LIMIT_EXCEEDED": {
		summary: "Limit exceeded",
		en:      "This amount exceeds your daily or monthly limit",
		zh:      "该金额超出每日或每月限额",
		ar:      "هذا المبلغ يتجاوز الحد اليومي أو الشهري",
	},
	"UNSUPPORTED_CURRENCY": {
		summary: "Unsupported currency",
		en:      "This currency is not supported for this operation",
		zh:      "该币种不支持此操作",
		ar:      "هذه العملة غير مدعومة لهذه العملية",
	},
	"INVALID_ADDRESS": {
		summary: "Invalid address",
		en:      "The address is not valid for the selected network",
		zh:      "地址无效，请检查所选网络",
		ar:      "العنوان غير صالح للشبكة المحددة",
	},
	"INTERNAL_ADDRESS": {
		summary: "Internal address",
		en:      "This is a platform address, please use transfer by UID instead",
		zh:      "该地址为平台内部地址，请使用UID转账",
		ar:      "هذا عنوان تابع للمنصة، يرجى استخدام التحويل عبر المعرّف UID بدلاً من ذلك",
	},
	"SELF_TRANSFER": {
		summary: "Self transfer not allowed",
		en:      "You cannot transfer to yourself",
		zh:      "不能向自己转账",
		ar:      "لا يمكنك التحويل إلى نفسك",
	},
	"WALLET_NOT_ACTIVE": {
		summary: "Wallet not active",
		en:      "The wallet is not available for this operation",
		zh:      "钱包当前不可用",
		ar:      "المحفظة غير متاحة لهذه العملية",
	},

	// Exchange rates and swaps.
	"SAME_CURRENCY": {
		summary: "Same currency",
		en:      "Please choose two different currencies",
		zh:      "请选择两种不同的币种",
		ar:      "يرجى اختيار عملتين مختلفتين",
	},
	"UNSUPPORTED_PAIR": {
		summary: "Unsupported currency pair",
		en:      "This currency pair is not supported",
		zh:      "不支持该币种兑换",
		ar:      "زوج العملات هذا غير مدعوم",
	},
	"QUOTE_EXPIRED": {
		summary: "Quote expired",
		en:      "The quote has expired, please get a new quote",
		zh:      "报价已过期，请重新获取",
		ar:      "انتهت صلاحية عرض السعر، يرجى طلب عرض سعر جديد",
	},
	"QUOTE_ALREADY_USED": {
		summary: "Quote already used",
		en:      "This quote has already been used, please get a new quote",
		zh:      "该报价已被使用，请重新获取",
		ar:      "تم استخدام عرض السعر هذا بالفعل، يرجى طلب عرض سعر جديد",
	},
	"QUOTE_MISMATCH": {
		summary: "Quote mismatch",
		en:      "The quote does not match your request, please get a new quote",
		zh:      "报价与请求不符，请重新获取",
		ar:      "عرض السعر لا يطابق طلبك، يرجى طلب عرض سعر جديد",
	},
	"CARD_REQUIRED": {
		summary: "Card required",
		en:      "Please select a card",
		zh:      "请选择一张卡片",
		ar:      "يرجى اختيار بطاقة",
	},

	// Cards.
	"CARD_NOT_OWNED": {
		summary: "Card not owned",
		en:      "This card does not exist or does not belong to you",
		zh:      "该卡片不存在或不属于您",
		ar:      "هذه البطاقة غير موجودة أو لا تخصك",
	},
	"CARD_LOCKED_BY_ADMIN": {
		summary: "Card locked by administrator",
		en:      "This card has been frozen by the platform, please contact customer support",
		zh:      "该卡片已被平台冻结，请联系客服",
		ar:      "تم تجميد هذه البطاقة من قبل المنصة، يرجى التواصل مع خدمة العملاء",
	},
	"CARD_NOT_ACTIVE": {
		summary: "Card not active",
		en:      "This card is not active",
		zh:      "该卡片当前不可用",
		ar:      "هذه البطاقة غير نشطة",
	},
	"CARD_CANCELLED": {
		summary: "Card cancelled",
		en:      "This card has been cancelled",
		zh:      "该卡片已注销",
		ar:      "تم إلغاء هذه البطاقة",
	},
	"INVALID_STATUS_CODE": {
		summary: "Invalid status code",
		en:      "Invalid card status",
		zh:      "无效的卡片状态",
		ar:      "حالة البطاقة غير صالحة",
	},
	"CARD_LIMIT_REACHED": {
		summary: "Card limit reached",
		en:      "You have reached the maximum number of cards",
		zh:      "您的卡片数量已达上限",
		ar:      "لقد وصلت إلى الحد الأقصى لعدد البطاقات",
	},

	// KYC.
	"KYC_NOT_APPROVED": {
		summary: "KYC not approved",
		en:      "Please complete identity verification before applying for a card",
		zh:      "申请卡片前请先完成身份认证",
		ar:      "يرجى إكمال التحقق من الهوية قبل التقدم بطلب بطاقة",
	},
	"KYC_ALREADY_APPROVED": {
		summary: "KYC already approved",
		en:      "Your identity has already been verified",
		zh:      "您的身份认证已通过",
		ar:      "تم التحقق من هويتك بالفعل",
	},
	"KYC_IN_PROGRESS": {
		summary: "KYC in progress",
		en:      "Your identity verification is under review",
		zh:      "您的身份认证正在审核中",
		ar:      "التحقق من هويتك قيد المراجعة",
	},

	// Card fee payments.
	"CARD_FEE_UNPAID": {
		summary: "Card fee not paid",
		en:      "Please pay the card fee before applying for a card",
		zh:      "申请卡片前请先支付开卡费",
		ar:      "يرجى دفع رسوم البطاقة قبل التقدم بطلب بطاقة",
	},
	"CARD_FEE_ALREADY_PAID": {
		summary: "Card fee already paid",
		en:      "You have already paid the card fee, please go ahead and apply for your card",
		zh:      "您已支付开卡费，请直接申请卡片",
		ar:      "لقد دفعت رسوم البطاقة بالفعل، يمكنك التقدم بطلب البطاقة الآن",
	},
	"PAYMENT_EXPIRED": {
		summary: "Payment expired",
		en:      "This payment has expired, please create a new one",
		zh:      "该笔支付已过期，请重新发起",
		ar:      "انتهت صلاحية هذه الدفعة، يرجى إنشاء دفعة جديدة",
	},
	"PAYMENT_NOT_PENDING": {
		summary: "Payment not pending",
		en:      "This payment can no longer be completed",
		zh:      "该笔支付已无法完成",
		ar:      "لم يعد بالإمكان إتمام هذه الدفعة",
	},

	// Coupons.
	"COUPON_EXPIRED": {
		summary: "Coupon expired",
		en:      "This coupon has expired",
		zh:      "优惠券已过期",
		ar:      "انتهت صلاحية هذه القسيمة",
	},
	"COUPON_USED": {
		summary: "Coupon already used",
		en:      "This coupon has already been used",
		zh:      "优惠券已被使用",
		ar:      "تم استخدام هذه القسيمة بالفعل",
	},
	"COUPON_NOT_APPLICABLE": {
		summary: "Coupon not applicable",
		en:      "This coupon cannot be used for this payment",
		zh:      "该优惠券不适用于此笔支付",
		ar:      "لا يمكن استخدام هذه القسيمة لهذه الدفعة",
	},
	"COUPON_ALREADY_CLAIMED": {
		summary: "Coupon already claimed",
		en:      "You have already claimed this coupon",
		zh:      "您已领取过该优惠券",
		ar:      "لقد حصلت على هذه القسيمة بالفعل",
	},
	"COUPON_LIMIT_REACHED": {
		summary: "Coupon limit reached",
		en:      "This coupon is no longer available",
		zh:      "该优惠券已领完",
		ar:      "هذه القسيمة لم تعد متاحة",
	},

	// Physical card upgrade and delivery.
	"ALREADY_PHYSICAL": {
		summary: "Already a physical card",
		en:      "This card is already a physical card",
		zh:      "该卡片已是实体卡",
		ar:      "هذه البطاقة بطاقة فعلية بالفعل",
	},
	"UPGRADE_IN_PROGRESS": {
		summary: "Upgrade in progress",
		en:      "A physical card upgrade is already in progress for this card",
		zh:      "该卡片的实体卡升级正在处理中",
		ar:      "ترقية هذه البطاقة إلى بطاقة فعلية قيد التنفيذ بالفعل",
	},
	"VERIFY_TOKEN_INVALID": {
		summary: "Invalid verify token",
		en:      "The verification has expired, please verify again",
		zh:      "验证已过期，请重新验证",
		ar:      "انتهت صلاحية التحقق، يرجى التحقق مرة أخرى",
	},
	"APPLICATION_NOT_SHIPPED": {
		summary: "Application not shipped",
		en:      "Your card has not been shipped yet",
		zh:      "您的卡片尚未寄出",
		ar:      "لم يتم شحن بطاقتك بعد",
	},

	// 3DS challenges.
	"CHALLENGE_EXPIRED": {
		summary: "Challenge expired",
		en:      "This verification request has expired",
		zh:      "该验证请求已过期",
		ar:      "انتهت صلاحية طلب التحقق هذا",
	},
	"CHALLENGE_ALREADY_CONFIRMED": {
		summary: "Challenge already confirmed",
		en:      "This verification request has already been handled",
		zh:      "该验证请求已处理",
		ar:      "تمت معالجة طلب التحقق هذا بالفعل",
	},
	"CHALLENGE_NOT_CONFIRMABLE": {
		summary: "Challenge not confirmable",
		en:      "This verification request cannot be confirmed in the app",
		zh:      "该验证请求无法在应用内确认",
		ar:      "لا يمكن تأكيد طلب التحقق هذا من خلال التطبيق",
	},

	// Idempotency.
	"IDEMPOTENCY_KEY_REQUIRED": {
		summary: "Idempotency key required",
		en:      "The request could not be processed, please try again",
		zh:      "请求无法处理，请重试",
		ar:      "تعذرت معالجة الطلب، يرجى المحاولة مرة أخرى",
	},
	"IDEMPOTENCY_CONFLICT": {
		summary: "Idempotency key conflict",
		en:      "This request conflicts with a previous request, please try again",
		zh:      "该请求与之前的请求冲突，请重试",
		ar:      "يتعارض هذا الطلب مع طلب سابق، يرجى المحاولة مرة أخرى",
	},
	"IDEMPOTENCY_IN_PROGRESS": {
		summary: "Request in progress",
		en:      "Your request is being processed, please wait",
		zh:      "您的请求正在处理中，请稍候",
		ar:      "طلبك قيد المعالجة، يرجى الانتظار",
	},

	// Upstream providers.
	"ISSUER_UNAVAILABLE": {
		summary: "Card issuer unavailable",
		en:      "The card service is temporarily unavailable, please try again later",
		zh:      "卡片服务暂时不可用，请稍后再试",
		ar:      "خدمة البطاقات غير متاحة مؤقتًا، يرجى المحاولة لاحقًا",
	},
	// ISSUER_TEMPORARILY_UNAVAILABLE extends the API.md catalogue: the
	// issuer failed repeatedly and its circuit breaker is open, so the call
	// was not even sent (503 with Retry-After).
	"ISSUER_TEMPORARILY_UNAVAILABLE": {
		summary: "Card issuer temporarily unavailable",
		en:      "The card service is not responding right now and nothing was changed, please try again in a minute",
		zh:      "卡片服务暂时无响应，未做任何更改，请一分钟后再试",
		ar:      "خدمة البطاقات لا تستجيب حاليًا ولم يتم تغيير أي شيء، يرجى المحاولة بعد دقيقة",
	},
	"KYC_PROVIDER_UNAVAILABLE": {
		summary: "KYC provider unavailable",
		en:      "Identity verification is temporarily unavailable, please try again later",
		zh:      "身份认证服务暂时不可用，请稍后再试",
		ar:      "خدمة التحقق من الهوية غير متاحة مؤقتًا، يرجى المحاولة لاحقًا",
	},
	"CARD_RECHARGE_FAILED": {
		summary: "Card recharge failed",
		en:      "Card top-up failed and your wallet was not charged, please try again later",
		zh:      "卡片充值失败，钱包资金未扣除，请稍后再试",
		ar:      "فشل شحن البطاقة ولم يتم الخصم من محفظتك، يرجى المحاولة لاحقًا",
	},
	// SWAP_PENDING extends the API.md catalogue: a swap whose card leg the
	// issuer has not confirmed either way (it completes or is returned by
	// itself; the swap history shows which).
	"SWAP_PENDING": {
		summary: "Swap not confirmed yet",
		en:      "Your swap is being confirmed by the card issuer; check the swap history in a few minutes",
		zh:      "您的兑换正在等待发卡机构确认，请几分钟后查看兑换记录",
		ar:      "جارٍ تأكيد المبادلة لدى جهة إصدار البطاقة؛ تحقق من سجل المبادلات بعد بضع دقائق",
	},
	// CARD_BALANCE_PENDING extends the API.md catalogue: part of the card's
	// balance is still held by the card issuer for an authorisation that has
	// not settled, so it cannot be withdrawn (card → wallet swap) or returned
	// on cancellation yet. A definite answer, not an outage.
	"CARD_BALANCE_PENDING": {
		summary: "Card balance still held by the issuer",
		en:      "Part of your card balance is still held by the card issuer for a payment that has not settled; try again once it completes or is released",
		zh:      "部分卡片余额仍被发卡机构冻结于一笔尚未结算的交易，请在该交易完成或释放后再试",
		ar:      "لا تزال جهة إصدار البطاقة تحجز جزءًا من رصيد بطاقتك لعملية دفع لم تُسوَّ بعد؛ يرجى المحاولة مرة أخرى بعد اكتمالها أو إلغاء الحجز",
	},
	"CARD_WITHDRAW_FAILED": {
		summary: "Card withdrawal failed",
		en:      "Withdrawal from the card failed, please try again later",
		zh:      "卡片提现失败，请稍后再试",
		ar:      "فشل السحب من البطاقة، يرجى المحاولة لاحقًا",
	},
	"EXCHANGE_RATE_UNAVAILABLE": {
		summary: "Exchange rate unavailable",
		en:      "The exchange rate is temporarily unavailable, please try again later",
		zh:      "汇率暂时不可用，请稍后再试",
		ar:      "سعر الصرف غير متاح مؤقتًا، يرجى المحاولة لاحقًا",
	},
	"SERVICE_UNAVAILABLE": {
		summary: "Service temporarily unavailable",
		en:      "The service is temporarily unavailable, please try again in a moment",
		zh:      "服务暂时不可用，请稍后再试",
		ar:      "الخدمة غير متاحة مؤقتًا، يرجى المحاولة بعد قليل",
	},
}
