package console

// Console pages of the area: cards, card tasks, physical orders, configuration, tiers, commissions.

// navCards are the area's menu entries.
var navCards = []navItem{}

// routesCards registers the area's pages and actions.
func (c *Console) routesCards() {}

// zhCards is the area's Chinese interface text.
var zhCards = map[string]string{}
