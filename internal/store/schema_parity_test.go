package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// schemaDifferences are the deliberate differences between the two
// engines' migrations, each with its reason. A key is "table", "table.column"
// or "index <signature>" as the test reports them.
var schemaDifferences = map[string]string{}

// ownedElsewhere are tables our migrations do not define: each tool creates
// its own, per engine, in its own shape.
func ownedElsewhere(table string) bool {
	return strings.HasPrefix(table, "river_") || // River's queue (rivermigrate, one schema per driver)
		table == "goose_db_version" || // goose's bookkeeping
		strings.HasPrefix(table, "sqlite_") // SQLite's internal tables (sqlite_sequence)
}

// schema is what the comparison looks at: tables, their columns with a
// loose type and nullability, and indexes by what they index.
type schema struct {
	columns map[string]string // "table.column" → "type null|not null"
	tables  map[string]bool
	// indexes by signature ("table(col,…) unique partial") → index name;
	// names are compared only for indexes a migration names itself.
	indexes map[string]string
}

// TestMigrationsMatchAcrossEngines: the SQLite and PostgreSQL migrations
// are two texts of one schema. They must produce the same tables, columns
// (name, loose type, nullability) and indexes (columns, uniqueness,
// partiality, and the name when a migration gives one), apart from the
// differences listed with a reason in schemaDifferences.
func TestMigrationsMatchAcrossEngines(t *testing.T) {
	t.Parallel()
	t.Run("files", func(t *testing.T) {
		t.Parallel()
		names := func(engine string) []string {
			entries, err := fs.ReadDir(store.MigrationFiles(), "migrations/"+engine)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range entries {
				out = append(out, e.Name())
			}
			return out
		}
		if lite, pg := names("sqlite"), names("postgres"); !slices.Equal(lite, pg) {
			t.Fatalf("migration files differ:\nsqlite   %v\npostgres %v", lite, pg)
		}
	})
	t.Run("schema", func(t *testing.T) {
		t.Parallel()
		lite := sqliteSchema(t, storetest.New(t, store.SQLite).SQL.DB)
		if len(lite.tables) < 20 || len(lite.indexes) == 0 {
			t.Fatalf("sqlite introspection found %d tables, %d indexes", len(lite.tables), len(lite.indexes))
		}
		pg := postgresSchema(t, storetest.New(t, store.Postgres).SQL.DB) // skips without PostgreSQL
		t.Logf("sqlite: %d tables, %d columns, %d indexes; postgres: %d tables, %d columns, %d indexes",
			len(lite.tables), len(lite.columns), len(lite.indexes), len(pg.tables), len(pg.columns), len(pg.indexes))
		var diffs []string
		report := func(key, format string, args ...any) {
			if _, ok := schemaDifferences[key]; !ok {
				diffs = append(diffs, key+": "+fmt.Sprintf(format, args...))
			}
		}
		for _, name := range union(lite.tables, pg.tables) {
			if !lite.tables[name] || !pg.tables[name] {
				report(name, "table only in %s", only(lite.tables[name]))
			}
		}
		for _, col := range union(lite.columns, pg.columns) {
			l, inL := lite.columns[col]
			p, inP := pg.columns[col]
			switch {
			case !inL || !inP:
				if lite.tables[tableOf(col)] && pg.tables[tableOf(col)] {
					report(col, "column only in %s", only(inL))
				}
			case l != p:
				report(col, "sqlite %q, postgres %q", l, p)
			}
		}
		for _, sig := range union(lite.indexes, pg.indexes) {
			l, inL := lite.indexes[sig]
			p, inP := pg.indexes[sig]
			switch {
			case !inL || !inP:
				report("index "+sig, "index only in %s (%s%s)", only(inL), l, p)
			case l != p:
				report("index "+sig, "named %q on sqlite, %q on postgres", l, p)
			}
		}
		slices.Sort(diffs)
		if len(diffs) > 0 {
			t.Fatalf("the engines' schemas differ (fix a migration, or list a deliberate difference with its reason in schemaDifferences):\n%s",
				strings.Join(diffs, "\n"))
		}
	})
}

func only(inSQLite bool) string {
	if inSQLite {
		return "sqlite"
	}
	return "postgres"
}

func tableOf(column string) string { t, _, _ := strings.Cut(column, "."); return t }

