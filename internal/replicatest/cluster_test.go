// Package replicatest runs several `comecomepay serve` processes on one
// PostgreSQL database and checks that they stay correct together while
// replicas die and restart: the property DESIGN.md promises for scaling out.
package replicatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a replica's output, written by the process while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// buildBinary builds cmd/comecomepay once for the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	bin := filepath.Join(t.TempDir(), "comecomepay")
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/comecomepay/comecomepay/cmd/comecomepay")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build comecomepay: %v\n%s", err, out)
	}
	return bin
}

// replica is one `serve` process; its address survives a restart.
type replica struct {
	addr string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

// cluster is the replicas of one database and the clients' view of them.
type cluster struct {
	t        *testing.T
	bin      string
	env      []string
	replicas []*replica
	next     atomic.Uint64 // round-robin cursor of the clients
	client   *http.Client
}

func newCluster(t *testing.T, bin, dbURL string, n int) *cluster {
	dataDir := t.TempDir()
	c := &cluster{t: t, bin: bin, client: &http.Client{Timeout: 15 * time.Second}}
	c.env = append(os.Environ(),
		"COMECOMEPAY_MODE=sandbox",
		"COMECOMEPAY_DATABASE_URL="+dbURL,
		// One data dir: the replicas share the sandbox secrets (JWT key, data
		// key, webhook secrets) the first one generates.
		"COMECOMEPAY_DATA_DIR="+dataDir,
		"COMECOMEPAY_PASSWORD_HASH=fast",
		"COMECOMEPAY_RATE_LIMIT_PER_IP=0",
		"COMECOMEPAY_RATE_LIMIT_PER_USER=0",
		"COMECOMEPAY_SANDBOX_ISSUE_DELAY=0",
		"COMECOMEPAY_JOB_POLL_INTERVAL=100ms",
		"COMECOMEPAY_SHUTDOWN_TIMEOUT=10s",
		"COMECOMEPAY_LOG_LEVEL=warn",
	)
	for range n {
		c.replicas = append(c.replicas, &replica{addr: freeAddr(t)})
	}
	for i := range c.replicas {
		c.start(i) // one after the other: the first writes the shared secrets
	}
	t.Cleanup(func() {
		for _, r := range c.replicas {
			if r.cmd != nil && r.cmd.ProcessState == nil {
				_ = r.cmd.Process.Kill()
				<-r.done
			}
		}
	})
	return c
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs replica i and waits until it answers /readyz.
func (c *cluster) start(i int) {
	c.t.Helper()
	r := c.replicas[i]
	r.out = &lockedBuffer{}
	r.cmd = exec.Command(c.bin, "serve")
	r.cmd.Env = append(c.env, "COMECOMEPAY_HTTP_ADDR="+r.addr)
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		c.t.Fatalf("start replica %d: %v", i, err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(r.cmd, r.done)
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := c.client.Get("http://" + r.addr + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-r.done:
			c.t.Fatalf("replica %d exited before serving:\n%s", i, r.out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("replica %d not ready within 30 s:\n%s", i, r.out)
		}
	}
}

// kill ends replica i at once, as a crash or an OOM kill would.
func (c *cluster) kill(i int) {
	r := c.replicas[i]
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		c.t.Errorf("kill replica %d: %v", i, err)
	}
	<-r.done
}

// restart stops replica i gracefully (SIGTERM) and starts it again.
func (c *cluster) restart(i int) {
	r := c.replicas[i]
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Errorf("stop replica %d: %v", i, err)
	}
	select {
	case <-r.done:
	case <-time.After(20 * time.Second):
		c.t.Errorf("replica %d did not stop within 20 s of SIGTERM:\n%s", i, r.out)
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	if code := r.cmd.ProcessState.ExitCode(); code != 0 {
		c.t.Errorf("replica %d exited %d after SIGTERM, want 0:\n%s", i, code, r.out)
	}
	c.start(i)
}

// request is one API call; Key makes it safe to send again.
type request struct {
	Method, Path, Token, Key string
	Body                     any
}

// answer is the definite answer to a request.
type answer struct {
	Status   int
	Body     []byte
	Replayed bool
	Attempts int
	Took     time.Duration
	Failures []string // what each attempt that was not definite met
}

// definite reports whether a response settles the request: anything but a
// server error, a refused or cut connection, or "still executing".
func definite(status int, body []byte) bool {
	return status < 500 && !(status == http.StatusConflict && bytes.Contains(body, []byte("IDEMPOTENCY_IN_PROGRESS")))
}

// do sends req to the replicas round-robin until one gives a definite
// answer, as a mobile client retrying with its Idempotency-Key does.
func (c *cluster) do(ctx context.Context, req request) (answer, error) {
	start := time.Now()
	var raw []byte
	if req.Body != nil {
		raw, _ = json.Marshal(req.Body)
	}
	var failures []string
	for attempt := 1; ; attempt++ {
		r := c.replicas[c.next.Add(1)%uint64(len(c.replicas))]
		status, body, replayed, err := c.once(ctx, r.addr, req, raw)
		if err == nil && definite(status, body) {
			return answer{Status: status, Body: body, Replayed: replayed, Attempts: attempt, Took: time.Since(start), Failures: failures}, nil
		}
		if err != nil {
			failures = append(failures, "network: "+err.Error())
		} else {
			failures = append(failures, fmt.Sprintf("%d %s", status, bytes.TrimSpace(body)))
		}
		if time.Since(start) > time.Minute {
			return answer{}, fmt.Errorf("%s %s (key %s): no definite answer within a minute: %v", req.Method, req.Path, req.Key, failures)
		}
		select {
		case <-ctx.Done():
			return answer{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *cluster) once(ctx context.Context, addr string, req request, raw []byte) (int, []byte, bool, error) {
	hr, err := http.NewRequestWithContext(ctx, req.Method, "http://"+addr+req.Path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, false, err
	}
	if raw != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	if req.Key != "" {
		hr.Header.Set("Idempotency-Key", req.Key)
	}
	res, err := c.client.Do(hr)
	if err != nil {
		return 0, nil, false, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, false, err
	}
	return res.StatusCode, body, res.Header.Get("Idempotent-Replayed") == "true", nil
}

// must sends a setup request and decodes its 200 answer into out.
func (c *cluster) must(ctx context.Context, req request, out any) {
	c.t.Helper()
	a, err := c.do(ctx, req)
	if err != nil {
		c.t.Fatal(err)
	}
	if a.Status != http.StatusOK {
		c.t.Fatalf("%s %s = %d %s", req.Method, req.Path, a.Status, a.Body)
	}
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(a.Body))
		dec.UseNumber()
		if err := dec.Decode(out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", req.Method, req.Path, a.Body, err)
		}
	}
}

// run runs the comecomepay binary with args on the cluster's database.
func (c *cluster) run(args ...string) (string, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		err = fmt.Errorf("exit %d", exit.ExitCode())
	}
	return strings.TrimSpace(string(out)), err
}
