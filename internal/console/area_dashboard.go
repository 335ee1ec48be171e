package console

// The dashboard (pages_dashboard.go): its Chinese interface text.

// zhDashboard is the dashboard's Chinese interface text.
var zhDashboard = map[string]string{
	"Queues": "待办队列", "Pending KYC": "待审核 KYC", "Pending withdrawals": "待审批提现", "Unmatched deposits": "未匹配充值",
	"Failed card tasks": "失败的开卡任务", "Last reconciliation": "最近一次对账", "cards checked": "张卡已核对",
	"mismatches": "处差异", "Not run yet": "尚未运行", "Users' money": "用户资金",
	"Wallets: available and held for withdrawals. Card float: the sum of card balances.": "钱包：可用余额与提现冻结金额。卡资金池：所有卡余额之和。",
	"Ledger": "账本", "Currency": "币种", "Users": "用户", "Wallets": "钱包", "Card float": "卡资金池", "Fee income": "手续费收入",
	"Fee income, last %d days, %s":              "手续费收入，最近 %d 天，%s",
	"%s %s in %d days; highest day %s (%s %s).": "%s %s（%d 天）；最高的一天 %s（%s %s）。",
	"%s %s in %d days.":                         "%s %s（%d 天）。",
	"No fee income in the last 30 days.":        "最近 30 天没有手续费收入。",
}
