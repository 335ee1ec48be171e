package console

// Console pages of the area: users, KYC review, 3DS records.

// navUsers are the area's menu entries.
var navUsers = []navItem{
	{"Users", "/console/users", mirror("GET /api/v1/admin/users")},
	{"KYC", "/console/kyc", mirror("GET /api/v1/admin/kyc/records")},
	{"3DS records", "/console/3ds", mirror("GET /api/v1/admin/3ds/records")},
}

// routesUsers registers the area's pages and actions.
func (c *Console) routesUsers() {
	c.handle("GET /console/users", mirror("GET /api/v1/admin/users"), c.usersSearch)
	c.handle("GET /console/users/{id}", mirror("GET /api/v1/admin/users/{id}"), c.userDetailPage)
	c.handle("POST /console/users/{id}/personal-data", mirror("POST /api/v1/admin/users/{id}/personal-data"), c.revealPersonalData)
	c.handle("POST /console/users/{id}/freeze", mirror("POST /api/v1/admin/users/{id}/freeze"), c.freezeUserAction(true))
	c.handle("POST /console/users/{id}/unfreeze", mirror("POST /api/v1/admin/users/{id}/unfreeze"), c.freezeUserAction(false))
	c.handle("POST /console/users/{id}/revoke-sessions", mirror("POST /api/v1/admin/users/{id}/revoke-sessions"),
		c.revokeUserSessionsAction())
	c.handle("GET /console/kyc", mirror("GET /api/v1/admin/kyc/records"), c.kycQueue)
	c.handle("GET /console/kyc/{id}", mirror("GET /api/v1/admin/kyc/records/{id}"), c.kycRecordPage)
	c.handle("POST /console/kyc/{id}/identity", mirror("POST /api/v1/admin/kyc/records/{id}/identity"), c.revealKYCIdentity)
	c.handle("POST /console/kyc/{id}/decision", mirror("POST /api/v1/admin/kyc/records/{id}/decision"), c.decideKYC)
	c.handle("GET /console/3ds", mirror("GET /api/v1/admin/3ds/records"), c.threeDSRecords)
}

// zhUsers is the area's Chinese interface text.
var zhUsers = map[string]string{
	"KYC": "实名认证", "3DS records": "3DS 记录", "Search users": "搜索用户",
	"E-mail, UID, wallet id or phone": "邮箱、UID、钱包 ID 或手机号", "Search": "搜索", "Any": "全部",
	"active": "正常", "frozen": "已冻结", "deactivated": "已注销", "Phone": "手机号", "Wallet ID": "钱包 ID",
	"KYC status": "实名状态", "users found": "个用户", "No users match.": "没有匹配的用户。", "User": "用户",
	"Profile": "资料", "Account type": "账户类型", "Referral code": "邀请码", "Referred by": "邀请人",
	"Last sign-in": "最近登录", "Deactivated": "注销时间", "KYC level": "实名等级", "Latest record": "最新记录",
	"Balances": "余额", "Currency": "币种", "Available": "可用", "Held": "冻结中", "No wallet yet.": "尚无钱包。",
	"Cards": "卡片", "Card": "卡片", "Balance": "余额", "Physical": "实体卡", "Locked by an operator": "已被操作员锁定",
	"No cards.": "没有卡片。", "Sessions": "会话", "active sessions": "个有效会话", "Last seen": "最近活动",
	"IP address": "IP 地址", "Device": "设备", "No active sessions.": "没有有效会话。", "History": "历史记录",
	"Type": "类型", "Fee": "手续费", "Description": "说明", "Reference": "参考号", "Limits": "限额",
	"Programme default": "项目默认", "Max cards": "最多卡片数", "Daily withdrawal limit": "每日提现限额",
	"Monthly withdrawal limit": "每月提现限额", "Fee exemptions": "免手续费", "Card fee": "开卡费",
	"Withdrawal fee": "提现手续费", "Personal data": "个人资料",
	"Phone numbers, names and addresses are hidden. Revealing them is recorded in the audit log with your name and reason.": "手机号、姓名和地址已隐藏。查看将连同您的姓名和原因记入审计日志。",
	"Reveal personal data": "查看个人资料", "Revealed personal data": "已查看的个人资料",
	"This reveal is recorded in the audit log. Reloading this page reveals again.": "本次查看已记入审计日志。刷新此页面将再次查看。",
	"First name": "名", "Last name": "姓", "Date of birth": "出生日期", "Address": "地址", "City": "城市",
	"State": "州/省", "Post code": "邮编", "Country": "国家/地区", "KYC identity": "实名身份信息", "Record": "记录",
	"Account actions": "账户操作", "Freeze this user": "冻结此用户", "Unfreeze this user": "解冻此用户",
	"A frozen user cannot move money or use cards until unfrozen.": "被冻结的用户在解冻前无法转账或用卡。",
	"Revoke all sessions": "撤销所有会话", "The user is signed out on every device.": "用户将在所有设备上退出登录。",
	"The user is frozen.": "用户已冻结。", "The user is unfrozen.": "用户已解冻。",
	"The user's sessions are revoked.": "用户的会话已撤销。", "3DS records of this user": "该用户的 3DS 记录",
	"KYC queue": "实名审核队列", "Not a valid filter": "筛选条件无效", "Provider status": "服务商状态",
	"Fail reason": "失败原因", "Updated": "更新时间", "records": "条记录", "No records.": "没有记录。",
	"KYC record": "实名记录", "User's KYC status": "用户实名状态",
	"The identity submitted with this record is hidden. Showing it is recorded in the audit log with your name and reason.": "此记录提交的身份信息已隐藏。查看将连同您的姓名和原因记入审计日志。",
	"Show identity": "显示身份信息", "Identity": "身份信息", "Decision": "审核决定",
	"Message to the user (for a rejection)": "给用户的说明（拒绝时）",
	"Approve KYC":                           "批准实名认证", "Reject KYC": "拒绝实名认证",
	"Only records under review (pending, processing) can be decided.": "只有审核中（pending、processing）的记录可以审核。",
	"The KYC is approved.": "实名认证已批准。", "The KYC is rejected.": "实名认证已拒绝。",
	"Received": "收到时间", "Method": "方式", "Challenge": "验证状态", "Confirmation": "确认结果", "Merchant": "商户",
	"Expires": "过期时间", "Confirmed": "确认时间", "pending_submit": "待提交", "pending": "审核中", "processing": "处理中",
	"approved": "已批准", "rejected": "已拒绝", "failed": "失败", "not_completed": "未完成", "cancelled": "已取消",
	"none": "未认证", "verified": "已认证",
}
