package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/lmittmann/tint"

	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/config"
)

// firstOperatorCommand creates the first operator; without --password-stdin
// it prints a generated password and the TOTP enrolment once.
const firstOperatorCommand = "comecomepay admin create --email you@example.com --role super_admin"

// newLogger builds the service's logger: coloured, human-readable lines
// when w is a terminal (or text is asked for), JSON for log collectors
// otherwise. human reports which one, so the banner can match it.
func newLogger(w io.Writer, level, format string) (log *slog.Logger, human bool) {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	terminal := isTerminal(w)
	switch format {
	case config.LogText:
		human = true
	case config.LogJSON:
		human = false
	default: // auto
		human = terminal
	}
	if human {
		return slog.New(tint.NewHandler(w, &tint.Options{Level: l, TimeFormat: "15:04:05.000", NoColor: !terminal})), true
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), false
}

// isTerminal reports whether w is a character device (a terminal); pipes,
// files and sockets — what log collectors read — are not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// startup is what a newcomer needs once the service listens.
type startup struct {
	Version  string
	Mode     config.Mode
	Database string
	Base     string // where clients reach the service, no trailing slash
	// SandboxHelpers is set when /api/v1/sandbox/* is mounted.
	SandboxHelpers bool
	// NoOperator is set on a database without operators.
	NoOperator bool
}

// sandboxHelpers names the helpers a newcomer reaches for first.
const sandboxHelpers = "deposits, outbox with e-mailed codes, fx, kyc/approve, card transactions"

// text is the banner for a terminal.
func (s startup) text() string {
	var b strings.Builder
	row := func(label, value string) { fmt.Fprintf(&b, "  %-16s %s\n", label, value) }
	fmt.Fprintf(&b, "\nComeComePay %s · %s mode · %s\n\n", s.Version, s.Mode, s.Database)
	row("API", s.Base+"/api/v1")
	row("API docs", s.Base+"/docs  (contract: /api/v1/openapi.yaml)")
	row("Console", s.Base+"/console/")
	if s.SandboxHelpers {
		row("Sandbox helpers", s.Base+"/api/v1/sandbox/  ("+sandboxHelpers+")")
	}
	if s.NoOperator {
		row("First operator", firstOperatorCommand)
		row("", "(no operator yet: prints a one-time password and the TOTP enrolment; README: Operators)")
	}
	b.WriteString("\n")
	return b.String()
}

// attrs is the banner as one structured log line.
func (s startup) attrs() []any {
	out := []any{"version", s.Version, "mode", string(s.Mode), "database", s.Database,
		"api", s.Base + "/api/v1", "docs", s.Base + "/docs", "openapi", s.Base + "/api/v1/openapi.yaml", "console", s.Base + "/console/"}
	if s.SandboxHelpers {
		out = append(out, "sandbox_helpers", s.Base+"/api/v1/sandbox/")
	}
	if s.NoOperator {
		out = append(out, "first_operator", firstOperatorCommand)
	}
	return out
}

// announce prints the banner once: as text on a human-readable log, as one
// "ready" line otherwise.
func announce(w io.Writer, log *slog.Logger, human bool, s startup) {
	if human {
		_, _ = io.WriteString(w, s.text())
		return
	}
	log.Info("ready", s.attrs()...)
}

// startupOf gathers the banner's facts. The base URL is the configured
// public one when set explicitly, otherwise the address actually listened
// on (the configured default would name the wrong port after -addr).
func startupOf(ctx context.Context, a *app.App, addr net.Addr, publicBaseSet bool) startup {
	base := strings.TrimRight(a.Config.PublicBaseURL, "/")
	if !publicBaseSet || base == "" {
		base = "http://" + addr.String()
		if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
			base = fmt.Sprintf("http://localhost:%d", tcp.Port)
		}
	}
	cfg := a.Config
	_, operators, err := a.Operators.List(ctx, 1, 0)
	return startup{
		Version: buildVersion(), Mode: cfg.Mode, Database: string(a.DB.Engine), Base: base,
		SandboxHelpers: cfg.Mode == config.Sandbox || cfg.Mode == config.Staging && cfg.SandboxToken != "",
		NoOperator:     err == nil && operators == 0,
	}
}
