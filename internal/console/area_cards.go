package console

import "github.com/comecomepay/comecomepay/internal/card"

// Console pages of the area: cards, card tasks, physical orders, configuration, tiers, commissions.

// navCards are the area's menu entries.
var navCards = []navItem{
	{"Cards", "/console/cards", mirror("GET /api/v1/admin/cards")},
	{"Card tasks", "/console/card-tasks", mirror("GET /api/v1/admin/card-tasks")},
	{"Physical orders", "/console/physical-orders", mirror("GET /api/v1/admin/physical-orders")},
	{"Settings", "/console/settings", mirror("GET /api/v1/admin/settings")},
	{"Fees", "/console/fees", mirror("GET /api/v1/admin/swap-fee-config")},
	{"Tiers", "/console/tiers", mirror("GET /api/v1/admin/tier-configs")},
	{"Commissions", "/console/commissions", mirror("GET /api/v1/admin/commissions")},
}

// routesCards registers the area's pages and actions.
func (c *Console) routesCards() {
	const a = "/api/v1/admin"
	c.handle("GET /console/cards", mirror("GET "+a+"/cards"), c.cardsPage)
	c.handle("POST /console/cards/{id}/lock", mirror("POST "+a+"/cards/{id}/lock"), c.cardAction(card.OperatorLock))
	c.handle("POST /console/cards/{id}/unlock", mirror("POST "+a+"/cards/{id}/unlock"), c.cardAction(card.OperatorUnlock))
	c.handle("POST /console/cards/{id}/cancel", mirror("POST "+a+"/cards/{id}/cancel"), c.cardAction(card.OperatorCancel))
	c.handle("GET /console/card-tasks", mirror("GET "+a+"/card-tasks"), c.cardTasksPage)
	c.handle("POST /console/card-tasks/{id}/retry", mirror("POST "+a+"/card-tasks/{id}/retry"), c.retryCardTask)
	c.handle("GET /console/physical-orders", mirror("GET "+a+"/physical-orders"), c.ordersPage)
	c.handle("POST /console/physical-orders/{id}/status", mirror("POST "+a+"/physical-orders/{id}/status"), c.setOrderStatus)
	c.handle("POST /console/physical-orders/{id}/refund", mirror("POST "+a+"/physical-orders/{id}/refund"), c.refundOrder)
	c.handle("GET /console/settings", mirror("GET "+a+"/settings"), c.settingsPage)
	c.handle("POST /console/settings", mirror("PUT "+a+"/settings"), c.updateSetting)
	c.handle("GET /console/fees", mirror("GET "+a+"/swap-fee-config"), c.feesPage)
	c.handle("POST /console/fees/swap", mirror("PUT "+a+"/swap-fee-config"), c.updateSwapFee)
	c.handle("POST /console/fees/withdrawal", mirror("PUT "+a+"/withdrawal-fee-config"), c.updateWithdrawalFee)
	c.handle("POST /console/fees/card/{card_type}", mirror("PUT "+a+"/card-fee-config/{card_type}"), c.updateCardFee)
	c.handle("GET /console/tiers", mirror("GET "+a+"/tier-configs"), c.tiersPage)
	c.handle("POST /console/tiers", mirror("POST "+a+"/tier-configs"), c.addTier)
	c.handle("POST /console/tiers/{level}", mirror("PUT "+a+"/tier-configs/{tier_level}"), c.updateTier)
	c.handle("GET /console/commissions", mirror("GET "+a+"/commissions"), c.commissionsPage)
	c.handle("POST /console/commissions/{id}/pay", mirror("POST "+a+"/commissions/{id}/pay"), c.commissionAction(true))
	c.handle("POST /console/commissions/{id}/cancel", mirror("POST "+a+"/commissions/{id}/cancel"), c.commissionAction(false))
}

