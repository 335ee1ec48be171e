package storetest

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// Cluster is a private, throw-away PostgreSQL server for tests that stop or
// crash the server: the shared server of COMECOMEPAY_TEST_POSTGRES_URL is
// never restarted, since other test packages run on it at the same time. It
// listens only on a unix socket in its own directory and trusts every local
// connection.
type Cluster struct {
	t      testing.TB
	bin    string // directory of initdb and pg_ctl
	dir    string // socket directory and log
	data   string
	asUser string // the OS user the server runs as ("" = the current one)
}

// NewCluster initialises and starts a cluster, stopped and removed when t
// ends (also when it fails). It skips t when this is not a PostgreSQL run
// (COMECOMEPAY_TEST_POSTGRES_URL unset) or the server binaries are missing.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	if os.Getenv(PostgresURLEnv) == "" {
		t.Skipf("%s is not set: not a PostgreSQL run", PostgresURLEnv)
	}
	bin := serverBinaries()
	if bin == "" {
		t.Skip("PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or PATH")
	}
	dir, err := os.MkdirTemp("", "ccp-pg-")
	if err != nil {
		t.Fatalf("cluster directory: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	c := &Cluster{t: t, bin: bin, dir: dir, data: filepath.Join(dir, "data")}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		c.asUser = "postgres"
		u, err := user.Lookup(c.asUser)
		if err != nil {
			t.Skipf("running as root and there is no %q OS user to run the server as", c.asUser)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("cluster directory: %v", err)
		}
	}
	c.run("initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
	conf := fmt.Sprintf("\nlisten_addresses = ''\nunix_socket_directories = '%s'\nport = 5432\nmax_connections = 60\n", dir)
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatalf("configure cluster: %v", err)
	}
	t.Cleanup(func() { _ = c.pgctl("stop", "-m", "immediate") })
	c.Start()
	return c
}

// URL is the admin URL of the cluster's postgres database.
func (c *Cluster) URL() string {
	q := url.Values{"host": {c.dir}, "port": {"5432"}, "sslmode": {"disable"}}
	return "postgres://postgres@/postgres?" + q.Encode()
}

// Start starts the server and waits until it accepts connections (after
// crash recovery when it was stopped in immediate mode).
func (c *Cluster) Start() {
	c.t.Helper()
	if err := c.pgctl("start", "-l", filepath.Join(c.dir, "server.log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("start cluster: %v\n%s", err, log)
	}
}

// Crash stops the server in immediate mode: every backend is killed without
// a checkpoint, as a power cut would, and the next Start runs crash recovery.
func (c *Cluster) Crash() {
	c.t.Helper()
	if err := c.pgctl("stop", "-m", "immediate"); err != nil {
		c.t.Fatalf("stop cluster: %v", err)
	}
}

func (c *Cluster) pgctl(args ...string) error {
	args = append([]string{"-D", c.data, "-w", "-t", "30"}, args...)
	out, err := c.command("pg_ctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %w: %s", args, err, out)
	}
	return nil
}

func (c *Cluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := c.command(name, args...).CombinedOutput(); err != nil {
		c.t.Fatalf("%s: %v: %s", name, err, out)
	}
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.asUser != "" {
		return exec.Command("runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// serverBinaries finds the directory of initdb and pg_ctl: the newest
// Debian-style /usr/lib/postgresql/<version>/bin, else PATH.
func serverBinaries() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil && isExecutable(filepath.Join(filepath.Dir(p), "initdb")) {
		return filepath.Dir(p)
	}
	return ""
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