func union[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// looseType folds each engine's spelling of a type into one family: the
// migrations write INTEGER/BIGINT, TEXT/VARCHAR and so on for the same data.
func looseType(declared string) string {
	d := strings.ToLower(declared)
	switch {
	case strings.Contains(d, "int") || strings.Contains(d, "serial"):
		return "integer"
	case strings.Contains(d, "char") || strings.Contains(d, "text") || d == "uuid":
		return "text"
	case strings.Contains(d, "bool"):
		return "boolean"
	case strings.Contains(d, "blob") || strings.Contains(d, "bytea"):
		return "bytes"
	case strings.Contains(d, "real") || strings.Contains(d, "double") || strings.Contains(d, "numeric") || strings.Contains(d, "float"):
		return "number"
	case strings.Contains(d, "json"):
		return "json"
	case strings.Contains(d, "time") || strings.Contains(d, "date"):
		return "time"
	}
	return d
}

func nullability(notNull bool) string {
	if notNull {
		return "not null"
	}
	return "null"
}

func indexSignature(table string, columns []string, unique, partial bool) string {
	sig := table + "(" + strings.Join(columns, ",") + ")"
	if unique {
		sig += " unique"
	}
	if partial {
		sig += " partial"
	}
	return sig
}

func sqliteSchema(t *testing.T, db *sql.DB) schema {
	t.Helper()
	ctx := context.Background()
	s := schema{columns: map[string]string{}, tables: map[string]bool{}, indexes: map[string]string{}}
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	for _, table := range tables {
		if ownedElsewhere(table) {
			continue
		}
		s.tables[table] = true
		rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var (
				name, typ   string
				notNull, pk int
			)
			if err := rows.Scan(&name, &typ, &notNull, &pk); err != nil {
				t.Fatal(err)
			}
			// A primary key column is never null, whether or not SQLite's
			// INTEGER PRIMARY KEY spells it out.
			s.columns[table+"."+name] = looseType(typ) + " " + nullability(notNull == 1 || pk > 0)
		}
		closeRows(t, rows)
		type index struct {
			name            string
			unique, partial bool
			origin          string
		}
		var indexes []index
		rows, err = db.QueryContext(ctx, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ix index
			if err := rows.Scan(&ix.name, &ix.unique, &ix.origin, &ix.partial); err != nil {
				t.Fatal(err)
			}
			indexes = append(indexes, ix)
		}
		closeRows(t, rows)
		for _, ix := range indexes {
			if ix.origin == "pk" {
				continue // compared as the columns' nullability; PostgreSQL's _pkey is skipped alike
			}
			cols := queryStrings(t, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix.name)
			name := ""
			if ix.origin == "c" { // CREATE INDEX: a name a migration chose
				name = ix.name
			}
			s.indexes[indexSignature(table, cols, ix.unique, ix.partial)] = name
		}
	}
	return s
}

func postgresSchema(t *testing.T, db *sql.DB) schema {
	t.Helper()
	ctx := context.Background()
	s := schema{columns: map[string]string{}, tables: map[string]bool{}, indexes: map[string]string{}}
	for _, table := range queryStrings(t, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`) {
		if !ownedElsewhere(table) {
			s.tables[table] = true
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, name, typ, nullable string
		if err := rows.Scan(&table, &name, &typ, &nullable); err != nil {
			t.Fatal(err)
		}
		if s.tables[table] {
			s.columns[table+"."+name] = looseType(typ) + " " + nullability(nullable == "NO")
		}
	}
	closeRows(t, rows)
	// pg_indexes gives names and definitions; the catalogue gives the
	// columns in order, uniqueness, partiality and whether a constraint
	// (UNIQUE, PRIMARY KEY) named the index rather than a migration.
	rows, err = db.QueryContext(ctx, `SELECT pi.tablename, pi.indexname, ix.indisunique, ix.indisprimary, ix.indpred IS NOT NULL,
			EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid),
			COALESCE((SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
				JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum), '')
		FROM pg_indexes pi
		JOIN pg_class ic ON ic.relname = pi.indexname
		JOIN pg_namespace n ON n.oid = ic.relnamespace AND n.nspname = pi.schemaname
		JOIN pg_index ix ON ix.indexrelid = ic.oid
		WHERE pi.schemaname = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var (
			table, name, cols                      string
			unique, primary, partial, byConstraint bool
		)
		if err := rows.Scan(&table, &name, &unique, &primary, &partial, &byConstraint, &cols); err != nil {
			t.Fatal(err)
		}
		if !s.tables[table] || primary {
			continue
		}
		if byConstraint {
			name = ""
		}
		s.indexes[indexSignature(table, strings.Split(cols, ","), unique, partial)] = name
	}
	closeRows(t, rows)
	return s
}

func queryStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	closeRows(t, rows)
	return out
}

func closeRows(t *testing.T, rows *sql.Rows) {
	t.Helper()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
}
