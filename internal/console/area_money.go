package console

// Console pages of the area: withdrawals, deposits, ledger, reconciliation, card-fee payments.

// navMoney are the area's menu entries.
var navMoney = []navItem{}

// routesMoney registers the area's pages and actions.
func (c *Console) routesMoney() {}

// zhMoney is the area's Chinese interface text.
var zhMoney = map[string]string{}