// zhCards is the area's Chinese interface text.
var zhCards = map[string]string{
	"Cards": "卡片", "Card tasks": "开卡任务", "Physical orders": "实体卡订单", "Settings": "平台设置", "Fees": "费用",
	"Tiers": "推荐等级", "Commissions": "佣金",
	"must be a positive whole number": "必须是正整数", "Card ID": "卡片 ID", "Beneficiary ID": "受益人 ID", "Referee ID": "被推荐人 ID",
	"Above the four-eyes threshold: sent for approval as request": "超过四眼审批阈值：已提交审批，请求",
	"Any": "全部", "Card number": "卡号", "Balance": "余额", "Fee paid": "已付卡费", "Physical": "实体卡",
	"Locked by operator": "被操作员锁定", "Pending change": "处理中的变更", "Lock": "锁定", "Unlock": "解锁", "Cancel card": "注销卡片",
	"Cancelling a card is final: the issuer closes it and its balance is refunded to the user's wallet.": "注销卡片不可撤销：发卡方关闭该卡，余额退回用户钱包。",
	"Confirm": "确认", "Go back": "返回", "Confirm the action": "确认操作",
	"Lock, unlock or cancel a card with a reason; cancelling asks for confirmation.": "锁定、解锁或注销卡片需填写原因；注销需再次确认。",
	"Fail reason": "失败原因", "Retries": "重试次数", "Completed": "完成时间", "Retried": "重试时间", "Retry": "重试",
	"A failed application is retried with its fee payment and KYC; give the reason.": "失败的开卡申请将以原卡费支付和 KYC 重试；请填写原因。",
	"Order": "订单", "Fee": "费用", "Paid": "已支付", "Tracking number": "物流单号", "Refund": "退款", "Shipped": "发货时间",
	"Delivered": "送达时间", "Change status": "更改状态", "Remark": "备注", "New status": "新状态", "Refund status": "退款状态",
	"Change order status": "更改订单状态", "Refund order": "订单退款",
	"Failing an order refunds its fee to the user; cancelling stops it. Neither can be undone.":                    "订单失败将把费用退回用户；取消将终止订单。均不可撤销。",
	"The order's fee goes back to the user's wallet. Above the four-eyes threshold a second operator approves it.": "订单费用将退回用户钱包。超过四眼审批阈值时需另一名操作员批准。",
	"A remark is required to fail an order; it is the reason of the fee's refund.":                                 "将订单置为失败时必须填写备注，作为退费原因。",
	"Key": "键", "Value": "值", "Default": "默认值", "Unit": "单位", "Range": "范围", "Live": "即时生效", "Source": "来源",
	"Description": "说明", "Updated": "更新时间", "Edit": "编辑", "Change history": "变更历史", "Old value": "旧值", "New value": "新值",
	"Key, or a prefix ending in a dot": "键，或以点结尾的前缀", "Set on the fees page": "在费用页面设置",
	"Set by the deployment": "由部署配置设定",
	"Live: a change holds on every server at once. Not live: the deployment sets it; a restart is needed.": "即时生效：更改立即作用于所有服务器。非即时：由部署设定，需重启。",
	"Swap fee": "兑换手续费", "Fee rate": "费率", "Rate as a fraction: 0.022 = 2.2 %": "费率为小数：0.022 = 2.2%",
	"Withdrawal fees": "提现手续费", "Currency": "币种", "Fee type": "费用类型", "Fixed fee": "固定费用", "Minimum fee": "最低费用",
	"fixed": "固定", "percentage": "百分比", "Card fees": "开卡费", "Card type": "卡片类型", "Fee (USD)": "费用（美元）",
	"Active": "启用", "Fee change history": "费用变更历史", "History of": "历史：", "Show": "显示",
	"A fixed fee uses the fixed amount; a percentage uses the rate and the minimum.": "固定费用使用固定金额；百分比使用费率和最低费用。",
	"Changes apply to new payments at once; pending payments keep their price.":      "更改立即作用于新的支付；待处理的支付保持原价。",
	"Level": "等级", "Minimum referrals": "最少推荐数", "Maximum referrals (0 = no limit)": "最多推荐数（0 = 不限）",
	"Level 1 card opening rate": "一级开卡佣金率", "Level 1 transaction rate": "一级交易佣金率",
	"Level 2 card opening rate": "二级开卡佣金率", "Level 2 transaction rate": "二级交易佣金率",
	"Add a tier": "新增等级", "Add": "新增", "Rates are fractions: 0.25 = 25 %.": "佣金率为小数：0.25 = 25%。",
	"Beneficiary": "受益人", "Referee": "被推荐人", "Type": "类型", "Source amount": "来源金额", "Rate": "费率",
	"Tier": "等级", "Credited": "入账时间", "Cancelled": "取消时间", "Pay": "支付", "Pay commission": "支付佣金",
	"Cancel commission": "取消佣金",
	"The commission is credited to the beneficiary's wallet. Above the four-eyes threshold a second operator approves it.": "佣金将记入受益人钱包。超过四眼审批阈值时需另一名操作员批准。",
	"A cancelled commission is never paid; a credited one is taken back from the beneficiary's wallet.":                    "取消的佣金不会支付；已入账的佣金将从受益人钱包收回。",
	"card_opening": "开卡", "transaction": "交易", "Reference": "参考号", "No": "否", "Yes": "是",
}
