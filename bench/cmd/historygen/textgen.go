// The code-like text generator, ported from the shared baseline-*.sh scripts so the
// generated repository has the same shape as baseline-logwalk.sh's.
package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var words = strings.Fields(`alpha bravo config handler request response buffer stream record cache index
merge route queue worker client server session parse render build format value count limit offset window batch
event trace metric option field entry table query result status state node graph path file block chunk frame
layer model agent task job plan step scope store reader writer loader mapper filter sorter logger timer ticker
signal channel pool group shard region zone label tag schema column row page view panel widget theme color style
width height depth size name title owner user team project branch commit review report summary detail source
target input output payload header footer body content message notice alert warning retry backoff delay timeout
deadline context flush sync fetch update remove create insert select order`)

type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, 0x5eed))} }
func (g *gen) w() string      { return words[g.r.IntN(len(words))] }
func (g *gen) n(k int) int    { return g.r.IntN(k) }
func (g *gen) camel() string  { b := g.w(); return g.w() + strings.ToUpper(b[:1]) + b[1:] }
func (g *gen) snake() string  { return g.w() + "_" + g.w() }
func (g *gen) phrase(k int) string {
	p := make([]string, k)
	for i := range p {
		p[i] = g.w()
	}
	return strings.Join(p, " ")
}

// stmt returns one code-like statement for lang ("go" or "py"), indented by ind.
func (g *gen) stmt(lang, ind string) string {
	if lang == "py" {
		switch g.n(6) {
		case 0:
			return fmt.Sprintf("%s%s = %s.%s(%s, %d)", ind, g.snake(), g.w(), g.snake(), g.w(), g.n(1000))
		case 1:
			return fmt.Sprintf("%s# %s", ind, g.phrase(4+g.n(6)))
		case 2:
			return fmt.Sprintf("%sif %s > %d:\n%s    return %s(%q)", ind, g.w(), g.n(100), ind, g.snake(), g.phrase(3))
		case 3:
			return fmt.Sprintf("%sfor %s in %s.%s():\n%s    %s.append(%s)", ind, g.w(), g.w(), g.w()+"s", ind, g.w()+"s", g.w())
		case 4:
			return fmt.Sprintf("%slogger.info(\"%s %%s\", %s)", ind, g.phrase(3), g.snake())
		default:
			return fmt.Sprintf("%s%s[%q] = %s", ind, g.w(), g.w(), g.snake())
		}
	}
	switch g.n(6) {
	case 0:
		return fmt.Sprintf("%s%s := %s.%s(%s, %d)", ind, g.camel(), g.w(), g.camel(), g.w(), g.n(1000))
	case 1:
		return fmt.Sprintf("%s// %s", ind, g.phrase(4+g.n(6)))
	case 2:
		return fmt.Sprintf("%sif %s > %d {\n%s\treturn nil, fmt.Errorf(\"%s: %%w\", err)\n%s}", ind, g.w(), g.n(100), ind, g.phrase(3), ind)
	case 3:
		return fmt.Sprintf("%sfor _, %s := range %s {\n%s\t%s = append(%s, %s)\n%s}", ind, g.w(), g.w()+"s", ind, g.w()+"s", g.w()+"s", g.w(), ind)
	case 4:
		return fmt.Sprintf("%slog.Printf(\"%s %%v\", %s)", ind, g.phrase(3), g.camel())
	default:
		return fmt.Sprintf("%s%s.%s = %s", ind, g.w(), g.camel(), g.camel())
	}
}

// block returns one function (Go or Python) as lines.
func (g *gen) block(lang string) []string {
	var out []string
	if lang == "py" {
		out = append(out, fmt.Sprintf("def %s(%s, %s=None):", g.snake(), g.w(), g.w()), fmt.Sprintf("    \"\"\"%s.\"\"\"", g.phrase(6)))
		for i, k := 0, 3+g.n(8); i < k; i++ {
			out = append(out, strings.Split(g.stmt(lang, "    "), "\n")...)
		}
		return append(out, fmt.Sprintf("    return %s", g.w()), "")
	}
	fn := g.camel()
	out = append(out, fmt.Sprintf("// %s %s the %s.", fn, g.w()+"s", g.phrase(3)), fmt.Sprintf("func %s(%s int, %s string) (*%s, error) {", fn, g.w(), g.w(), g.camel()))
	for i, k := 0, 3+g.n(8); i < k; i++ {
		out = append(out, strings.Split(g.stmt(lang, "\t"), "\n")...)
	}
	return append(out, fmt.Sprintf("\treturn &%s{}, nil", g.camel()), "}", "")
}

// source returns a Go or Python file of at least n bytes, as lines.
func (g *gen) source(lang, pkg string, n int) []string {
	var out []string
	if lang == "py" {
		out = []string{fmt.Sprintf("\"\"\"%s: %s.\"\"\"", pkg, g.phrase(6)), "import logging", "import os", "", "logger = logging.getLogger(__name__)", ""}
	} else {
		out = []string{fmt.Sprintf("// Package %s %s.", pkg, g.phrase(6)), "package " + pkg, "", "import (", "\t\"fmt\"", "\t\"log\"", ")", ""}
	}
	size := 0
	for _, l := range out {
		size += len(l) + 1
	}
	for size < n {
		for _, l := range g.block(lang) {
			out = append(out, l)
			size += len(l) + 1
		}
	}
	return out
}

func join(lines []string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }
