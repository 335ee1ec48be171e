package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// perfDir, when set (-perf), receives a whole-machine `perf record` of
// every measurement, so one can see where the time of a figure goes
// (server, PostgreSQL, load generator): perf report -i FILE --sort comm,dso.
var (
	perfDir   string
	perfCount int
)

// profileSystem starts recording a measurement of d at clients and returns
// what stops it; warm-ups (under 3 s) are not recorded.
func profileSystem(clients int, d time.Duration) func() {
	if perfDir == "" || d < 3*time.Second {
		return func() {}
	}
	perfCount++
	file := filepath.Join(perfDir, fmt.Sprintf("%02d-c%d.data", perfCount, clients))
	cmd := exec.Command("perf", "record", "-a", "-g", "-F", "499", "-o", file)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "  perf:", err)
		return func() {}
	}
	fmt.Printf("  perf: recording %s\n", file)
	return func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
	}
}
