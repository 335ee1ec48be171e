package mail_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/providers/email/sandbox"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// TestMailIsSentOnlyIfTheTransactionCommits proves the outbox pattern on
// both engines: a job inserted in a rolled-back transaction never runs, one
// inserted in a committed transaction is delivered, and the job row does not
// hold the code in clear text.
func TestMailIsSentOnlyIfTheTransactionCommits(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.New(t, engine)
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		box, err := secret.NewBox("k1", map[string][]byte{"k1": key})
		if err != nil {
			t.Fatal(err)
		}
		outbox := sandbox.NewOutbox(time.Now)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		workers := river.NewWorkers()
		river.AddWorker(workers, mail.NewWorker(outbox, box, log))
		client, err := jobs.New(db, workers, jobs.Options{PollInterval: 20 * time.Millisecond, Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Stop(context.Background()) })
		queue := mail.NewQueue(client, box)

		rollback := errors.New("rollback")
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			if err := queue.EnqueueTx(ctx, tx, mail.Message{To: "gone@example.com", Subject: "s", Body: "b"}); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("InTx = %v", err)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			return queue.EnqueueTx(ctx, tx, mail.Message{To: "kept@example.com", Subject: "code", Body: "code 48213", OTP: "48213"})
		})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(outbox.To("kept@example.com")) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := outbox.To("kept@example.com"); len(got) != 1 || got[0].OTP != "48213" {
			t.Fatalf("committed mail: %+v", got)
		}
		if got := outbox.To("gone@example.com"); len(got) != 0 {
			t.Fatalf("rolled-back mail was sent: %+v", got)
		}
		var args string
		if err := db.SQL.QueryRowContext(ctx, `SELECT CAST(args AS TEXT) FROM river_job WHERE kind = 'mail.send'`).Scan(&args); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(args, "48213") || strings.Contains(args, "kept@example.com") {
			t.Fatalf("job args hold the message in clear: %s", args)
		}
	})
}

func TestMaskAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"alice@example.com": "a***@example.com", "x": "***", "@b.c": "***"} {
		if got := mail.MaskAddress(in); got != want {
			t.Errorf("MaskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
