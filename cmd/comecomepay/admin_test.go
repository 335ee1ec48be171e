package main

import (
	"context"
	"strings"
	"testing"
)

func TestAdminCreateBootstrapsAnOperator(t *testing.T) {
	t.Parallel()
	getenv := contentEnv(t)
	ctx := context.Background()
	var out strings.Builder
	const password = "Bootstrap!Passw0rd-42"
	if err := adminCmd(ctx, []string{"create", "--email", "Root@Example.com", "--role", "super_admin", "--password-stdin"},
		getenv, strings.NewReader(password+"\n"), &out); err != nil {
		t.Fatalf("admin create: %v", err)
	}
	if !strings.Contains(out.String(), "otpauth://totp/") || strings.Contains(out.String(), password) ||
		!strings.Contains(out.String(), "root@example.com (super_admin)") {
		t.Fatalf("output:\n%s", out.String())
	}
	out.Reset()
	if err := adminCmd(ctx, []string{"create", "--email", "fin@example.com", "--role", "finance"}, getenv, strings.NewReader(""), &out); err != nil {
		t.Fatalf("admin create with a generated password: %v", err)
	}
	if !strings.Contains(out.String(), "password (shown once): ") {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, bad := range [][]string{
		{"create", "--email", "root@example.com", "--role", "finance"}, // taken
		{"create", "--email", "x@example.com", "--role", "janitor"},    // no such role
		{"create", "--email", "x@example.com"},                         // no role
		{"delete"},
	} {
		if err := adminCmd(ctx, bad, getenv, strings.NewReader(""), &out); err == nil {
			t.Errorf("admin %v succeeded", bad)
		}
	}
	if err := adminCmd(ctx, []string{"create", "--email", "w@example.com", "--role", "finance", "--password-stdin"},
		getenv, strings.NewReader("short\n"), &out); err == nil {
		t.Error("a weak password was accepted")
	}
}
