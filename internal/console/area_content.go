package console

// Console pages of the area: content, coupons, notifications, webhook inbox.

// navContent are the area's menu entries.
var navContent = []navItem{
	{"Announcements", "/console/content/announcements", mirror("GET /api/v1/admin/announcements")},
	{"Site content", "/console/content/site", mirror("GET /api/v1/admin/site-content/{lang}")},
	{"App & partner", "/console/content/app", mirror("GET /api/v1/admin/app-version/{platform}")},
	{"Coupons", "/console/coupons", mirror("GET /api/v1/admin/coupons")},
	{"Notifications", "/console/notifications", mirror("GET /api/v1/admin/notifications/broadcasts")},
	{"Webhook inbox", "/console/webhooks", mirror("GET /api/v1/admin/webhooks/events")},
}

// routesContent registers the area's pages and actions.
func (c *Console) routesContent() {
	const a = "/api/v1/admin"
	c.handle("GET /console/content/announcements", mirror("GET "+a+"/announcements"), c.announcementsPage)
	c.handle("GET /console/content/announcements/new", mirror("POST "+a+"/announcements"), c.newAnnouncementPage)
	c.handle("POST /console/content/announcements", mirror("POST "+a+"/announcements"), c.saveAnnouncement)
	c.handle("GET /console/content/announcements/{id}", mirror("GET "+a+"/announcements/{id}"), c.announcementPage)
	c.handle("POST /console/content/announcements/{id}", mirror("PUT "+a+"/announcements/{id}"), c.saveAnnouncement)
	c.handle("POST /console/content/announcements/{id}/publish", mirror("POST "+a+"/announcements/{id}/publish"), c.publishAnnouncement)
	c.handle("POST /console/content/announcements/{id}/delete", mirror("DELETE "+a+"/announcements/{id}"), c.deleteAnnouncement)
	c.handle("GET /console/content/site", mirror("GET "+a+"/site-content/{lang}"), c.sitePage)
	c.handle("POST /console/content/site/{lang}", mirror("PUT "+a+"/site-content/{lang}"), c.saveSite)
	c.handle("GET /console/content/app", mirror("GET "+a+"/app-version/{platform}"), c.appPage)
	c.handle("POST /console/content/app/{platform}", mirror("PUT "+a+"/app-version/{platform}"), c.saveAppVersion)
	c.handle("POST /console/content/partner-link", mirror("PUT "+a+"/partner-link"), c.savePartnerLink)
	c.handle("GET /console/coupons", mirror("GET "+a+"/coupons"), c.couponsPage)
	c.handle("POST /console/coupons", mirror("POST "+a+"/coupons"), c.createCoupon)
	c.handle("GET /console/coupons/{id}", mirror("GET "+a+"/coupons/{id}"), c.couponPage)
	c.handle("POST /console/coupons/{id}", mirror("PUT "+a+"/coupons/{id}"), c.updateCoupon)
	c.handle("POST /console/coupons/{id}/deactivate", mirror("DELETE "+a+"/coupons/{id}"), c.deactivateCoupon)
	c.handle("POST /console/coupons/{id}/assign", mirror("POST "+a+"/coupons/{id}/assign"), c.assignCoupon)
	c.handle("GET /console/notifications", mirror("GET "+a+"/notifications/broadcasts"), c.notificationsPage)
	c.handle("POST /console/notifications/send", mirror("POST "+a+"/notifications/send"), c.sendNotification)
	c.handle("POST /console/notifications/broadcast", mirror("POST "+a+"/notifications/broadcast"), c.broadcastNotification)
	c.handle("GET /console/webhooks", mirror("GET "+a+"/webhooks/events"), c.webhooksPage)
	c.handle("POST /console/webhooks/{id}/replay", mirror("POST "+a+"/webhooks/events/{id}/replay"), c.replayWebhook)
}

