package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestAppendWritesChainedEntriesToDefaultPath(t *testing.T) {
	state := t.TempDir()
	var stdout, stderr bytes.Buffer
	l := newTestLogger(t, Config{Stdout: true, Stderr: true}, Options{
		Getenv: envMap(map[string]string{"XDG_STATE_HOME": state}),
		Stdout: &stdout, Stderr: &stderr,
	})
	want := filepath.Join(state, "swiftclaw", "audit", "repo-0123456789ab.jsonl")
	if l.Path() != want {
		t.Fatalf("Path = %s, want %s", l.Path(), want)
	}
	e := readEntry(0)
	e.Command = []string{"swiftclaw", "secrets", "set", "my-agent", "api-key", "--value", "sk-abc123"}
	e.Action = ActionSet
	first := mustAppend(t, l, e)
	second := mustAppend(t, l, readEntry(1))
	if first.Seq != 1 || second.Seq != 2 || second.Prev != first.Hash {
		t.Fatalf("entries not chained: %+v %+v", first, second)
	}
	if !first.Time.Equal(t0) || first.Host != "test-host" {
		t.Fatalf("time/host not filled: %v %q", first.Time, first.Host)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "sk-abc123") {
		t.Fatal("the audit log contains a secret value")
	}
	if !strings.Contains(string(data), `"--value","[REDACTED]"`) {
		t.Fatalf("command not redacted: %s", data)
	}
	// The stream sinks carry the same lines as the file.
	if stdout.String() != string(data) || stderr.String() != string(data) {
		t.Fatalf("stdout/stderr differ from the file:\nfile   %s\nstdout %s", data, stdout.String())
	}
	fi, _ := os.Stat(want)
	di, _ := os.Stat(filepath.Dir(want))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("modes file %v dir %v, want 0600 and 0700", fi.Mode().Perm(), di.Mode().Perm())
	}
	if rep := verifyFile(t, want); rep.Entries != 2 {
		t.Fatalf("Verify: %+v", rep)
	}
}

func TestAppendContinuesChainOfAnotherWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := Config{File: FileConfig{Path: path, Sync: SyncBatch, SyncEvery: 3}}
	a := newTestLogger(t, cfg, Options{})
	b := newTestLogger(t, cfg, Options{Now: stepClock(t0.Add(time.Hour), time.Second)})
	for i := range 10 {
		l := a
		if i%3 == 1 {
			l = b
		}
		if got := mustAppend(t, l, readEntry(i)); got.Seq != uint64(i+1) {
			t.Fatalf("entry %d got seq %d", i, got.Seq)
		}
	}
	if _, err := a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep := verifyFile(t, path); rep.Entries != 10 {
		t.Fatalf("Verify: %+v", rep)
	}
}

func TestAppendSealsTornTailAndVerifyReportsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	log := buildLog(t, 3)
	torn := append(log, []byte(`{"seq":4,"time":"2024-03-08T09:00:0`)...)
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	l := newTestLogger(t, Config{File: FileConfig{Path: path}}, Options{})
	got := mustAppend(t, l, readEntry(3))
	if got.Seq != 4 {
		t.Fatalf("new entry seq %d, want 4 (chained to the last whole entry)", got.Seq)
	}
	f, _ := os.Open(path)
	defer f.Close()
	rep, err := Verify(f)
	if err == nil || rep.BadLine != 4 || rep.Problem != Malformed {
		t.Fatalf("Verify: %+v %v, want the torn line 4 reported", rep, err)
	}
}

func TestFailClosedRefusesWhenTheFileCannotBeWritten(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cfg := Config{FailClosed: true, Stderr: true, File: FileConfig{Path: filepath.Join(blocker, "audit.jsonl")}}
	l := newTestLogger(t, cfg, Options{Stderr: &stderr})
	_, w, err := l.Append(context.Background(), readEntry(0))
	if err == nil || w != nil {
		t.Fatalf("Append = warning %v, err %v; want an error", w, err)
	}
	if !errs.Is(err, errs.Permission) || !strings.Contains(err.Error(), "fail_closed") || errs.HintOf(err) == "" {
		t.Fatalf("error = %v (kind %v, hint %q)", err, errs.KindOf(err), errs.HintOf(err))
	}

	cfg.FailClosed = false
	stderr.Reset()
	l = newTestLogger(t, cfg, Options{Stderr: &stderr})
	e, w, err := l.Append(context.Background(), readEntry(0))
	if err != nil || w == nil {
		t.Fatalf("fail-open Append = warning %v, err %v; want a warning", w, err)
	}
	if !strings.Contains(w.String(), "not-a-dir") || !strings.Contains(w.String(), "fail_closed is false") {
		t.Fatalf("warning = %s", w)
	}
	// The other sinks still get the (unchained) entry.
	if e.Seq != 0 || !strings.Contains(stderr.String(), `"principal":"user@example.com"`) {
		t.Fatalf("stderr sink did not get the entry: %q (seq %d)", stderr.String(), e.Seq)
	}
}

