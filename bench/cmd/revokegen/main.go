// Command revokegen generates the input of bench/revoke.sh: the same 1,000 small secret
// values and 20 age keys as the shared baseline-sops-updatekeys.sh (same seed, same
// generator), written both as plain files for sops and, through the swiftclaw library, as
// a committed swiftclaw repository where every secret is encrypted to all 20 keys (one
// owner and 19 users granted read on '*').
//
// Usage: revokegen OUT SEED. It writes OUT/keys/kNN.txt, OUT/sops-20.yaml,
// OUT/sops-19.yaml, OUT/plain/sNNNN.yaml and the git repository OUT/swift.
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/swiftclaw/swiftclaw/policy"
	"github.com/swiftclaw/swiftclaw/vault"
)

const files, keys = 1000, 20

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: revokegen OUT SEED")
		os.Exit(2)
	}
	out := os.Args[1]
	seed, err := strconv.ParseUint(os.Args[2], 10, 64)
	check(err)
	rcps := writeKeys(out, seed)
	plain := writePlain(out, seed)
	check(writeRepo(context.Background(), filepath.Join(out, "swift"), filepath.Join(out, "keys", "k00.txt"), rcps, plain))
}

// writeKeys writes the 20 identities and the two .sops.yaml variants, as the baseline does.
func writeKeys(out string, seed uint64) []string {
	check(os.MkdirAll(filepath.Join(out, "keys"), 0o700))
	var rcps []string
	for i := range keys {
		id, rcp := ageKey(seed, i)
		rcps = append(rcps, rcp)
		check(os.WriteFile(filepath.Join(out, "keys", fmt.Sprintf("k%02d.txt", i)), []byte("# public key: "+rcp+"\n"+id+"\n"), 0o600))
	}
	for _, n := range []int{20, 19} {
		y := "creation_rules:\n  - path_regex: \\.yaml$\n    age: >-\n      " + strings.Join(rcps[:n], ",\n      ") + "\n"
		check(os.WriteFile(filepath.Join(out, fmt.Sprintf("sops-%d.yaml", n)), []byte(y), 0o644))
	}
	return rcps
}

// writePlain writes the 1,000 flat YAML files (3-10 secrets each) exactly as the baseline
// generator does, and returns their contents.
func writePlain(out string, seed uint64) [][]byte {
	check(os.MkdirAll(filepath.Join(out, "plain"), 0o755))
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	svc := strings.Fields("OPENAI ANTHROPIC GITHUB SLACK STRIPE POSTGRES REDIS SENTRY DATADOG TWILIO SENDGRID PINECONE")
	kind := strings.Fields("API_KEY TOKEN SECRET PASSWORD DSN WEBHOOK_SECRET")
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var all [][]byte
	for f := range files {
		var b strings.Builder
		for i, k := 0, 3+r.IntN(8); i < k; i++ {
			v := make([]byte, 16+r.IntN(49))
			for j := range v {
				v[j] = alnum[r.IntN(len(alnum))]
			}
			fmt.Fprintf(&b, "%s_%s_%d: %s\n", svc[r.IntN(len(svc))], kind[r.IntN(len(kind))], i, v)
		}
		all = append(all, []byte(b.String()))
		check(os.WriteFile(filepath.Join(out, "plain", fmt.Sprintf("s%04d.yaml", f)), all[f], 0o600))
	}
	return all
}

// writeRepo builds the swiftclaw repository with the library: u00 (key 0) is the owner,
// u01..u19 are granted read on every secret of agent "bench", and each plain file becomes
// one secret, committed once.
func writeRepo(ctx context.Context, dir, ownerKey string, rcps []string, values [][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := git(dir, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	opts := vault.Options{Dir: dir, Identity: vault.IdentityOptions{File: ownerKey}}
	s, _, err := vault.Init(ctx, opts, vault.InitOptions{Owner: "u00@example.com"})
	if err != nil {
		return err
	}
	if _, err := s.SetSecret(ctx, "bench", "s0000", values[0], vault.SetOptions{}); err != nil {
		return err
	}
	for i := 1; i < len(rcps); i++ {
		user := fmt.Sprintf("u%02d@example.com", i)
		if _, err := s.AddKey(ctx, "user", user, rcps[i], vault.AddKeyOptions{}); err != nil {
			return err
		}
		req := vault.GrantRequest{Principal: "user:" + user, Agent: "bench", Secret: "*", Permissions: []string{policy.Read}}
		if _, err := s.Grant(ctx, req, vault.BulkOptions{}); err != nil {
			return err
		}
	}
	opts.NoCommit = true
	bulk, err := vault.Open(opts)
	if err != nil {
		return err
	}
	for i := 1; i < len(values); i++ {
		if _, err := bulk.SetSecret(ctx, "bench", fmt.Sprintf("s%04d", i), values[i], vault.SetOptions{}); err != nil {
			return err
		}
	}
	if err := git(dir, "add", "-A"); err != nil {
		return err
	}
	return git(dir, "commit", "-q", "-m", "bench: 1,000 secrets encrypted to 20 recipients")
}

func git(dir string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "revokegen:", err)
		os.Exit(1)
	}
}