// zhContent is the area's Chinese interface text.
var zhContent = map[string]string{
	"Announcements": "公告", "Site content": "网站内容", "App & partner": "应用与合作方", "Coupons": "优惠券",
	"Notifications": "通知", "Webhook inbox": "Webhook 收件箱", "A reason is required.": "必须填写原因。",
	"New announcement": "新建公告", "Announcement": "公告", "Title": "标题", "Content": "内容", "Published": "发布时间",
	"Updated": "更新时间", "All": "全部", "draft": "草稿", "published": "已发布", "deleted": "已删除",
	"Edit": "编辑", "Preview": "预览", "Save draft": "保存", "Save": "保存", "Publish": "发布",
	"Preview of the form's texts — not saved yet.": "表单内容的预览——尚未保存。",
	"As the app shows it":                          "应用中的显示效果", "No text in this language: the app falls back to English.": "此语言没有内容：应用将回退到英语。",
	"Delete announcement": "删除公告", "Delete for good": "永久删除",
	"Deleting is final: the announcement disappears from the app and can no longer be edited or published.": "删除不可撤销：公告将从应用中消失，且不能再编辑或发布。",
	"Publishing shows it to every user now.": "发布后所有用户立即可见。", "Saved.": "已保存。",
	"Language": "语言", "Company introduction": "公司介绍", "Terms of service": "服务条款", "Privacy policy": "隐私政策",
	"An empty text removes it (the app then shows the English one).": "留空即删除该文本（应用将显示英文版本）。",
	"App version": "应用版本", "Platform": "平台", "Version": "版本", "Download URL": "下载链接",
	"Force update": "强制更新", "Release notes": "更新说明", "Not configured yet.": "尚未配置。",
	"Partner link": "合作方链接", "Both empty removes the link.": "两项都留空即删除链接。", "URL": "链接",
	"Code": "代码", "Type": "类型", "Value": "面值", "Assigned": "已发放", "Valid": "有效期", "Search by code": "按代码搜索",
	"New coupon": "新建优惠券", "Description": "说明", "Fixed (USD)": "固定金额（USD）", "Percentage (points)": "百分比（点）",
	"Value (USD, or percent points)": "面值（USD，或百分点）", "Minimum fee (USD)": "最低费用（USD）",
	"Maximum discount (USD, 0 = none)": "最高折扣（USD，0 = 不限）", "Applies to": "适用于", "virtual": "虚拟卡",
	"physical": "实体卡", "both": "两者", "Usage limit (0 = none)": "总使用上限（0 = 不限）",
	"Per-user limit": "每用户上限", "Valid from": "生效时间", "Valid until": "失效时间", "Users may claim it": "用户可领取",
	"Create coupon": "创建优惠券", "active": "有效", "inactive": "已停用", "Coupon": "优惠券",
	"Assign": "发放", "User IDs": "用户 ID", "Everyone": "所有用户", "Listed users": "指定用户",
	"Give the coupon to every user (a background run; progress below)": "发放给所有用户（后台执行；进度见下方）",
	"Tick the confirmation to give the coupon to every user.":          "请勾选确认后再发放给所有用户。",
	"Assign runs": "发放批次", "Audience": "受众", "Progress": "进度", "Stop reason": "停止原因", "Last error": "最近错误",
	"Refresh": "刷新", "Deactivate coupon": "停用优惠券", "Deactivate": "停用",
	"Users keep the coupon on record but can no longer claim, receive or use it.": "用户持有的记录保留，但无法再领取、接收或使用。",
	"Given to": "已发放给", "Skipped (held it already or closed)": "已跳过（已持有或账户已关闭）",
	"No coupons.": "没有优惠券。", "No announcements.": "没有公告。", "No broadcasts.": "没有广播。", "No events.": "没有事件。",
	"Send to one user": "发送给单个用户", "Body": "正文", "Data (JSON object, optional)": "数据（JSON 对象，可选）",
	"Send": "发送", "Broadcast": "广播", "Account status": "账户状态", "Any": "任意", "frozen": "已冻结",
	"Registered from": "注册起始日", "Registered to": "注册截止日",
	"Send to the whole audience (closed accounts never receive it)": "发送给全部受众（已关闭账户不会收到）",
	"Tick the confirmation to send to the whole audience.":          "请勾选确认后再发送给全部受众。",
	"Broadcasts": "广播记录", "Sent": "已发送", "Message": "消息", "Sent to user": "已发送给用户",
	"Broadcast queued; its progress shows below.": "广播已排队；进度见下方。",
	"Provider": "服务商", "Event key": "事件键", "Attempts": "尝试次数", "Payload": "载荷", "Received": "接收时间",
	"Processed": "处理时间", "Replay": "重放", "characters": "字符",
	"Replay runs the stored event through its processor again; money and card events apply if they now match.": "重放会将存储的事件再次交给处理程序；资金和卡事件若现在匹配将被执行。",
	"Replayed event": "已重放事件", "Outcome": "结果", "applied": "已应用", "failed": "失败",
	"Payloads are never shown (they may hold passcodes or identity data).": "载荷从不显示（可能含验证码或身份数据）。",
	"received": "已接收", "processed": "已处理", "unmatched": "未匹配", "ignored": "已忽略", "Created by": "创建人",
	"Assign-to-everyone run started; its progress shows below.": "全员发放已开始；进度见下方。",
	"Coupon deactivated.": "优惠券已停用。", "Announcement deleted.": "公告已删除。", "Published.": "已发布。",
}
