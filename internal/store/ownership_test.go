package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// tableOwners names the one package (its directory under internal/) that
// reads and writes each table. Another package that needs the data calls
// the owner's exported methods; it never names the table in its SQL.
var tableOwners = map[string]string{
	"users": "account", "sessions": "account", "refresh_tokens": "account",
	"pending_registrations": "account", "pending_changes": "account", "user_overrides": "account",
	"otp_codes":        "otp",
	"rate_counters":    "ratelimit",
	"request_counters": "ratelimit",
	"idempotency_keys": "idempotency",
	"webhook_events":   "webhook",
	"ledger_accounts":  "ledger", "ledger_transactions": "ledger", "ledger_postings": "ledger",
	"wallets": "wallet", "deposit_addresses": "wallet", "deposits": "wallet", "withdrawals": "wallet",
	"transfers": "wallet", "unified_transactions": "wallet", "adjustments": "wallet",
	"deposit_address_claims": "wallet", "custody_reconciliation_runs": "wallet",
	"card_fee_config": "cardfee", "card_fee_payments": "cardfee",
	"kyc_records": "kyc",
	"cards":       "card", "card_tasks": "card", "card_trades": "card", "card_transactions": "card",
	"card_status_changes": "card", "card_secret_audit": "card", "reconciliation_runs": "card",
	"swaps": "swap", "swap_quotes": "swap",
	"physical_orders": "physical", "physical_order_events": "physical", "physical_verify_tokens": "physical",
	"threeds_challenges": "threeds",
	"coupons":            "coupon", "user_coupons": "coupon", "coupon_assign_runs": "coupon",
	"commissions": "referral", "tier_configs": "referral",
	"notifications": "notification", "notification_broadcasts": "notification",
	"push_devices": "notify", "push_deliveries": "notify",
	"announcements": "content", "announcement_reads": "content", "app_versions": "content",
	"site_content": "content", "partner_link": "content",
	"sim_issuer_cards": "providers/issuer/sandbox", "sim_issuer_operations": "providers/issuer/sandbox",
	"sim_issuer_trades": "providers/issuer/sandbox", "sim_issuer_pins": "providers/issuer/sandbox",
	"sim_issuer_physical": "providers/issuer/sandbox", "sim_issuer_3ds_decisions": "providers/issuer/sandbox",
	"sim_issuer_3ds_plans": "providers/issuer/sandbox",
	"sim_fx_rates":         "providers/fx/sandbox",
	"operators":            "operator", "operator_sessions": "operator",
	"audit_log":         "audit",
	"approval_requests": "approval",
	"platform_settings": "settings", "platform_setting_changes": "settings",
	"issuer_poll_cursors": "card/issuerpoll",
}

// borrowedTables are the exceptions to ownership: "package table" → why
// it cannot go through the owner yet. Keep it empty.
var borrowedTables = map[string]string{}

// notOurTables are names the scan finds that no migration of ours creates
// and no package owns: the engines' catalogs.
var notOurTables = map[string]string{
	"pg_database": "PostgreSQL's catalog (storetest clones databases)",
}

// sqlTable finds the table after each keyword that names one. Our SQL
// writes keywords in capitals and tables in lower case, so English text in
// a string ("moved from wallet") does not match.
var sqlTable = regexp.MustCompile(`\b(?:FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE)\s+([a-z_][a-z0-9_]*)`)

// cteName finds the names a WITH clause defines ("WITH moves (a, b) AS (",
// ", locked AS ("): they are the statement's own, not tables.
var cteName = regexp.MustCompile(`(?:\bWITH(?:\s+RECURSIVE)?|,)\s*([a-z_][a-z0-9_]*)\s*(?:\([a-z0-9_, ]*\)\s*)?AS\s*\(`)

// ctesIn returns the names the WITH clauses of sql define.
func ctesIn(sql string) map[string]bool {
	ctes := map[string]bool{}
	for _, m := range cteName.FindAllStringSubmatch(sql, -1) {
		ctes[m[1]] = true
	}
	return ctes
}

// tablesIn returns the tables SQL text names, in order of appearance,
// leaving out the names its WITH clauses define and those of also (a
// statement built from several literals defines them in an earlier one).
func tablesIn(sql string, also ...map[string]bool) []string {
	ctes := ctesIn(sql)
	for _, more := range also {
		for name := range more {
			ctes[name] = true
		}
	}
	var out []string
	for _, m := range sqlTable.FindAllStringSubmatch(sql, -1) {
		if !ctes[m[1]] {
			out = append(out, m[1])
		}
	}
	return out
}

