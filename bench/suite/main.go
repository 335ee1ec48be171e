// Command suite runs every benchmark of issue 15 on this machine and prints
// one table: figure, reference figure, ratio, target, met or not.
//
//	go run ./bench/suite [-secs 10] [-scale 1] [-only transfer,get,sqlite,replicas,seeded]
//
// It builds the server, creates its own databases on the local PostgreSQL
// (postgres@127.0.0.1:5432, trust auth), seeds users straight into them
// (bench/seed), signs their access tokens with the JWT secret it gives the
// servers, and drives the servers over loopback. Every server runs the
// default configuration except what the suite prints as an override.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

type options struct {
	secs   time.Duration
	scale  float64
	only   map[string]bool
	pgBase string
	bin    string
}

func main() {
	secs := flag.Int("secs", 10, "seconds per measurement")
	scale := flag.Float64("scale", 1, "size of the seeded database (1 = 1 M users, 10 M postings); 0 skips the seeded comparison")
	only := flag.String("only", "transfer,get,sqlite,replicas,seeded", "sections to run")
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432", "PostgreSQL server (the suite creates databases ccp_bench_*)")
	flag.StringVar(&perfDir, "perf", "", "directory for a whole-machine perf record of each measurement (needs perf)")
	flag.Parse()
	o := options{secs: time.Duration(*secs) * time.Second, scale: *scale, only: map[string]bool{}, pgBase: strings.TrimRight(*pg, "/")}
	for _, s := range strings.Split(*only, ",") {
		o.only[strings.TrimSpace(s)] = true
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "suite:", err)
		os.Exit(1)
	}
}

// row is one line of the final table.
type row struct {
	name, unit string
	figure     float64
	refName    string
	ref        float64 // 0 = no reference
	target     string
	met        func(ratio, figure float64) bool
	note       string
}

var rows []row

func report(r row) {
	rows = append(rows, r)
	fmt.Printf("  → %s: %.1f %s (ref %s %.1f)\n", r.name, r.figure, r.unit, r.refName, r.ref)
}

func run(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "ccp-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	o.bin = filepath.Join(dir, "comecomepay")
	fmt.Println("building the server…")
	build := exec.Command("go", "build", "-o", o.bin, "./cmd/comecomepay")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	fmt.Printf("OVERRIDES (one load generator stands for many clients): COMECOMEPAY_RATE_LIMIT_PER_IP=%s on every server\n", perIPOverride)
	fmt.Println("  the per-user limit stays at its default (120/min): load is spread over seeded users, each kept under 110 requests a minute")
	fmt.Println("  HTTP load from 127.0.0.1 on the same machine as the servers and PostgreSQL")
	for _, s := range []struct {
		name string
		fn   func(context.Context, options) error
	}{{"transfer", pgTransfers}, {"get", pgGets}, {"replicas", replicas}, {"sqlite", sqliteBench}, {"seeded", seeded}} {
		if !o.only[s.name] {
			continue
		}
		fmt.Printf("== %s\n", s.name)
		if err := s.fn(ctx, o); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	printTable(strings.TrimSpace(string(commit)), o)
	return nil
}

func printTable(commit string, o options) {
	fmt.Printf("\nResults at commit %s (%d s per measurement, %s)\n", commit, int(o.secs.Seconds()), time.Now().Format(time.RFC3339))
	w := []int{52, 14, 26, 8, 16, 4}
	line := func(cols ...string) {
		for i, c := range cols {
			fmt.Printf("%-*s ", w[i], c)
		}
		fmt.Println()
	}
	line("benchmark", "figure", "reference", "ratio", "target", "met")
	line(strings.Repeat("-", w[0]), strings.Repeat("-", w[1]), strings.Repeat("-", w[2]), strings.Repeat("-", w[3]),
		strings.Repeat("-", w[4]), "---")
	for _, r := range rows {
		ratio := 0.0
		ref, ratioText := "—", "—"
		if r.ref > 0 {
			ratio = r.figure / r.ref
			ref = fmt.Sprintf("%.0f %s", r.ref, r.refName)
			ratioText = fmt.Sprintf("%.2f", ratio)
		}
		met := "—"
		if r.met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[r.met(ratio, r.figure)]
		}
		line(r.name, fmt.Sprintf("%.1f %s", r.figure, r.unit), ref, ratioText, r.target, met)
		if r.note != "" {
			fmt.Printf("    %s\n", r.note)
		}
	}
}

func atLeast(x float64) func(float64, float64) bool { return func(r, _ float64) bool { return r >= x } }
func atMost(x float64) func(float64, float64) bool  { return func(r, _ float64) bool { return r <= x } }

// describe adds failures and refusals to a note, so a figure is never read
// without knowing how many requests did not succeed.
func describe(r result) string {
	var parts []string
	if r.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed (first: %s)", r.failed, r.firstError))
	}
	if r.limited > 0 {
		parts = append(parts, fmt.Sprintf("%d answered 429", r.limited))
	}
	return strings.Join(parts, "; ")
}

func joinNotes(notes ...string) string {
	return strings.Join(slices.DeleteFunc(notes, func(s string) bool { return s == "" }), "; ")
}
