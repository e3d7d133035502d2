package deploy

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// writeSplit writes data through a fresh Redactor in random pieces and returns the output.
func writeSplit(t *testing.T, r *rand.Rand, vars []Var, data []byte) string {
	t.Helper()
	var out bytes.Buffer
	red := NewRedactor(&out, vars)
	for len(data) > 0 {
		n := 1 + r.IntN(min(len(data), 12))
		if n2, err := red.Write(data[:n]); err != nil || n2 != n {
			t.Fatalf("Write = %d, %v", n2, err)
		}
		data = data[n:]
	}
	if err := red.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestRedactorExamples(t *testing.T) {
	vars := []Var{
		{Name: "KEY", Value: []byte("sk-abc123")},
		{Name: "PEM", Value: []byte("line-one\nline-two\n")},
		{Name: "SHORT", Value: []byte("sk-abc")}, // a prefix of KEY: the longer match wins
		{Name: "BLANK", Value: []byte("  \n")},   // blank values and lines are not patterns
	}
	cases := map[string]string{
		"key=sk-abc123.":                      "key=[REDACTED:KEY].",
		"short sk-abc only":                   "short [REDACTED:SHORT] only",
		"pem:line-one\nline-two\n!":           "pem:[REDACTED:PEM]!",
		"pem crlf:line-one\r\nline-two\r\n":   "pem crlf:[REDACTED:PEM]\r\n[REDACTED:PEM]\r\n",
		"twice sk-abc123sk-abc123":            "twice [REDACTED:KEY][REDACTED:KEY]",
		"almost sk-abc12 then end":            "almost [REDACTED:SHORT]12 then end",
		"tail is a prefix at close: sk-abc12": "tail is a prefix at close: [REDACTED:SHORT]12",
		"  spaces stay  \n":                   "  spaces stay  \n",
	}
	for in, want := range cases {
		for seed := range uint64(20) {
			if got := writeSplit(t, rand.New(rand.NewPCG(seed, 7)), vars, []byte(in)); got != want {
				t.Fatalf("seed %d: %q -> %q, want %q", seed, in, got, want)
			}
		}
	}
}

// TestRedactorProperty checks, over random values, texts and write splits, that the output
// does not depend on how the stream was split and contains no value.
func TestRedactorProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := "abcxyz01\n"
	randText := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return b
	}
	for i := range 400 {
		var vars []Var
		for j := range 1 + r.IntN(3) {
			v := randText(3 + r.IntN(6))
			vars = append(vars, Var{Name: string(rune('A' + j)), Value: v})
		}
		var text []byte
		for range 1 + r.IntN(8) {
			text = append(text, randText(r.IntN(6))...)
			text = append(text, vars[r.IntN(len(vars))].Value...)
		}
		whole := func() string {
			var out bytes.Buffer
			red := NewRedactor(&out, vars)
			red.Write(text)
			red.Close()
			return out.String()
		}()
		for s := range uint64(5) {
			if got := writeSplit(t, rand.New(rand.NewPCG(uint64(i), s)), vars, text); got != whole {
				t.Fatalf("case %d: split output %q differs from whole %q", i, got, whole)
			}
		}
		// The alphabet shares no byte with "[REDACTED:X]", so no value may survive.
		stripped := whole
		for _, v := range vars {
			stripped = strings.ReplaceAll(stripped, "[REDACTED:"+v.Name+"]", "|")
		}
		for _, v := range vars {
			for _, line := range append([]string{string(v.Value)}, strings.Split(string(v.Value), "\n")...) {
				if strings.TrimSpace(line) != "" && strings.Contains(stripped, line) {
					t.Fatalf("case %d: %q survives in %q", i, line, whole)
				}
			}
		}
	}
}

func TestRedactorHoldsBackOnlyAPossiblePrefix(t *testing.T) {
	var out bytes.Buffer
	red := NewRedactor(&out, []Var{{Name: "K", Value: []byte("secret")}})
	red.Write([]byte("hello sec"))
	if out.String() != "hello " {
		t.Fatalf("after a partial match wrote %q, want %q", out.String(), "hello ")
	}
	red.Write([]byte("ond"))
	if out.String() != "hello second" {
		t.Fatalf("after the match failed wrote %q", out.String())
	}
	red.Write([]byte(" secre"))
	red.Close()
	if out.String() != "hello second secre" {
		t.Fatalf("close did not flush the tail: %q", out.String())
	}
	if _, err := red.Write([]byte("x")); err == nil {
		t.Fatal("write after close succeeded")
	}
}

// TestRedactorConcurrentWriters runs two goroutines per Redactor (as exec's stdout and
// stderr copiers may) and two Redactors at once; run with -race.
func TestRedactorConcurrentWriters(t *testing.T) {
	vars := []Var{{Name: "K", Value: []byte("topsecret")}}
	var outA, outB bytes.Buffer
	a, b := NewRedactor(&outA, vars), NewRedactor(&outB, vars)
	var wg sync.WaitGroup
	for _, red := range []*Redactor{a, a, b, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				red.Write([]byte("topsecret\n"))
			}
		}()
	}
	wg.Wait()
	a.Close()
	b.Close()
	for _, out := range []string{outA.String(), outB.String()} {
		if strings.Contains(out, "topsecret") || strings.Count(out, "[REDACTED:K]\n") != 400 {
			t.Fatalf("bad output: %d redactions", strings.Count(out, "[REDACTED:K]"))
		}
	}
}

// TestRedactorAdd: values added later are hidden from then on, and the longest match
// still wins over a pattern added earlier.
func TestRedactorAdd(t *testing.T) {
	var out bytes.Buffer
	red := NewRedactor(&out, []Var{{Name: "SHORT", Value: []byte("sk-abc")}})
	if _, err := red.Write([]byte("before: sk-abc123 ")); err != nil {
		t.Fatal(err)
	}
	red.Add(Var{Name: "api-key", Value: []byte("sk-abc123")}, Var{Name: "dup", Value: []byte("sk-abc")})
	if _, err := red.Write([]byte("after: sk-abc123 sk-abc")); err != nil {
		t.Fatal(err)
	}
	if err := red.Close(); err != nil {
		t.Fatal(err)
	}
	want := "before: [REDACTED:SHORT]123 after: [REDACTED:api-key] [REDACTED:SHORT]"
	if out.String() != want {
		t.Fatalf("got  %q\nwant %q", out.String(), want)
	}
}
