package console

// Console pages of the area: withdrawals, deposits, ledger, reconciliation, card-fee payments.

// navMoney are the area's menu entries.
var navMoney = []navItem{
	{"Withdrawals", "/console/withdrawals", mirror("GET /api/v1/admin/withdrawals")},
	{"Deposits", "/console/deposits", mirror("GET /api/v1/admin/deposits")},
	{"Ledger", "/console/ledger", mirror("GET /api/v1/admin/ledger/balances")},
	{"Reconciliation", "/console/reconciliation", mirror("GET /api/v1/admin/reconciliation/runs")},
	{"Card-fee payments", "/console/card-fee-payments", mirror("GET /api/v1/admin/card-fee-payments")},
}

// routesMoney registers the area's pages and actions.
func (c *Console) routesMoney() {
	const admin = "/api/v1/admin"
	c.handle("GET /console/withdrawals", mirror("GET "+admin+"/withdrawals"), c.withdrawalsPage)
	c.handle("POST /console/withdrawals/{id}/approve", mirror("POST "+admin+"/withdrawals/{id}/approve"), c.decideWithdrawal(true))
	c.handle("POST /console/withdrawals/{id}/reject", mirror("POST "+admin+"/withdrawals/{id}/reject"), c.decideWithdrawal(false))
	c.handle("GET /console/deposits", mirror("GET "+admin+"/deposits"), c.depositsPage)
	c.handle("POST /console/deposits/{id}/assign", mirror("POST "+admin+"/deposits/{id}/assign"), c.assignDeposit)
	c.handle("POST /console/deposits/{id}/credit", mirror("POST "+admin+"/deposits/{id}/credit"), c.creditDeposit)
	c.handle("GET /console/ledger", mirror("GET "+admin+"/ledger/balances"), c.ledgerPage)
	c.handle("GET /console/ledger/entries", mirror("GET "+admin+"/ledger/entries"), c.entriesPage)
	c.handle("POST /console/ledger/adjustments", mirror("POST "+admin+"/ledger/adjustments"), c.adjustBalance)
	c.handle("GET /console/reconciliation", mirror("GET "+admin+"/reconciliation/runs"), c.reconciliationPage)
	c.handle("GET /console/reconciliation/report", mirror("GET "+admin+"/reconciliation/report"), c.reconciliationReport)
	c.handle("POST /console/reconciliation/run", mirror("POST "+admin+"/reconciliation/run"), c.runReconciliation)
	c.handle("POST /console/reconciliation/custody-run", mirror("POST "+admin+"/reconciliation/custody-run"), c.runCustodyReconciliation)
	c.handle("GET /console/card-fee-payments", mirror("GET "+admin+"/card-fee-payments"), c.cardFeePaymentsPage)
	c.handle("POST /console/card-fee-payments/{id}/refund", mirror("POST "+admin+"/card-fee-payments/{id}/refund"),
		c.refundCardFeePayment)
}

