package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// gen dirscan DIR SEED: 20,000 files, ~200 MiB in total, log-normal size mix (+10 files of 3-6 MiB),
// code (.go/.py) for small/medium files, .log/.json data for large ones; 8 planted fake secrets.
// nFiles and total default to the baseline's 20,000 files / 195 MiB (files overshoot their target a little:
// lands at ~200 MiB); DIRSCAN_FILES scales both down for quicker runs.
var nFiles = envInt("DIRSCAN_FILES", 20000)
var total = float64(195<<20) * float64(nFiles) / 20000

func dirscanMain(args []string) {
	dir, seed := args[0], must(strconv.ParseUint(args[1], 10, 64))
	g := newGen(seed)
	sizes := make([]float64, nFiles)
	big, sum := 0.0, 0.0
	for i := range sizes {
		if i%2000 == 1999 { // 10 big files
			sizes[i] = float64(3<<20 + g.n(3<<20))
			big += sizes[i]
			continue
		}
		sizes[i] = math.Exp(1.4 * g.r.NormFloat64())
		sum += sizes[i]
	}
	scale := (total - big) / sum
	plant := map[int]int{} // file index -> secret kind
	for k := 0; k < 8; k++ {
		plant[g.n(nFiles)] = k
	}
	var written int64
	for i := range sizes {
		s := int(sizes[i])
		if i%2000 != 1999 {
			s = max(120, min(8<<20, int(sizes[i]*scale)))
		}
		sub := filepath.Join(dir, fmt.Sprintf("%s%02d", g.w(), i/1000), fmt.Sprintf("%s%03d", g.w(), (i/100)%10))
		check(os.MkdirAll(sub, 0o755))
		var lines []string
		var ext string
		switch {
		case s > 256<<10 && g.n(2) == 0:
			ext, lines = ".log", g.logLines(s)
		case s > 256<<10:
			ext, lines = ".json", g.jsonLines(s)
		case g.n(10) < 3:
			ext, lines = ".py", g.source("py", g.w(), s)
		default:
			ext, lines = ".go", g.source("go", g.w(), s)
		}
		if k, ok := plant[i]; ok {
			at := len(lines) / 2
			lines = append(lines[:at], append(g.secret(k), lines[at:]...)...)
			fmt.Fprintf(os.Stderr, "planted kind %d in file #%d\n", k, i)
		}
		b := join(lines)
		written += int64(len(b))
		check(os.WriteFile(filepath.Join(sub, fmt.Sprintf("%s_%05d%s", g.snake(), i, ext)), b, 0o644))
	}
	fmt.Printf("files %d bytes %d (%.1f MiB)\n", nFiles, written, float64(written)/(1<<20))
}

func (g *gen) logLines(n int) []string {
	var out []string
	lvl := []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
	for size, t := 0, 1704067200+g.n(1e7); size < n; t += g.n(3) {
		l := fmt.Sprintf("%s %-5s %s=%s req=%d msg=%q took=%dms", fmtTime(t), lvl[g.n(len(lvl))], g.w(), g.w(), g.n(1e6), g.phrase(3+g.n(5)), g.n(900))
		out = append(out, l)
		size += len(l) + 1
	}
	return out
}

func (g *gen) jsonLines(n int) []string {
	out := []string{"["}
	for size := 2; size < n; {
		l := fmt.Sprintf(`  {"id": %d, "name": %q, "status": %q, "count": %d, "tags": [%q, %q]},`, g.n(1e7), g.phrase(2), g.w(), g.n(1e4), g.w(), g.w())
		out = append(out, l)
		size += len(l) + 1
	}
	return append(out, `  {}`, "]")
}

func fmtTime(t int) string {
	return fmt.Sprintf("2024-%02d-%02dT%02d:%02d:%02dZ", 1+t/2592000%12, 1+t/86400%28, t/3600%24, t/60%60, t%60)
}

func (g *gen) rnd(n int, alpha string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alpha[g.n(len(alpha))]
	}
	return string(b)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// secret returns planted fake-credential lines of kind k (formats match gitleaks' default rules).
func (g *gen) secret(k int) []string {
	switch k {
	case 0:
		return []string{`aws_access_key_id = "AKIA` + `QWERTYUIOPASDFGH"`, `aws_secret_access_key = "` + g.rnd(40, alnum+"+/") + `"`}
	case 1:
		return []string{`GITHUB_TOKEN = "ghp_` + `0123456789abcdefghijABCDEFGHIJklmnop"`}
	case 2:
		return []string{`gitlab_pat = "glpat-` + g.rnd(20, alnum) + `"`}
	case 3:
		return []string{`slack = "xoxb-` + g.rnd(12, "0123456789") + "-" + g.rnd(12, "0123456789") + "-" + g.rnd(24, alnum) + `"`}
	case 4:
		return []string{`stripe = "sk_live_` + g.rnd(24, alnum) + `"`}
	case 5:
		l := []string{"-----BEGIN RSA " + "PRIVATE KEY-----"}
		for i := 0; i < 12; i++ {
			l = append(l, g.rnd(64, alnum+"+/"))
		}
		return append(l, "-----END RSA "+"PRIVATE KEY-----")
	case 6:
		return []string{`OPENAI_API_KEY = "sk-proj-` + g.rnd(74, alnum) + "T3BlbkFJ" + g.rnd(74, alnum) + `"`}
	default:
		return []string{`api_key = "` + g.rnd(32, alnum) + `"`}
	}
}
