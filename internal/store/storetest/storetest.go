// Package storetest gives each test its own migrated database on every engine
// under test: SQLite always, PostgreSQL when COMECOMEPAY_TEST_POSTGRES_URL is
// set. Databases are cloned from a template migrated once per process.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/store"
)

// PostgresURLEnv names the variable holding an admin URL of a PostgreSQL
// server the tests may create databases on.
const PostgresURLEnv = "COMECOMEPAY_TEST_POSTGRES_URL"

// Engines lists the engines the current test run covers.
func Engines() []store.Engine {
	if os.Getenv(PostgresURLEnv) != "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	return []store.Engine{store.SQLite}
}

// EachEngine runs fn as a parallel subtest, named after the engine, on each
// engine of the run.
func EachEngine(t *testing.T, fn func(t *testing.T, engine store.Engine)) {
	t.Helper()
	for _, engine := range Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, engine)
		})
	}
}

// URL returns the URL of a fresh, migrated database of engine, dropped when t
// ends.
func URL(t testing.TB, engine store.Engine) string {
	t.Helper()
	switch engine {
	case store.Postgres:
		return postgresURL(t)
	default:
		return sqliteURL(t)
	}
}

// New opens a fresh, migrated database of engine for t.
func New(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), URL(t, engine))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

var (
	sqliteOnce     sync.Once
	sqliteTemplate string
	sqliteErr      error
)

func sqliteURL(t testing.TB) string {
	t.Helper()
	sqliteOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ccp-sqlite-template-")
		if err != nil {
			sqliteErr = err
			return
		}
		sqliteTemplate = filepath.Join(dir, "template.db")
		sqliteErr = migrateOnce(sqliteTemplate)
		if sqliteErr == nil {
			sqliteErr = checkpoint(sqliteTemplate)
		}
	})
	if sqliteErr != nil {
		t.Fatalf("prepare sqlite template: %v", sqliteErr)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := copyFile(sqliteTemplate, path); err != nil {
		t.Fatalf("copy sqlite template: %v", err)
	}
	return path
}

func migrateOnce(url string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// checkpoint folds the WAL into the main file so that copying the main file
// alone copies the whole database.
func checkpoint(path string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

var (
	pgOnce     sync.Once
	pgTemplate string
	pgErr      error
)

func postgresURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresURLEnv)
	if admin == "" {
		t.Skipf("%s is not set", PostgresURLEnv)
	}
	pgOnce.Do(func() { pgTemplate, pgErr = postgresTemplate(admin) })
	if pgErr != nil {
		t.Fatalf("prepare postgres template: %v", pgErr)
	}
	name := "ccp_test_" + randomHex(8)
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open postgres admin: %v", err)
	}
	defer adminDB.Close()
	if _, err := adminDB.Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, pgTemplate)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDatabase(admin, name)
}

// postgresTemplate creates, once per migration set and under an advisory lock
// (test binaries of several packages run at once), a migrated template
// database and returns its name.
func postgresTemplate(admin string) (string, error) {
	sum, err := migrationsDigest()
	if err != nil {
		return "", err
	}
	name := "ccp_tmpl_" + sum[:16]
	ctx := context.Background()
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer adminDB.Close()
	conn, err := adminDB.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	lockKey := int64(binary.BigEndian.Uint64([]byte(sum[:8])))
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_wip"
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	if err := migrateOnce(withDatabase(admin, building)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func migrationsDigest() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(store.MigrationFiles(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(store.MigrationFiles(), path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
