// Package deps lets each service name the collaborators it cannot work
// without, so the composition root refuses to start on a forgotten one
// instead of the service meeting a nil port on a money path.
package deps

import (
	"errors"
	"slices"
	"strings"
)

// Wired maps each required collaborator of a service (its Deps field name)
// to whether it was wired.
type Wired map[string]bool

// Check returns an error naming service and every collaborator of wired
// that is missing, or nil when all are there.
func Check(service string, wired Wired) error {
	var missing []string
	for name, ok := range wired {
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return errors.New(service + ": missing dependencies: " + strings.Join(missing, ", "))
}
