// Command auditbench measures the audit log at scale: it generates a log of N entries,
// then runs one operation on it (query as `audit secrets` would, or verify) and prints
// wall time, CPU time and the process's peak RSS (VmHWM from /proc/self/status). Each
// operation runs in its own process so the peak RSS is that operation's alone. See
// bench/audit.sh.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/swiftclaw/swiftclaw/audit"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: auditbench gen|table|json|verify [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	logPath := fs.String("log", "", "audit log path")
	n := fs.Int("n", 1_000_000, "entries to generate")
	agent := fs.String("agent", "agent-0", "agent filter")
	secret := fs.String("secret", "", "secret filter")
	fs.Parse(os.Args[2:])
	start := time.Now()
	var detail string
	var err error
	switch os.Args[1] {
	case "gen":
		detail, err = gen(*logPath, *n)
	case "table", "json":
		detail, err = query(os.Args[1], *logPath, *agent, *secret)
	case "verify":
		detail, err = verify(*logPath)
	default:
		err = fmt.Errorf("unknown operation %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "auditbench:", err)
		os.Exit(1)
	}
	wall := time.Since(start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("%-7s wall %7.2fs  cpu %7.2fs  peak RSS %s  %s\n", os.Args[1], wall.Seconds(), cpu.Seconds(), vmHWM(), detail)
}

// gen writes n chained entries: 10 agents, 20 secrets, 50 principals, one entry per
// second, 80% reads. It uses audit.Chain directly (no flock/fsync per entry) because
// append throughput is measured by the Go benchmarks.
func gen(path string, n int) (string, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	actions := []audit.Action{audit.ActionRead, audit.ActionRead, audit.ActionRead, audit.ActionRun, audit.ActionSet}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var c audit.Chain
	for i := range n {
		e := audit.Entry{
			Time:      t0.Add(time.Duration(i) * time.Second),
			Principal: fmt.Sprintf("user%d@example.com", i%50),
			Action:    actions[i%len(actions)],
			Agent:     fmt.Sprintf("agent-%d", i%10),
			Secret:    fmt.Sprintf("secret-%d", i%20),
			Version:   1 + i%5,
			Host:      "ci-runner-3",
			Command:   []string{"swiftclaw", "secrets", "get", fmt.Sprintf("agent-%d", i%10), fmt.Sprintf("secret-%d", i%20)},
		}
		_, line, err := c.Seal(e)
		if err != nil {
			return "", err
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d entries, %.1f MB", n, float64(fi.Size())/1e6), nil
}

func query(format, path, agent, secret string) (string, error) {
	lf, err := audit.OpenLog(path)
	if err != nil {
		return "", err
	}
	defer lf.Close()
	q := &audit.Query{Log: lf, Size: lf.Size(), Filter: audit.Filter{Agent: agent, Secret: secret}}
	var st audit.Stats
	if format == "json" {
		st, err = audit.WriteJSON(io.Discard, q)
	} else {
		st, err = audit.WriteTable(io.Discard, q, audit.TableOptions{})
	}
	desc := "agent=" + agent
	if secret != "" {
		desc += " secret=" + secret
	}
	return fmt.Sprintf("%s: %d rows over %.1f MB", desc, st.Rows, float64(lf.Size())/1e6), err
}

func verify(path string) (string, error) {
	lf, err := audit.OpenLog(path)
	if err != nil {
		return "", err
	}
	defer lf.Close()
	start := time.Now()
	rep, err := audit.Verify(lf.Reader())
	if err != nil {
		return "", err
	}
	secs := time.Since(start).Seconds()
	return fmt.Sprintf("%d entries, %.1f MB/s", rep.Entries, float64(rep.Bytes)/1e6/secs), nil
}

// vmHWM returns the peak resident set size the kernel recorded for this process.
func vmHWM() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "n/a"
}
