// Command historygen writes, as a git fast-import stream on stdout, the repository
// bench/history.sh measures: 5,000 linear commits over 1,000 code-like files and 200
// real swiftclaw secrets (8 agents a..h, 25 each, written with the vault library and a
// throwaway age key), where .swiftclaw/agents/a/secrets/api-key.yaml is created in
// commit 50 and given a new value in every commit c with c%100 == 50 (50 versions).
// Other commits change 1-3 other files, other agents' secrets included. It ports the
// layout of the shared baseline-logwalk.sh, with real secret files instead of
// sops-looking text. Deterministic except for the ciphertexts (age is randomized).
//
// Usage: historygen SEED WORKDIR KEYFILE > stream
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/vault"
)

const (
	nCommits = 5000
	nBase    = 1000
)

func main() {
	seed := must(strconv.ParseUint(os.Args[1], 10, 64))
	work, keyFile := os.Args[2], os.Args[3]
	g := newGen(seed)
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()

	now := time.Unix(1704067200, 0).UTC()
	clock := func() time.Time { return now }
	opts := vault.Options{Dir: work, NoCommit: true, Identity: vault.IdentityOptions{File: keyFile}, Now: clock}
	store, _, err := vault.Init(context.Background(), opts, vault.InitOptions{Owner: "bench@example.invalid"})
	check(err)
	setSecret := func(agent, name string) string {
		v := make([]byte, 24)
		_, err := rand.Read(v)
		check(err)
		_, err = store.SetSecret(context.Background(), agent, name, []byte("sk-"+base64.RawURLEncoding.EncodeToString(v)), vault.SetOptions{})
		check(err)
		return fmt.Sprintf(".swiftclaw/agents/%s/secrets/%s.yaml", agent, name)
	}

	var paths []string // files other commits may touch
	files := map[string][]string{}
	for i := 0; i < nBase; i++ {
		lang, ext := "go", ".go"
		if g.n(10) < 3 {
			lang, ext = "py", ".py"
		}
		p := fmt.Sprintf("src/%s%02d/%s_%04d%s", g.w(), i%40, g.snake(), i, ext)
		paths = append(paths, p)
		files[p] = g.source(lang, "p"+strconv.Itoa(i%40), 1200+g.n(600))
	}
	var swift []string // swiftclaw files of the first commit
	for _, a := range "abcdefgh" {
		for j := 0; j < 25; j++ {
			name := fmt.Sprintf("s%02d", j)
			if a == 'a' && j == 0 {
				continue // the target, api-key, arrives in commit 50
			}
			p := setSecret(string(a), name)
			paths = append(paths, p)
			swift = append(swift, p)
		}
		swift = append(swift, fmt.Sprintf(".swiftclaw/agents/%c/agent.yaml", a))
	}
	swift = append(swift, ".swiftclaw/config.yaml", ".swiftclaw/recipients.yaml", ".swiftclaw/policy.yaml", ".swiftclaw/.gitignore")
	read := func(p string) []byte { return must(os.ReadFile(filepath.Join(work, p))) }

	for c := 1; c <= nCommits; c++ {
		now = time.Unix(int64(1704067200+c*1800), 0).UTC()
		var touched []string
		msg := fmt.Sprintf("%s: %s", g.w(), g.phrase(4))
		if c == 1 {
			touched, msg = append(slices.Clone(paths[:nBase]), swift...), "initial import"
		} else {
			for k := 1 + g.n(3); len(touched) < k; {
				if p := paths[g.n(len(paths))]; !slices.Contains(touched, p) {
					touched = append(touched, p)
				}
			}
			for _, p := range touched {
				if strings.HasPrefix(p, ".swiftclaw/") {
					parts := strings.Split(p, "/")
					setSecret(parts[2], strings.TrimSuffix(parts[4], ".yaml"))
					continue
				}
				lines := files[p]
				for k := 1 + g.n(4); k > 0; k-- {
					lang := "go"
					if strings.HasSuffix(p, ".py") {
						lang = "py"
					}
					lines[min(len(lines)-1, 3+g.n(len(lines)-3))] = g.stmt(lang, "\t")
				}
				files[p] = strings.Split(strings.Join(lines, "\n"), "\n")
			}
			if c%100 == 50 {
				touched = append(touched, setSecret("a", "api-key"))
				msg = "secrets(a): " + g.phrase(3)
			}
		}
		ts := now.Unix()
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\nauthor bench <bench@example.invalid> %d +0000\ncommitter bench <bench@example.invalid> %d +0000\ndata %d\n%s\n", c, ts, ts, len(msg), msg)
		if c > 1 {
			fmt.Fprintf(w, "from :%d\n", c-1)
		}
		for _, p := range touched {
			var b []byte
			if strings.HasPrefix(p, ".swiftclaw/") {
				b = read(p)
			} else {
				b = join(files[p])
			}
			fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", p, len(b), b)
		}
	}
}

func must[T any](v T, err error) T { check(err); return v }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "historygen:", err)
		os.Exit(1)
	}
}
