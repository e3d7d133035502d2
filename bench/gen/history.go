package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// gen history SEED > fast-import stream: commit 1 adds 300 code-like files (~1.5 KiB); commits 2..2000 each
// modify 1-3 of them (replace 1-4 lines). 5 fake secrets are added at commits 300/700/1100/1500/1900
// and removed again 40 commits later.
// nCommits defaults to the baseline's 2,000; HISTORY_COMMITS changes it for quicker runs.
var nCommits = envInt("HISTORY_COMMITS", 2000)

const nBase = 300

func historyMain(args []string) {
	seed := must(strconv.ParseUint(args[0], 10, 64))
	g := newGen(seed)
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	var paths []string
	files := map[string][]string{}
	for i := 0; i < nBase; i++ {
		lang, ext := "go", ".go"
		if g.n(10) < 3 {
			lang, ext = "py", ".py"
		}
		p := fmt.Sprintf("src/%s%02d/%s_%03d%s", g.w(), i%20, g.snake(), i, ext)
		paths = append(paths, p)
		files[p] = g.source(lang, "p"+strconv.Itoa(i%20), 1200+g.n(600))
	}
	secrets := map[string]bool{}
	type plant struct{ path, line string }
	planted := map[int]plant{}
	kinds := 0
	for c := 1; c <= nCommits; c++ {
		var touched []string
		msg := fmt.Sprintf("%s: %s", g.w(), g.phrase(4))
		if c == 1 {
			touched, msg = paths, "initial import"
		} else {
			for k := 1 + g.n(3); len(touched) < k; {
				if p := paths[g.n(len(paths))]; !slices.Contains(touched, p) {
					touched = append(touched, p)
				}
			}
			for _, p := range touched {
				lines := files[p]
				for k := 1 + g.n(4); k > 0; k-- {
					at := 8 + g.n(len(lines)-8)
					if secrets[lines[at]] {
						continue
					}
					lang := "go"
					if strings.HasSuffix(p, ".py") {
						lang = "py"
					}
					lines[at] = g.stmt(lang, "\t")
				}
				files[p] = strings.Split(strings.Join(lines, "\n"), "\n")
			}
			if c%400 == 300 { // plant
				p := touched[0]
				s := secretLine(g, kinds)
				kinds++
				secrets[s] = true
				planted[c+40] = plant{p, s}
				files[p] = slices.Insert(files[p], len(files[p])/2, s)
				fmt.Fprintf(os.Stderr, "commit %d adds secret to %s; removed in commit %d\n", c, p, c+40)
			}
			if pl, ok := planted[c]; ok { // un-plant
				files[pl.path] = slices.DeleteFunc(files[pl.path], func(l string) bool { return l == pl.line })
				if !slices.Contains(touched, pl.path) {
					touched = append(touched, pl.path)
				}
				msg = "remove leaked credential"
			}
		}
		ts := 1704067200 + c*3600
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\nauthor bench <bench@example.invalid> %d +0000\ncommitter bench <bench@example.invalid> %d +0000\ndata %d\n%s\n", c, ts, ts, len(msg), msg)
		if c > 1 {
			fmt.Fprintf(w, "from :%d\n", c-1)
		}
		for _, p := range touched {
			b := join(files[p])
			fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", p, len(b), b)
		}
	}
}

func secretLine(g *gen, k int) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	rnd := func(n int, a string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = a[g.n(len(a))]
		}
		return string(b)
	}
	switch k {
	case 0:
		return `aws_access_key_id = "AKIA` + `QWERTYUIOPASDFGH"  # aws_secret_access_key = "` + rnd(40, alnum+"+/") + `"`
	case 1:
		return `GITHUB_TOKEN = "ghp_` + `0123456789abcdefghijABCDEFGHIJklmnop"`
	case 2:
		return `slack = "xoxb-` + rnd(12, "0123456789") + "-" + rnd(12, "0123456789") + "-" + rnd(24, alnum) + `"`
	case 3:
		return `stripe = "sk_live_` + rnd(24, alnum) + `"`
	default:
		return `api_key = "` + rnd(32, alnum) + `"`
	}
}
