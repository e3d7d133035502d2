package runner

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestExitCodesPassThrough(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want int
	}{
		{[]string{"sh", "-c", "exit 0"}, 0},
		{[]string{"sh", "-c", "exit 7"}, 7},
		{[]string{"sh", "-c", "kill -KILL $$"}, 128 + 9},
	} {
		code, err := Run(context.Background(), Spec{Argv: c.argv, Env: os.Environ(), Stdout: io.Discard, Stderr: io.Discard})
		if err != nil || code != c.want {
			t.Errorf("%v: code %d err %v, want %d", c.argv, code, err, c.want)
		}
	}
	code, err := Run(context.Background(), Spec{Argv: []string{"no-such-command-swiftclaw"}})
	if code != ExitNotFound || errs.KindOf(err) != errs.Input {
		t.Fatalf("missing command: code %d err %v", code, err)
	}
}

func TestEnvironmentIsExactlyWhatWasGiven(t *testing.T) {
	var out bytes.Buffer
	env := MergeEnv([]string{"PATH=" + os.Getenv("PATH"), "KEEP=1", "SWIFTCLAW_AGE_KEY=secret", "OVERRIDE=old"},
		map[string]string{"OVERRIDE": "new", "ADDED": "a b\nc"}, "SWIFTCLAW_AGE_KEY")
	code, err := Run(context.Background(), Spec{Argv: []string{"sh", "-c", `printf '%s|%s|%s|%s' "$KEEP" "$OVERRIDE" "$ADDED" "${SWIFTCLAW_AGE_KEY-unset}"`}, Env: env, Stdout: &out})
	if err != nil || code != 0 {
		t.Fatal(code, err)
	}
	if got := out.String(); got != "1|new|a b\nc|unset" {
		t.Fatalf("child saw %q", got)
	}
}

// TestSignalsAreForwarded sends SIGTERM to this process while the child runs: Run must
// pass it on, and report the child's own exit status.
func TestSignalsAreForwarded(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() {
		code, _ := Run(context.Background(), Spec{
			Argv:   []string{"sh", "-c", `trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 1 & wait $!; done`},
			Env:    os.Environ(),
			Stdout: pw,
		})
		pw.Close()
		done <- code
	}()
	r := bufio.NewReader(pr)
	line, err := r.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("child did not start: %q %v", line, err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	if code := <-done; code != 42 {
		t.Fatalf("exit code %d, want the child's 42", code)
	}
	if !strings.Contains(string(rest), "got-term") {
		t.Fatalf("child did not receive SIGTERM; output %q", rest)
	}
}

// TestExtraFilesInherited: the child gets ExtraFiles as descriptor 3, and Run closes this
// process's copy, so the reader sees end-of-file once the child is done.
func TestExtraFilesInherited(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	code, err := Run(context.Background(), Spec{Argv: []string{"sh", "-c", "echo via-fd-3 >&3"}, Env: os.Environ(), ExtraFiles: []*os.File{w}, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil || code != 0 {
		t.Fatalf("code %d err %v", code, err)
	}
	got, err := io.ReadAll(r) // would block forever if Run had kept w open
	if err != nil || string(got) != "via-fd-3\n" {
		t.Fatalf("read %q, %v", got, err)
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("Run left the extra file open")
	}
}
