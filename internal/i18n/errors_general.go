package i18n

// errorsGeneral covers protocol, authentication, account, OTP and
// not-found codes of the API.md §1.6 catalogue.
var errorsGeneral = map[string]errorText{
	// Protocol and generic errors.
	"VALIDATION_FAILED": {
		summary: "Validation failed",
		en:      "Some of the information you entered is invalid, please check and try again",
		zh:      "您填写的信息有误，请检查后重试",
		ar:      "بعض المعلومات التي أدخلتها غير صحيحة، يرجى التحقق والمحاولة مرة أخرى",
	},
	"NOT_FOUND": {
		summary: "Not found",
		en:      "The requested resource was not found",
		zh:      "请求的资源不存在",
		ar:      "المورد المطلوب غير موجود",
	},
	"METHOD_NOT_ALLOWED": {
		summary: "Method not allowed",
		en:      "This request method is not supported",
		zh:      "不支持该请求方法",
		ar:      "طريقة الطلب هذه غير مدعومة",
	},
	"PAYLOAD_TOO_LARGE": {
		summary: "Payload too large",
		en:      "The request is too large",
		zh:      "请求内容过大",
		ar:      "حجم الطلب كبير جدًا",
	},
	"RATE_LIMITED": {
		summary: "Too many requests",
		en:      "Too many requests, please try again later",
		zh:      "请求过于频繁，请稍后再试",
		ar:      "طلبات كثيرة جدًا، يرجى المحاولة لاحقًا",
	},
	"INVALID_STATE": {
		summary: "Invalid state",
		en:      "This request has expired or was made out of order, please start again",
		zh:      "操作已过期或步骤有误，请重新开始",
		ar:      "انتهت صلاحية هذا الطلب أو تم بترتيب غير صحيح، يرجى البدء من جديد",
	},
	"INTERNAL_ERROR": {
		summary: "Internal server error",
		en:      "Something went wrong, please try again later",
		zh:      "系统繁忙，请稍后再试",
		ar:      "حدث خطأ ما، يرجى المحاولة لاحقًا",
	},

	// Authentication and permissions.
	"UNAUTHORIZED": {
		summary: "Unauthorized",
		en:      "Your session has expired, please log in again",
		zh:      "登录已失效，请重新登录",
		ar:      "انتهت صلاحية جلستك، يرجى تسجيل الدخول مرة أخرى",
	},
	"SIGNATURE_INVALID": {
		summary: "Invalid signature",
		en:      "The request signature is invalid",
		zh:      "请求签名无效",
		ar:      "توقيع الطلب غير صالح",
	},
	"FORBIDDEN": {
		summary: "Forbidden",
		en:      "You do not have permission to perform this action",
		zh:      "您无权执行此操作",
		ar:      "ليس لديك صلاحية لتنفيذ هذا الإجراء",
	},
	"ACCOUNT_FROZEN": {
		summary: "Account frozen",
		en:      "Your account has been frozen, please contact customer support",
		zh:      "您的账户已被冻结，请联系客服",
		ar:      "تم تجميد حسابك، يرجى التواصل مع خدمة العملاء",
	},
	"ACCOUNT_DEACTIVATED": {
		summary: "Account deactivated",
		en:      "This account has been deactivated",
		zh:      "该账户已注销",
		ar:      "تم إلغاء تفعيل هذا الحساب",
	},

	// Registration, login and profile.
	"INVALID_CREDENTIALS": {
		summary: "Invalid credentials",
		en:      "Incorrect email or password",
		zh:      "邮箱或密码错误",
		ar:      "البريد الإلكتروني أو كلمة المرور غير صحيحة",
	},
	"EMAIL_ALREADY_REGISTERED": {
		summary: "Email already registered",
		en:      "This email is already registered",
		zh:      "该邮箱已被注册",
		ar:      "هذا البريد الإلكتروني مسجل بالفعل",
	},
	"EMAIL_NOT_VERIFIED": {
		summary: "Email not verified",
		en:      "Please verify your email first",
		zh:      "请先验证您的邮箱",
		ar:      "يرجى التحقق من بريدك الإلكتروني أولاً",
	},
	"SAME_EMAIL": {
		summary: "Same email",
		en:      "The new email is the same as your current email",
		zh:      "新邮箱与当前邮箱相同",
		ar:      "البريد الإلكتروني الجديد مطابق لبريدك الإلكتروني الحالي",
	},
	"SAME_PHONE": {
		summary: "Same phone number",
		en:      "The new phone number is the same as your current phone number",
		zh:      "新手机号与当前手机号相同",
		ar:      "رقم الهاتف الجديد مطابق لرقم هاتفك الحالي",
	},
	"PASSWORD_TOO_WEAK": {
		summary: "Password too weak",
		en:      "Your password must be 8-128 characters long and include an uppercase letter, a number and a special character",
		zh:      "密码长度须为8-128位，且包含大写字母、数字和特殊字符",
		ar:      "يجب أن تتكون كلمة المرور من 8 إلى 128 حرفًا وأن تحتوي على حرف كبير ورقم ورمز خاص",
	},
	"PASSWORD_MISMATCH": {
		summary: "Passwords do not match",
		en:      "The passwords you entered do not match",
		zh:      "两次输入的密码不一致",
		ar:      "كلمتا المرور غير متطابقتين",
	},
	"INVALID_REFERRAL_CODE": {
		summary: "Invalid referral code",
		en:      "The referral code is invalid",
		zh:      "邀请码无效",
		ar:      "رمز الإحالة غير صالح",
	},
	"DEACTIVATION_BLOCKED": {
		summary: "Deactivation blocked",
		en:      "Your account cannot be deactivated while it holds funds or has operations in progress",
		zh:      "账户仍有余额或未完成的业务，暂时无法注销",
		ar:      "لا يمكن إلغاء تفعيل حسابك ما دام يحتوي على أموال أو عمليات قيد التنفيذ",
	},

	// One-time codes and transaction password.
	"OTP_INVALID": {
		summary: "Invalid verification code",
		en:      "The verification code is incorrect",
		zh:      "验证码错误",
		ar:      "رمز التحقق غير صحيح",
	},
	"OTP_EXPIRED": {
		summary: "Verification code expired",
		en:      "The verification code has expired, please request a new one",
		zh:      "验证码已过期，请重新获取",
		ar:      "انتهت صلاحية رمز التحقق، يرجى طلب رمز جديد",
	},
	"OTP_ATTEMPTS_EXCEEDED": {
		summary: "Too many verification attempts",
		en:      "Too many incorrect attempts, please request a new verification code",
		zh:      "错误次数过多，请重新获取验证码",
		ar:      "محاولات خاطئة كثيرة، يرجى طلب رمز تحقق جديد",
	},
	"TRANSACTION_PASSWORD_NOT_SET": {
		summary: "Transaction password not set",
		en:      "Please set your transaction password first",
		zh:      "请先设置交易密码",
		ar:      "يرجى تعيين كلمة مرور المعاملات أولاً",
	},
	"INVALID_TRANSACTION_PASSWORD": {
		summary: "Invalid transaction password",
		en:      "Incorrect transaction password",
		zh:      "交易密码错误",
		ar:      "كلمة مرور المعاملات غير صحيحة",
	},
	"TRANSACTION_PASSWORD_LOCKED": {
		summary: "Transaction password locked",
		en:      "Too many incorrect transaction password attempts, please try again later",
		zh:      "交易密码错误次数过多，请稍后再试",
		ar:      "محاولات خاطئة كثيرة لكلمة مرور المعاملات، يرجى المحاولة لاحقًا",
	},

	// Specific not-found cases.
	"USER_NOT_FOUND": {
		summary: "User not found",
		en:      "User not found",
		zh:      "用户不存在",
		ar:      "المستخدم غير موجود",
	},
	"CARD_NOT_FOUND": {
		summary: "Card not found",
		en:      "Card not found",
		zh:      "卡片不存在",
		ar:      "البطاقة غير موجودة",
	},
	"TASK_NOT_FOUND": {
		summary: "Task not found",
		en:      "Card application not found",
		zh:      "开卡申请不存在",
		ar:      "طلب البطاقة غير موجود",
	},
	"PAYMENT_NOT_FOUND": {
		summary: "Payment not found",
		en:      "Payment record not found",
		zh:      "支付记录不存在",
		ar:      "سجل الدفع غير موجود",
	},
	"QUOTE_NOT_FOUND": {
		summary: "Quote not found",
		en:      "The exchange quote was not found, please get a new quote",
		zh:      "兑换报价不存在，请重新获取报价",
		ar:      "عرض سعر المبادلة غير موجود، يرجى طلب عرض سعر جديد",
	},
	"NOTIFICATION_NOT_FOUND": {
		summary: "Notification not found",
		en:      "Notification not found",
		zh:      "通知不存在",
		ar:      "الإشعار غير موجود",
	},
	"ANNOUNCEMENT_NOT_FOUND": {
		summary: "Announcement not found",
		en:      "Announcement not found",
		zh:      "公告不存在",
		ar:      "الإعلان غير موجود",
	},
	"COUPON_NOT_FOUND": {
		summary: "Coupon not found",
		en:      "This coupon does not exist or is not available",
		zh:      "优惠券不存在或不可用",
		ar:      "هذه القسيمة غير موجودة أو غير متاحة",
	},
	"RECIPIENT_NOT_FOUND": {
		summary: "Recipient not found",
		en:      "Recipient not found, please check the UID",
		zh:      "收款人不存在，请检查UID",
		ar:      "المستلم غير موجود، يرجى التحقق من المعرّف UID",
	},
	"ORDER_NOT_FOUND": {
		summary: "Order not found",
		en:      "No physical card order was found",
		zh:      "未找到实体卡订单",
		ar:      "لم يتم العثور على طلب بطاقة فعلية",
	},
	"APPLICATION_NOT_FOUND": {
		summary: "Application not found",
		en:      "Physical card application not found",
		zh:      "实体卡申请不存在",
		ar:      "طلب البطاقة الفعلية غير موجود",
	},
	"DEVICE_NOT_FOUND": {
		summary: "Device not found",
		en:      "This device is not registered",
		zh:      "该设备未注册",
		ar:      "هذا الجهاز غير مسجل",
	},
	"TRADE_NOT_FOUND": {
		summary: "Trade not found",
		en:      "Transaction not found",
		zh:      "交易记录不存在",
		ar:      "المعاملة غير موجودة",
	},
	"CHALLENGE_NOT_FOUND": {
		summary: "Challenge not found",
		en:      "Verification request not found",
		zh:      "验证请求不存在",
		ar:      "طلب التحقق غير موجود",
	},
	"APP_VERSION_NOT_CONFIGURED": {
		summary: "App version not configured",
		en:      "No version information is available for this platform",
		zh:      "暂无该平台的版本信息",
		ar:      "لا تتوفر معلومات الإصدار لهذه المنصة",
	},
	"CARD_FEE_NOT_CONFIGURED": {
		summary: "Card fee not configured",
		en:      "Card fee information is not available at the moment, please try again later",
		zh:      "暂无开卡费信息，请稍后再试",
		ar:      "معلومات رسوم البطاقة غير متاحة حاليًا، يرجى المحاولة لاحقًا",
	},
}