// zhMoney is the area's Chinese interface text.
var zhMoney = map[string]string{
	"Withdrawals": "提现", "Deposits": "充值", "Ledger": "账本", "Reconciliation": "对账", "Card-fee payments": "开卡费支付",
	"All": "全部", "User": "用户", "Currency": "币种", "Gross": "总额", "Fee": "手续费", "Net": "到账金额", "Address": "地址",
	"Created": "创建时间", "Reject reason": "拒绝原因", "Actions": "操作", "Total": "合计",
	"Approve withdrawal": "批准提现", "Reject withdrawal": "拒绝提现", "Four-eyes": "双人复核",
	"needs a second operator": "需要第二位操作员",
	"Four-eyes rule: an approval, credit, adjustment or refund worth more than":                 "双人复核规则：批准、入账、调账或退款金额超过",
	"becomes an approval request; a second finance operator approves it on the Approvals page.": "时将生成审批请求，由另一位财务操作员在“审批”页面批准。",
	"The action was executed.":                                              "操作已执行。",
	"Above the four-eyes threshold: approval request":                       "超过双人复核阈值：已生成审批请求",
	"is waiting for a second finance operator.":                             "，正在等待另一位财务操作员批准。",
	"Open the Approvals page":                                               "打开审批页面",
	"A reason is required; it is recorded in the audit log with your name.": "必须填写原因；原因将与您的姓名一起记入审计日志。",
	"Trade ID": "交易号", "Transaction": "链上交易", "Custody status": "托管状态", "Credited": "入账时间", "unassigned": "未分配",
	"Assign to user": "分配给用户", "Assign": "分配", "Credit deposit": "确认入账", "Reason (optional)": "原因（可选）",
	"Unmatched deposits came to an address no user owns; below-minimum ones were too small to credit automatically. Assign an unmatched deposit to its user, then credit it once custody confirmed it (status 3).": "未匹配的充值进入了不属于任何用户的地址；低于最低额的充值因金额过小未自动入账。请先将未匹配的充值分配给对应用户，待托管确认（状态 3）后再入账。",
	"Balances": "余额", "Owner": "所有者", "Account": "账户", "Balance": "余额", "Holders": "持有人数", "house": "平台", "users": "用户",
	"Entries": "分录", "Each currency's rows sum to zero: house accounts against the users' accounts by kind.": "每个币种的各行合计为零：平台账户与按类型汇总的用户账户相对。",
	"Adjust a balance": "调整余额", "Amount (+ credits, − debits)": "金额（+ 为入账，− 为扣款）", "Submit adjustment": "提交调账",
	"The adjustment is booked against the house account adjustments; a debit never makes the balance negative.": "调账记入平台账户 adjustments；扣款不会使余额变为负数。",
	"Entries of an account": "账户分录",
	"Account (house account, or with a user ID one of the user's: available, withdrawal_hold, card:ID…)": "账户（平台账户；或填写用户 ID 后为该用户的账户：available、withdrawal_hold、card:ID…）",
	"Choose an account to see its entries.": "请选择一个账户以查看分录。", "House accounts": "平台账户",
	"Reference": "业务编号", "Description": "描述", "Back to the ledger": "返回账本",
	"Runs": "运行记录", "Run at": "运行时间", "Checked": "已检查", "Differences": "差异", "Report": "报告",
	"Run now": "立即运行", "Run the card reconciliation now": "立即运行卡片对账",
	"It asks the issuer for every open card's balance; it may take minutes. The run appears here when it finishes.": "将向发卡方查询每张有效卡的余额，可能需要几分钟。完成后运行记录会显示在此处。",
	"Reconciliation queued as job": "对账已加入队列，任务", "Report of a day": "某日报告", "Date (UTC)": "日期（UTC）", "Show": "显示",
	"Reconciliation report": "对账报告", "No runs.": "没有运行记录。", "Card": "卡片", "Issuer": "发卡方", "Difference": "差额",
	"No differences.": "没有差异。", "Back to the runs": "返回运行记录", "differences": "处差异",
	"Custody": "托管", "Custody reconciliation": "托管对账", "Run the custody reconciliation now": "立即运行托管对账",
	"It asks the custody provider for its balance of every crypto currency and compares it with the ledger's custody account. The run appears here when it finishes.": "将向托管方查询每种加密货币的余额，并与账本的托管账户比对。完成后运行记录会显示在此处。",
	"Custody reconciliation queued as job": "托管对账已加入队列，任务",
	"Latest runs: the custody provider's balance of each crypto currency against the ledger's custody account; difference = custody − ledger.": "最近的运行记录：托管方各加密货币余额与账本托管账户的比对；差额 = 托管 − 账本。",
	"Run": "运行", "matches": "一致", "unreported": "未报告", "differs": "不一致", "No custody runs.": "没有托管对账记录。",
	"Card type": "卡类型", "Used by an application": "已被开卡申请使用", "Original fee": "原价", "Discount": "优惠",
	"Paid": "实付", "Method": "支付方式", "Coupon": "优惠券", "Used": "已使用", "Paid at": "支付时间",
	"Refund": "退款", "Refund payment": "退还付款", "virtual": "虚拟卡", "physical": "实体卡", "true": "是", "false": "否",
	"Only a completed payment no card application used can be refunded; the amount goes back from fee income.": "只有已完成且未被开卡申请使用的付款可以退款；金额从手续费收入中退回。",
}
