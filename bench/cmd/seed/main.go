// Command seed fills a database with production-size data (bench/seed):
//
//	go run ./bench/cmd/seed -db postgres://postgres@127.0.0.1:5432/ccp_seeded?sslmode=disable -scale 1
//
// Scale 1 is 1 M users, 10 M ledger postings, 2 M notifications, 100 k cards
// with 10 trades each. The database is migrated first; data already there stays.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/comecomepay/comecomepay/bench/seed"
)

func main() {
	url := flag.String("db", "", "database URL (postgres://… or a SQLite path)")
	scale := flag.Float64("scale", 1, "fraction of the production size (e.g. 0.01)")
	flag.Parse()
	if *url == "" || *scale <= 0 {
		fmt.Fprintln(os.Stderr, "usage: seed -db URL [-scale 1]")
		os.Exit(2)
	}
	rep, err := seed.Run(context.Background(), *url, seed.FromScale(*scale))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("seeded users %d…%d in %s\n", rep.FirstUserID, rep.LastUserID, rep.Took.Round(100_000_000))
	tables := make([]string, 0, len(rep.Rows))
	for t := range rep.Rows {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	for _, t := range tables {
		fmt.Printf("  %-22s %12d rows\n", t, rep.Rows[t])
	}
}
