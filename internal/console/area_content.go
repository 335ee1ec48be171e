package console

// Console pages of the area: content, coupons, notifications, webhook inbox.

// navContent are the area's menu entries.
var navContent = []navItem{}

// routesContent registers the area's pages and actions.
func (c *Console) routesContent() {}

// zhContent is the area's Chinese interface text.
var zhContent = map[string]string{}
