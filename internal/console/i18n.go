package console

import "maps"

// zh is the console's Chinese interface (English is the key itself): the
// core pages' texts and each area's (area_*.go).
var zh = func() map[string]string {
	all := map[string]string{}
	for _, part := range []map[string]string{zhCore, zhDashboard, zhUsers, zhMoney, zhCards, zhContent} {
		maps.Copy(all, part)
	}
	return all
}()

var zhCore = map[string]string{
	"Ends every session now": "立即结束其所有会话", "Disabling needs a reason and the confirmation box ticked.": "停用需要填写原因并勾选确认框。",
	"ComeComePay console": "ComeComePay 管理后台", "Dashboard": "概览", "Users": "用户", "Approvals": "审批",
	"Audit log": "审计日志", "Operators": "操作员", "Preferences": "偏好设置", "Sign in": "登录", "Sign out": "退出登录",
	"Email": "邮箱", "Password": "密码", "Authenticator code": "验证器代码", "Not permitted": "无权访问",
	"Your role may not use this page.": "您的角色无权使用此页面。", "Form expired": "表单已失效",
	"This form is no longer valid. Go back, reload the page and try again.": "此表单已失效，请返回、刷新页面后重试。",
	"Not found": "未找到", "There is no such page.": "没有这个页面。", "Refused": "已拒绝",
	"Something went wrong": "出现错误", "The request failed; it has been logged. Try again shortly.": "请求失败，已记录，请稍后重试。",
	"Set up two-factor sign-in": "设置双重验证登录",
	"Scan this code with an authenticator app, then enter your password again and the 6-digit code it shows.": "请用验证器应用扫描此二维码，然后再次输入密码和应用显示的 6 位代码。",
	"Signed in as": "当前登录", "Role": "角色", "Pending approvals": "待审批", "Recent actions": "最近操作",
	"User ID": "用户 ID", "Reason": "原因", "Freeze": "冻结", "Unfreeze": "解冻", "Open": "打开",
	"Freeze or unfreeze a user": "冻结或解冻用户", "A reason is required to freeze.": "冻结必须填写原因。",
	"Done.": "已完成。", "Kind": "类型", "Target": "对象", "Amount": "金额", "Requested by": "申请人",
	"Requested at": "申请时间", "Approve": "批准", "Reject": "拒绝", "Note": "备注", "No pending requests.": "没有待审批的请求。",
	"Time": "时间", "Actor": "操作人", "Action": "操作", "Before": "之前", "After": "之后", "From": "从", "To": "到",
	"Filter": "筛选", "Previous": "上一页", "Next": "下一页", "Page": "页", "of": "/", "No entries.": "没有记录。",
	"Status": "状态", "Name": "名称", "Create operator": "创建操作员", "Display name": "显示名称",
	"Disable": "停用", "Created": "创建时间", "Two-factor": "双重验证", "yes": "是", "no": "否",
	"Password (shown once)": "密码（仅显示一次）", "Language": "语言", "Time zone": "时区", "Save": "保存",
	"Target type": "对象类型", "Target ID": "对象 ID", "Actor ID": "操作人 ID", "Request": "请求",
	"Confirm: this action is recorded in the audit log with your name and reason.":    "确认：此操作将连同您的姓名和原因记入审计日志。",
	"Approving executes the action now, as you. You cannot approve your own request.": "批准将以您的身份立即执行该操作。您不能批准自己的请求。",
}

func translate(lang, s string) string {
	if lang == "zh" {
		if t, ok := zh[s]; ok {
			return t
		}
	}
	return s
}
