package i18n

// errorsAdmin are the codes only the operator API (API.md §5) answers.
var errorsAdmin = map[string]errorText{
	"OPERATOR_LOCKED": {
		summary: "Operator locked",
		en:      "Too many failed sign-ins. Try again later",
		zh:      "登录失败次数过多，请稍后再试",
		ar:      "محاولات تسجيل دخول فاشلة كثيرة. حاول لاحقًا",
	},
	"OPERATOR_EXISTS": {
		summary: "Operator exists",
		en:      "An operator with this email already exists",
		zh:      "该邮箱的操作员已存在",
		ar:      "يوجد مشغل بهذا البريد الإلكتروني بالفعل",
	},
	"OPERATOR_NOT_FOUND": {
		summary: "Operator not found",
		en:      "Operator not found",
		zh:      "未找到操作员",
		ar:      "المشغل غير موجود",
	},
	"SESSION_NOT_FOUND": {
		summary: "Session not found",
		en:      "Session not found",
		zh:      "未找到会话",
		ar:      "الجلسة غير موجودة",
	},
	"APPROVAL_NOT_FOUND": {
		summary: "Approval request not found",
		en:      "Approval request not found",
		zh:      "未找到审批请求",
		ar:      "طلب الموافقة غير موجود",
	},
	"APPROVAL_PENDING": {
		summary: "Approval pending",
		en:      "A request for this action is already waiting for approval",
		zh:      "该操作已有待审批的请求",
		ar:      "يوجد طلب لهذا الإجراء بانتظار الموافقة بالفعل",
	},
	"FOUR_EYES_REQUIRED": {
		summary: "Second approver required",
		en:      "Another operator must approve this request",
		zh:      "此请求须由另一位操作员审批",
		ar:      "يجب أن يوافق مشغل آخر على هذا الطلب",
	},
	// Users, KYC review, 3DS records.

	// Money.

	// Cards, tasks, physical orders, tiers, commissions.

	// Settings and fees.

	// Content, coupons, notifications, webhook inbox.
}