func TestTablesIn(t *testing.T) {
	t.Parallel()
	for sql, want := range map[string][]string{
		`SELECT s.user_id, u.status FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`:      {"sessions", "users"},
		"INSERT INTO otp_codes (purpose) VALUES ($1)":                                                      {"otp_codes"},
		"DELETE FROM rate_counters WHERE window_start < $1":                                                {"rate_counters"},
		"UPDATE\n\t\tcards SET status = $1":                                                                {"cards"},
		`SELECT id FROM ledger_accounts WHERE id = $1 FOR NO KEY UPDATE`:                                   {"ledger_accounts"},
		`INSERT INTO users(email) VALUES ($1) ON CONFLICT (email) DO UPDATE SET email = excluded.email`:    {"users"},
		`SELECT COUNT(*) FROM (SELECT id FROM wallets LEFT JOIN deposits d ON d.wallet_id = wallets.id) r`: {"wallets", "deposits"},
		"the amount moved from wallet to card":                                                             nil,
		`WITH moves (account_id, delta) AS (VALUES ($1, $2)), locked (id) AS (SELECT id FROM ledger_accounts)
			UPDATE ledger_accounts SET balance = balance + moves.delta FROM moves, locked`: {"ledger_accounts", "ledger_accounts"},
		"PRAGMA wal_checkpoint(TRUNCATE)": nil,
	} {
		if got := tablesIn(sql); !slices.Equal(got, want) {
			t.Errorf("tablesIn(%q) = %q, want %q", sql, got, want)
		}
	}
}

// TestEachTableHasOneOwner: every table the migrations create has an owner
// in tableOwners, and no package's SQL (string literals of its non-test Go
// files) names a table it does not own, apart from borrowedTables.
func TestEachTableHasOneOwner(t *testing.T) {
	t.Parallel()
	migrated := sqliteSchema(t, storetest.New(t, store.SQLite).SQL.DB).tables
	for table := range migrated {
		if _, ok := tableOwners[table]; !ok && !ownedElsewhere(table) {
			t.Errorf("table %s has no owner: add it to tableOwners", table)
		}
	}
	for table := range tableOwners {
		if !migrated[table] {
			t.Errorf("tableOwners names %s, which no migration creates", table)
		}
	}

	uses := sqlTablesByPackage(t, "..")
	for _, owner := range tableOwners {
		if _, ok := uses[owner]; !ok {
			t.Errorf("owner %s: no SQL found in internal/%s", owner, owner)
		}
	}
	for pkg, tables := range uses {
		for table, where := range tables {
			owner, owned := tableOwners[table]
			switch {
			case owned && owner == pkg, ownedElsewhere(table):
			case !owned && notOurTables[table] != "":
			case !owned:
				t.Errorf("%s: %s is no migrated table (a typo, or a keyword the scan mistook?)", where, table)
			case borrowedTables[pkg+" "+table] != "":
			default:
				t.Errorf("%s: package %s uses table %s, which %s owns: call %s instead", where, pkg, table, owner, owner)
			}
		}
	}
	for key := range borrowedTables {
		pkg, table, _ := strings.Cut(key, " ")
		if _, ok := uses[pkg][table]; !ok {
			t.Errorf("borrowedTables lists %q, which is no longer used: remove it", key)
		}
	}
}

// sqlTablesByPackage scans the non-test Go files under root and returns,
// per package directory (relative to root), the tables its string literals
// name and the first place each is named.
func sqlTablesByPackage(t *testing.T, root string) map[string]map[string]string {
	t.Helper()
	uses := map[string]map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg = filepath.ToSlash(pkg)
		var lits []*ast.BasicLit
		var texts []string
		fileCTEs := map[string]bool{}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			text, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Errorf("%s: %v", fset.Position(lit.Pos()), err)
				return true
			}
			lits, texts = append(lits, lit), append(texts, text)
			for name := range ctesIn(text) {
				fileCTEs[name] = true
			}
			return true
		})
		for i, lit := range lits {
			for _, table := range tablesIn(texts[i], fileCTEs) {
				if uses[pkg] == nil {
					uses[pkg] = map[string]string{}
				}
				if _, seen := uses[pkg][table]; !seen {
					uses[pkg][table] = fset.Position(lit.Pos()).String()
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return uses
}
