package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/config"
)

// TestLoggerFormat: auto means JSON for anything but a terminal; text and
// json are taken as asked, text without colour codes off a terminal.
func TestLoggerFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format    string
		wantHuman bool
	}{{config.LogAuto, false}, {"", false}, {config.LogJSON, false}, {config.LogText, true}} {
		var out bytes.Buffer
		log, human := newLogger(&out, "info", tc.format)
		log.Debug("hidden")
		log.Info("hello", "k", "v")
		line := out.String()
		if human != tc.wantHuman || strings.Contains(line, "hidden") {
			t.Errorf("format %q: human = %v, output %q", tc.format, human, line)
			continue
		}
		var decoded map[string]any
		isJSON := json.Unmarshal([]byte(line), &decoded) == nil
		if isJSON == human || strings.Contains(line, "\x1b[") || !strings.Contains(line, "hello") || !strings.Contains(line, "k=v") && human {
			t.Errorf("format %q: output %q", tc.format, line)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(&bytes.Buffer{}) || isTerminal(w) {
		t.Fatal("a buffer or a pipe taken for a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Fatal("a file taken for a terminal")
	}
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer pty.Close()
	if !isTerminal(pty) {
		t.Fatal("a pseudo-terminal not taken for a terminal")
	}
}

// TestBanner: the banner names the API, the docs, the console, the sandbox
// helpers only where they are mounted and the first-operator command only
// while there is no operator, as text or as one JSON line.
func TestBanner(t *testing.T) {
	t.Parallel()
	sandbox := startup{Version: "v1.2.3", Mode: config.Sandbox, Database: "sqlite", Base: "http://localhost:8080", SandboxHelpers: true, NoOperator: true}
	text := sandbox.text()
	for _, want := range []string{
		"ComeComePay v1.2.3 · sandbox mode · sqlite\n",
		"  API              http://localhost:8080/api/v1\n",
		"  API docs         http://localhost:8080/docs",
		"  Console          http://localhost:8080/console/\n",
		"  Sandbox helpers  http://localhost:8080/api/v1/sandbox/ ",
		"  First operator   comecomepay admin create --email you@example.com --role super_admin\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	production := startup{Version: "v1.2.3", Mode: config.Production, Database: "postgres", Base: "https://api.example.com"}
	text = production.text()
	if strings.Contains(text, "Sandbox") || strings.Contains(text, "First operator") || !strings.Contains(text, "https://api.example.com/docs") {
		t.Errorf("production banner:\n%s", text)
	}

	var out bytes.Buffer
	log, human := newLogger(&out, "info", config.LogJSON)
	announce(&out, log, human, sandbox)
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("JSON banner is not one line: %v\n%s", err, out.String())
	}
	for k, v := range map[string]string{"msg": "ready", "mode": "sandbox", "api": "http://localhost:8080/api/v1", "docs": "http://localhost:8080/docs",
		"console": "http://localhost:8080/console/", "sandbox_helpers": "http://localhost:8080/api/v1/sandbox/", "first_operator": firstOperatorCommand} {
		if line[k] != v {
			t.Errorf("JSON banner %s = %v, want %q", k, line[k], v)
		}
	}
	out.Reset()
	announce(&out, log, human, production)
	if strings.Contains(out.String(), "sandbox_helpers") || strings.Contains(out.String(), "first_operator") {
		t.Errorf("production JSON banner: %s", out.String())
	}
	out.Reset()
	log, human = newLogger(&out, "info", config.LogText)
	announce(&out, log, human, sandbox)
	if out.String() != sandbox.text() {
		t.Errorf("text banner written as %q", out.String())
	}
}
