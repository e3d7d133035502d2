package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// gen precommit base DIR SEED   : 5,000 code-like files (~2 KiB) in 50 package dirs
// gen precommit modify DIR SEED : rewrite 20 of them; #0 gets a fake AWS key pair, #1 a GitHub token
func precommitMain(args []string) {
	dir, seed := args[1], must(strconv.ParseUint(args[2], 10, 64))
	switch args[0] {
	case "base":
		g := newGen(seed)
		for d := 0; d < 50; d++ {
			pkg := fmt.Sprintf("%s%02d", g.w(), d)
			sub := filepath.Join(dir, "pkg", pkg)
			check(os.MkdirAll(sub, 0o755))
			for f := 0; f < 100; f++ {
				lang, ext := "go", ".go"
				if g.n(10) < 3 {
					lang, ext = "py", ".py"
				}
				name := fmt.Sprintf("%s_%03d%s", g.snake(), f, ext)
				check(os.WriteFile(filepath.Join(sub, name), join(g.source(lang, pkg, 1500+g.n(600))), 0o644))
			}
		}
	case "modify":
		g := newGen(seed + 1)
		var files []string
		check(filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				files = append(files, p)
			}
			return err
		}))
		sort.Strings(files)
		picked := map[int]bool{}
		for len(picked) < 20 {
			i := g.n(len(files))
			if picked[i] {
				continue
			}
			picked[i] = true
			f := files[i]
			lang := "go"
			if strings.HasSuffix(f, ".py") {
				lang = "py"
			}
			lines := strings.Split(strings.TrimSuffix(string(must(os.ReadFile(f))), "\n"), "\n")
			at := 8 + g.n(len(lines)-8) // insert a new function somewhere after the header
			blk := g.block(lang)
			switch len(picked) {
			case 1: // fake AWS credentials
				sk := g.b64(40)
				if lang == "py" {
					blk = append([]string{`AWS_ACCESS_KEY_ID = "AKIA` + `QWERTYUIOPASDFGH"`, `aws_secret_access_key = "` + sk + `"`, ""}, blk...)
				} else {
					blk = append([]string{`const awsAccessKeyID = "AKIA` + `QWERTYUIOPASDFGH"`, `const awsSecretAccessKey = "` + sk + `"`, ""}, blk...)
				}
			case 2: // fake GitHub token
				if lang == "py" {
					blk = append([]string{`GITHUB_TOKEN = "ghp_` + `0123456789abcdefghijABCDEFGHIJklmnop"`, ""}, blk...)
				} else {
					blk = append([]string{`const githubToken = "ghp_` + `0123456789abcdefghijABCDEFGHIJklmnop"`, ""}, blk...)
				}
			}
			// also edit one existing line so the diff has a removal too
			lines[at-1] = g.stmt(lang, "")
			out := append(append(append([]string{}, lines[:at]...), blk...), lines[at:]...)
			check(os.WriteFile(f, join(out), 0o644))
			fmt.Println(strings.TrimPrefix(f, dir+"/"))
		}
	}
}

func (g *gen) b64(n int) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[g.n(len(a))]
	}
	return string(b)
}
