package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// SimulatorProvider names the simulator of a provider port: the only adapter
// sandbox and staging run, and one production refuses.
const SimulatorProvider = "sandbox"

// Providers selects the adapter of each money and identity port. E-mail is
// selected by COMECOMEPAY_SMTP_HOST (set: SMTP, unset: the simulator).
type Providers struct {
	Custody string
	KYC     string
	Issuer  string
}

// providerPort describes one port: how operators read and set it, and the
// adapters this build has. A new adapter (udun, didit, …) is a new name in
// adapters here and a case in the composition root.
type providerPort struct {
	label    string
	env      string
	adapters []string
	selected func(Providers) string
}

var providerPorts = []providerPort{
	{"custody", "COMECOMEPAY_CUSTODY_PROVIDER", []string{SimulatorProvider, "udun"}, func(p Providers) string { return p.Custody }},
	{"KYC", "COMECOMEPAY_KYC_PROVIDER", []string{SimulatorProvider, "didit"}, func(p Providers) string { return p.KYC }},
	{IssuerPort, "COMECOMEPAY_ISSUER_PROVIDER", []string{SimulatorProvider}, func(p Providers) string { return p.Issuer }},
}

// IssuerPort names the card issuer port for CheckProviders' supplied list.
const IssuerPort = "card issuer"

// CheckProviders reports selections this build has no adapter for and, in
// production, every port left on a simulator, in one error naming them all.
// Validate calls it, and the composition root again before wiring anything.
// supplied names ports (IssuerPort) whose real adapter the embedding
// program hands the composition root itself: the card issuer's, until a
// PokePay adapter is in the table, and the end-to-end tests' fakes.
func (c Config) CheckProviders(supplied ...string) error {
	var errs []error
	for _, port := range providerPorts {
		if slices.Contains(supplied, port.label) {
			continue
		}
		if name := port.selected(c.Providers); name != "" && !slices.Contains(port.adapters, name) {
			errs = append(errs, fmt.Errorf("%s: %q is not a %s provider this build has (known: %s)",
				port.env, name, port.label, strings.Join(port.adapters, ", ")))
		}
	}
	if c.Mode == Production {
		if ports := c.SimulatedPorts(supplied...); len(ports) > 0 {
			errs = append(errs, fmt.Errorf("production mode refuses simulated providers; configure a real one for: %s",
				strings.Join(ports, ", ")))
		}
	}
	return errors.Join(errs...)
}

// SimulatedPorts lists, for production's refusal, every port that would run
// on a simulator: each entry names the port and the variable that selects a
// real adapter. An empty selection counts as the simulator.
func (c Config) SimulatedPorts(supplied ...string) []string {
	var out []string
	for _, port := range providerPorts {
		if slices.Contains(supplied, port.label) {
			continue
		}
		if name := port.selected(c.Providers); name == "" || name == SimulatorProvider {
			out = append(out, fmt.Sprintf("%s (%s=%s; no real adapter selected)", port.label, port.env, SimulatorProvider))
		}
	}
	if !c.SMTP.Configured() {
		out = append(out, "e-mail (COMECOMEPAY_SMTP_HOST is unset)")
	}
	return out
}
