package console

// Console pages of the area: users, KYC review, 3DS records.

// navUsers are the area's menu entries.
var navUsers = []navItem{{"Users", "/console/users", mirror("POST /api/v1/admin/users/{id}/freeze")}}

// routesUsers registers the area's pages and actions.
func (c *Console) routesUsers() {}

// zhUsers is the area's Chinese interface text.
var zhUsers = map[string]string{}
