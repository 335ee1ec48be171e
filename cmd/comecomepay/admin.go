package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

const adminUsage = "usage: comecomepay admin create --email EMAIL --role ROLE [--name NAME] [--password-stdin]"

// adminCmd bootstraps operators from a server shell, audited as the CLI.
// The password comes from the first line of standard input with
// --password-stdin (so it never appears in the process list or shell
// history), or is generated and printed once.
func adminCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(adminUsage)
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "operator e-mail")
	role := fs.String("role", "", "super_admin, compliance, finance, support or content")
	name := fs.String("name", "", "display name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 || *email == "" || *role == "" {
		return errors.New(adminUsage)
	}
	var password string
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("admin create: read password: %w", err)
		}
		if password = strings.TrimRight(line, "\r\n"); password == "" {
			return errors.New("admin create: --password-stdin given but standard input is empty")
		}
	}
	a, err := openApp(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	created, err := a.Operators.Create(audit.WithActor(ctx, audit.CLI()), operator.NewOperator{Email: *email,
		Role: operator.Role(*role), DisplayName: *name, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "operator %d created: %s (%s)\n", created.Operator.ID, created.Operator.Email, created.Operator.Role)
	if created.GeneratedPassword != "" {
		fmt.Fprintf(stdout, "password (shown once): %s\n", created.GeneratedPassword)
	}
	fmt.Fprintf(stdout, "TOTP enrolment (shown once; scan it into an authenticator app, or open the console to see it as a QR code at first sign-in):\n%s\n", created.TOTPURI)
	return nil
}