func TestOpenRefusesLogInsideRepository(t *testing.T) {
	repo := t.TempDir()
	_, err := Open(Config{File: FileConfig{Path: filepath.Join(repo, ".swiftclaw", "audit.jsonl")}},
		Options{RepoRoot: repo, RepoID: "r"})
	if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), "inside the repository") {
		t.Fatalf("err = %v", err)
	}
	// The default path lives in the state dir even when that is under the repo's parent.
	state := t.TempDir()
	l, err := Open(Config{}, Options{RepoRoot: repo, RepoID: "r", Getenv: envMap(map[string]string{"HOME": state})})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(state, ".local", "state", "swiftclaw", "audit", "r.jsonl"); l.Path() != want {
		t.Fatalf("Path = %s, want %s", l.Path(), want)
	}
}

// Several OS processes append to one log at once; the chain must stay whole.
const helperEnv = "SWIFTCLAW_AUDIT_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "append" {
		os.Exit(helperAppend())
	}
	os.Exit(m.Run())
}

func helperAppend() int {
	n, _ := strconv.Atoi(os.Getenv("HELPER_N"))
	id := os.Getenv("HELPER_ID")
	cfg := Config{File: FileConfig{Path: os.Getenv("HELPER_LOG")}}
	if os.Getenv("HELPER_BATCH") != "" {
		cfg.File.Sync, cfg.File.SyncEvery = SyncBatch, 8
	}
	// Wait for the parent to close stdin, so all helpers start appending together.
	_, _ = io.Copy(io.Discard, os.Stdin)
	l, err := Open(cfg, Options{Host: "proc-" + id})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := range n {
		e := readEntry(i)
		e.Principal = "proc-" + id
		if _, w, err := l.Append(context.Background(), e); err != nil || w != nil {
			fmt.Fprintln(os.Stderr, w, err)
			return 1
		}
	}
	if _, err := l.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestConcurrentProcessesKeepChainValid(t *testing.T) {
	for _, mode := range []string{"entry", "batch"} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			const procs, each = 4, 60
			cmds := make([]*exec.Cmd, procs)
			outs := make([]*bytes.Buffer, procs)
			gates := make([]io.WriteCloser, procs)
			for p := range procs {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), helperEnv+"=append", "HELPER_LOG="+path,
					"HELPER_N="+strconv.Itoa(each), "HELPER_ID="+strconv.Itoa(p))
				if mode == "batch" {
					cmd.Env = append(cmd.Env, "HELPER_BATCH=1")
				}
				outs[p] = &bytes.Buffer{}
				cmd.Stdout, cmd.Stderr = outs[p], outs[p]
				gate, err := cmd.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds[p], gates[p] = cmd, gate
			}
			for _, g := range gates {
				g.Close()
			}
			for p, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Fatalf("helper %d: %v\n%s", p, err, outs[p])
				}
			}
			rep := verifyFile(t, path)
			if rep.Entries != procs*each || rep.LastSeq != procs*each {
				t.Fatalf("Verify: %+v, want %d entries", rep, procs*each)
			}
			data, _ := os.ReadFile(path)
			per := map[string]int{}
			switches, last := 0, ""
			for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
				var e Entry
				if err := json.Unmarshal(line, &e); err != nil {
					t.Fatal(err)
				}
				per[e.Principal]++
				if e.Principal != last {
					switches, last = switches+1, e.Principal
				}
			}
			t.Logf("writers interleaved: %d switches between processes", switches)
			want := map[string]int{}
			for p := range procs {
				want["proc-"+strconv.Itoa(p)] = each
			}
			if diff := cmp.Diff(want, per); diff != "" {
				t.Fatalf("entries per process (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConcurrentGoroutinesShareOneLogger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := newTestLogger(t, Config{File: FileConfig{Path: path, Sync: SyncBatch}}, Options{})
	done := make(chan error)
	for g := range 4 {
		go func() {
			for i := range 25 {
				if _, _, err := l.Append(context.Background(), readEntry(g*25+i)); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if rep := verifyFile(t, path); rep.Entries != 100 {
		t.Fatalf("Verify: %+v", rep)
	}
}
