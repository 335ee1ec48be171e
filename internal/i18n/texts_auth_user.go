package i18n

// textsAuthUser holds the success messages of API.md §2.1 (auth) and §2.2
// (user, profile and security), plus the generic "OK" and "Operation
// successful". Key: canonical English text; value: {zh, ar}.
var textsAuthUser = map[string][2]string{
	// Generic.
	"OK":                   {"成功", "تم بنجاح"},
	"Operation successful": {"操作成功", "تمت العملية بنجاح"},

	// §2.1 Auth.
	"OTP sent to your email. Please verify to continue registration.": {
		"验证码已发送至您的邮箱，请完成验证以继续注册。",
		"تم إرسال رمز التحقق إلى بريدك الإلكتروني. يرجى التحقق لمتابعة التسجيل.",
	},
	"Email verified successfully. Please set your password to complete registration.": {
		"邮箱验证成功，请设置密码以完成注册。",
		"تم التحقق من البريد الإلكتروني بنجاح. يرجى تعيين كلمة المرور لإكمال التسجيل.",
	},
	"Registration completed successfully. Please complete your profile.": {
		"注册成功，请完善您的个人资料。",
		"تم التسجيل بنجاح. يرجى إكمال ملفك الشخصي.",
	},
	"New OTP sent to your email": {
		"新的验证码已发送至您的邮箱",
		"تم إرسال رمز تحقق جديد إلى بريدك الإلكتروني",
	},
	"OTP sent to your email. Please verify to log in.": {
		"验证码已发送至您的邮箱，请完成验证以登录。",
		"تم إرسال رمز التحقق إلى بريدك الإلكتروني. يرجى التحقق لتسجيل الدخول.",
	},
	"Login successful": {"登录成功", "تم تسجيل الدخول بنجاح"},
	"Token refreshed":  {"令牌已刷新", "تم تحديث رمز الدخول"},
	"OTP sent to your email. Please verify to reset your password.": {
		"验证码已发送至您的邮箱，请完成验证以重置密码。",
		"تم إرسال رمز التحقق إلى بريدك الإلكتروني. يرجى التحقق لإعادة تعيين كلمة المرور.",
	},
	"OTP verified. Please set a new password.": {
		"验证码验证成功，请设置新密码。",
		"تم التحقق من الرمز. يرجى تعيين كلمة مرور جديدة.",
	},
	"Password reset successfully": {"密码重置成功", "تمت إعادة تعيين كلمة المرور بنجاح"},
	"Logged out successfully":     {"已成功退出登录", "تم تسجيل الخروج بنجاح"},

	// §2.2 Profile and password.
	"Profile retrieved successfully": {"获取个人资料成功", "تم جلب الملف الشخصي بنجاح"},
	"Profile updated successfully":   {"个人资料更新成功", "تم تحديث الملف الشخصي بنجاح"},
	"Password changed successfully":  {"密码修改成功", "تم تغيير كلمة المرور بنجاح"},

	// §2.2 Change email.
	"OTP sent to your new email": {
		"验证码已发送至您的新邮箱",
		"تم إرسال رمز التحقق إلى بريدك الإلكتروني الجديد",
	},
	"New email verified. OTP sent to your current email": {
		"新邮箱验证成功，验证码已发送至您的当前邮箱",
		"تم التحقق من البريد الإلكتروني الجديد. تم إرسال رمز التحقق إلى بريدك الإلكتروني الحالي",
	},
	"Email changed successfully": {"邮箱修改成功", "تم تغيير البريد الإلكتروني بنجاح"},

	// §2.2 Change phone.
	"OTP sent": {"验证码已发送", "تم إرسال رمز التحقق"},
	"Phone verified. OTP sent to your email": {
		"手机号验证成功，验证码已发送至您的邮箱",
		"تم التحقق من رقم الهاتف. تم إرسال رمز التحقق إلى بريدك الإلكتروني",
	},
	"Phone number updated successfully": {"手机号更新成功", "تم تحديث رقم الهاتف بنجاح"},

	// §2.2 Transaction password.
	"Transaction password status retrieved successfully": {
		"获取交易密码状态成功",
		"تم جلب حالة كلمة مرور المعاملات بنجاح",
	},
	"OTP sent to your email. Please verify to set your transaction password.": {
		"验证码已发送至您的邮箱，请完成验证以设置交易密码。",
		"تم إرسال رمز التحقق إلى بريدك الإلكتروني. يرجى التحقق لتعيين كلمة مرور المعاملات.",
	},
	"Transaction password set successfully": {"交易密码设置成功", "تم تعيين كلمة مرور المعاملات بنجاح"},

	// §2.2 Account deactivation.
	"OTP sent to your email. Please verify to deactivate your account.": {
		"验证码已发送至您的邮箱，请完成验证以注销账户。",
		"تم إرسال رمز التحقق إلى بريدك الإلكتروني. يرجى التحقق لإلغاء تفعيل حسابك.",
	},
	"Your account has been deactivated": {"您的账户已注销", "تم إلغاء تفعيل حسابك"},

	// §2.2 Push devices.
	"Device registered":        {"设备注册成功", "تم تسجيل الجهاز"},
	"Push device unregistered": {"推送设备已注销", "تم إلغاء تسجيل جهاز الإشعارات"},
}
