package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// jwtSecret is given to every server the suite starts, so that the suite
// can sign access tokens for the sessions the seeder created.
const jwtSecret = "bench-suite-jwt-secret-0123456789abcdef"

// dataKey is given to every server too, so that the suite can store each
// seeded user's transaction password in the server's keyed form.
var dataKey = []byte("bench-suite-data-key-0123456789a") // 32 bytes

// server is one comecomepay process the suite started.
type server struct {
	cmd  *exec.Cmd
	base string
	dir  string
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer runs the binary in sandbox mode on dbURL with the default
// configuration plus env (the suite's declared overrides).
func startServer(ctx context.Context, bin, dbURL string, env map[string]string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ccp-bench-server-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "COMECOMEPAY_MODE=sandbox", "COMECOMEPAY_DATA_DIR="+dir, "COMECOMEPAY_HTTP_ADDR="+addr,
		"COMECOMEPAY_LOG_LEVEL=warn", "COMECOMEPAY_LOG_FORMAT=json", "COMECOMEPAY_DATABASE_URL="+dbURL, "COMECOMEPAY_JWT_SECRET="+jwtSecret,
		"COMECOMEPAY_DATA_KEY="+base64.StdEncoding.EncodeToString(dataKey))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, dir: dir}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	s.stop()
	return nil, fmt.Errorf("server on %s not ready in 60 s (log: %s/server.log)", dbURL, dir)
}

// stop ends the server with SIGTERM (a graceful shutdown) and waits.
func (s *server) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	_ = os.RemoveAll(s.dir)
}

// memory reads the resident set size and its peak (KiB) from /proc.
func (s *server) memory() (rssKiB, hwmKiB int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rssKiB = n
		case "VmHWM:":
			hwmKiB = n
		}
	}
	return rssKiB, hwmKiB, sc.Err()
}

// goroutines reads go_goroutines from the server's /metrics.
func (s *server) goroutines() (int, error) {
	res, err := http.Get(s.base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("no go_goroutines in /metrics (status %d)", res.StatusCode)
}
