package policy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"golang.org/x/crypto/ssh"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/gitcli"
)

// Loader returns the policy and principals a commit's files hold. found is false when the
// commit has no swiftclaw configuration at all (before `swiftclaw init`).
type Loader func(ctx context.Context, commit string) (pol *Policy, principals []Principal, found bool, err error)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Dir is the root of the git working tree.
	Dir string
	// Range is a git revision range such as "origin/main..HEAD"; "" checks every commit
	// reachable from HEAD.
	Range string
	// Prefix is swiftclaw's directory relative to Dir (default ".swiftclaw").
	Prefix string
	// Load reads the policy in force at a commit.
	Load Loader
}

// Signature kinds.
const (
	SigNone    = "none"
	SigSSH     = "ssh"
	SigOpenPGP = "openpgp"
)

// CommitCheck is the verdict on one commit that changed swiftclaw's files.
type CommitCheck struct {
	Commit  string `json:"commit"`
	Author  string `json:"author"` // the author email
	Subject string `json:"subject"`
	// Paths are the swiftclaw files the commit changed.
	Paths []string `json:"paths"`
	// Signature is SigNone, SigSSH or SigOpenPGP.
	Signature string `json:"signature"`
	// SignatureRequired reports the require_signed_commits in force (the parent's policy).
	SignatureRequired bool `json:"signature_required"`
	// Principal is who the commit is attributed to: the verified signer when signatures
	// are required, else the user whose email is the author email.
	Principal string `json:"principal,omitempty"`
	// Problems, when any, are why the commit is refused.
	Problems []string `json:"problems,omitempty"`
}

// VerifyReport is the result of Verify.
type VerifyReport struct {
	Range   string        `json:"range"`
	Commits []CommitCheck `json:"commits"`
}

// Failed counts the refused commits.
func (r *VerifyReport) Failed() int {
	n := 0
	for _, c := range r.Commits {
		if len(c.Problems) > 0 {
			n++
		}
	}
	return n
}

// Unsigned reports whether any commit was attributed by author email alone.
func (r *VerifyReport) Unsigned() bool {
	return slices.ContainsFunc(r.Commits, func(c CommitCheck) bool { return !c.SignatureRequired })
}

// Verify checks every commit in the range that changed swiftclaw's files against the
// policy in force before it (its first parent's policy.yaml and recipients.yaml; the
// commit's own for the one that created them):
//
//   - a secret file needs write permission on that secret, env.yaml and agent.yaml need
//     write permission on the agent's env (a "*" grant), any other file (policy.yaml,
//     recipients.yaml, config.yaml) needs an owner; owners may change everything;
//   - with require_signed_commits, the commit must carry a valid signature by one of the
//     principal's signing_keys: SSH signatures are checked with `git verify-commit` and a
//     generated allowed-signers file, OpenPGP ones with ProtonMail/go-crypto;
//   - otherwise the author email is matched to a user, which anyone can forge, and the
//     report says so.
//
// Merge commits are checked for the changes they make themselves (git's combined diff),
// since the merged commits are checked on their own.
func Verify(ctx context.Context, opts VerifyOptions) (*VerifyReport, error) {
	if opts.Prefix == "" {
		opts.Prefix = ".swiftclaw"
	}
	rng := opts.Range
	if rng == "" {
		rng = "HEAD"
	}
	if strings.HasPrefix(rng, "-") {
		return nil, errs.New(errs.Input, "invalid revision range %q", rng)
	}
	log, err := gitcli.Run(ctx, opts.Dir, "log", "--full-history", "--cc", "--no-renames", "--name-only",
		"--format=%x1e%H%x00%P%x00%ae%x00%s", rng, "--", opts.Prefix+"/")
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "cannot list the commits in %s", rng).WithHint("give a range git understands, e.g. origin/main..HEAD")
	}
	rep := &VerifyReport{Range: rng}
	type entry struct {
		check   CommitCheck
		parents []string
	}
	var entries []entry
	for _, rec := range strings.Split(log, "\x1e")[1:] {
		f := strings.SplitN(rec, "\x00", 4)
		if len(f) < 4 {
			continue
		}
		subject, files, _ := strings.Cut(f[3], "\n")
		e := entry{check: CommitCheck{Commit: f[0], Author: f[2], Subject: subject}, parents: strings.Fields(f[1])}
		e.check.Paths = strings.Fields(files)
		if len(e.check.Paths) > 0 {
			entries = append(entries, e)
		}
	}
	slices.Reverse(entries) // oldest first, as they were made
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.check.Commit
	}
	raws, err := gitcli.CatFileBatch(ctx, opts.Dir, names)
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		c := e.check
		pol, principals, err := policyBefore(ctx, opts.Load, c.Commit, e.parents)
		if err != nil {
			return nil, err
		}
		payload, sig := splitSignature(raws[i])
		c.Signature = signatureKind(sig)
		c.SignatureRequired = pol.RequireSignedCommits
		var who *Principal
		if c.SignatureRequired {
			who, err = signer(ctx, opts.Dir, c, payload, sig, principals)
			if err != nil {
				c.Problems = append(c.Problems, err.Error())
			}
		} else if who = byUserEmail(principals, c.Author); who == nil {
			c.Problems = append(c.Problems, fmt.Sprintf("the author email %s is not a user in recipients.yaml", c.Author))
		}
		if who != nil {
			c.Principal = who.Ref
			for _, p := range c.Paths {
				if problem := mayChange(pol, *who, opts.Prefix, p); problem != "" {
					c.Problems = append(c.Problems, problem)
				}
			}
		}
		rep.Commits = append(rep.Commits, c)
	}
	return rep, nil
}

// policyBefore loads the policy in force before commit: its first parent's, or its own
// when the parent has none (the commit that set swiftclaw up).
func policyBefore(ctx context.Context, load Loader, commit string, parents []string) (*Policy, []Principal, error) {
	if len(parents) > 0 {
		pol, principals, found, err := load(ctx, parents[0])
		if err != nil || found {
			return pol, principals, err
		}
	}
	pol, principals, _, err := load(ctx, commit)
	return pol, principals, err
}

func byUserEmail(principals []Principal, email string) *Principal {
	for i, p := range principals {
		if strings.EqualFold(p.Ref, "user:"+email) {
			return &principals[i]
		}
	}
	return nil
}

// mayChange says why principal may not change path, or "" when it may.
func mayChange(pol *Policy, who Principal, prefix, path string) string {
	if who.Owner {
		return ""
	}
	rest := strings.TrimPrefix(path, prefix+"/")
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 4 && parts[0] == "agents" && parts[2] == "secrets" && strings.HasSuffix(parts[3], ".yaml"):
		agent, name := parts[1], strings.TrimSuffix(parts[3], ".yaml")
		if slices.Contains(pol.Principals(Write, agent, name), who.Ref) {
			return ""
		}
		return fmt.Sprintf("%s changed %s/%s without write permission on it", who.Ref, agent, name)
	case len(parts) == 3 && parts[0] == "agents" && (parts[2] == "env.yaml" || parts[2] == "agent.yaml"):
		if slices.Contains(pol.Principals(Write, parts[1], ""), who.Ref) {
			return ""
		}
		return fmt.Sprintf("%s changed %s without write permission on the env of %s (a \"*\" grant)", who.Ref, path, parts[1])
	}
	return fmt.Sprintf("%s changed %s, which only an owner may change", who.Ref, path)
}

// splitSignature separates a raw commit object into the signed payload (the object
// without its gpgsig header, as git signs it) and the signature ("" when unsigned).
func splitSignature(raw []byte) (payload []byte, sig string) {
	header, body, _ := bytes.Cut(raw, []byte("\n\n"))
	var kept, sigLines []string
	in := false
	for _, line := range strings.Split(string(header), "\n") {
		switch {
		case strings.HasPrefix(line, "gpgsig ") || strings.HasPrefix(line, "gpgsig-sha256 "):
			_, v, _ := strings.Cut(line, " ")
			sigLines, in = append(sigLines, v), true
		case in && strings.HasPrefix(line, " "):
			sigLines = append(sigLines, line[1:])
		default:
			in = false
			kept = append(kept, line)
		}
	}
	if len(sigLines) == 0 {
		return raw, ""
	}
	payload = []byte(strings.Join(kept, "\n") + "\n\n" + string(body))
	return payload, strings.Join(sigLines, "\n") + "\n"
}

func signatureKind(sig string) string {
	switch {
	case sig == "":
		return SigNone
	case strings.HasPrefix(sig, "-----BEGIN SSH SIGNATURE-----"):
		return SigSSH
	case strings.HasPrefix(sig, "-----BEGIN PGP SIGNATURE-----"):
		return SigOpenPGP
	}
	return "unknown"
}

// signer returns the principal whose signing key made a valid signature on the commit.
func signer(ctx context.Context, dir string, c CommitCheck, payload []byte, sig string, principals []Principal) (*Principal, error) {
	switch c.Signature {
	case SigNone:
		return nil, fmt.Errorf("the commit is not signed, and policy.yaml requires signed commits")
	case SigSSH:
		return sshSigner(ctx, dir, c.Commit, principals)
	case SigOpenPGP:
		return pgpSigner(payload, sig, principals)
	}
	return nil, fmt.Errorf("the commit carries a signature of an unknown kind")
}

var goodSSH = regexp.MustCompile(`Good "git" signature for (\S+) with`)

// sshSigner verifies an SSH signature with `git verify-commit`, against an allowed
// signers file listing every principal's SSH signing keys under its reference.
func sshSigner(ctx context.Context, dir, commit string, principals []Principal) (*Principal, error) {
	var allowed strings.Builder
	for _, p := range principals {
		for _, k := range p.SigningKeys {
			if pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k)); err == nil {
				fmt.Fprintf(&allowed, "%s namespaces=\"git\" %s", p.Ref, ssh.MarshalAuthorizedKey(pk))
			}
		}
	}
	tmp, err := os.MkdirTemp("", "swiftclaw-verify-")
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot create a temporary directory")
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "allowed_signers")
	if err := os.WriteFile(file, []byte(allowed.String()), 0o600); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot write the allowed signers file")
	}
	_, stderr, err := gitcli.RunStderr(ctx, dir, "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+file, "verify-commit", commit)
	m := goodSSH.FindStringSubmatch(stderr)
	if err != nil || m == nil {
		return nil, fmt.Errorf("the SSH signature does not verify with any principal's signing_keys (%s)", gitcli.FirstLine(strings.TrimSpace(stderr)))
	}
	for i := range principals {
		if principals[i].Ref == m[1] {
			return &principals[i], nil
		}
	}
	return nil, fmt.Errorf("the SSH signature names an unknown principal %s", m[1])
}

// pgpSigner verifies an OpenPGP signature against each principal's OpenPGP signing keys.
func pgpSigner(payload []byte, sig string, principals []Principal) (*Principal, error) {
	for i, p := range principals {
		for _, k := range p.SigningKeys {
			if !strings.Contains(k, "BEGIN PGP PUBLIC KEY BLOCK") {
				continue
			}
			ring, err := openpgp.ReadArmoredKeyRing(strings.NewReader(k))
			if err != nil {
				continue
			}
			if _, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(payload), strings.NewReader(sig), nil); err == nil {
				return &principals[i], nil
			}
		}
	}
	return nil, fmt.Errorf("the OpenPGP signature does not verify with any principal's signing_keys")
}

// WriteVerifyReport writes the report `policy verify` prints.
func WriteVerifyReport(w io.Writer, r *VerifyReport) error {
	fmt.Fprintf(w, "policy verify %s: %d commit(s) changed swiftclaw files, %d refused\n", r.Range, len(r.Commits), r.Failed())
	for _, c := range r.Commits {
		verdict := "ok"
		if len(c.Problems) > 0 {
			verdict = "REFUSED"
		}
		fmt.Fprintf(w, "%-8s %s %q\n", verdict, c.Commit[:min(12, len(c.Commit))], c.Subject)
		var by string
		switch {
		case !c.SignatureRequired && c.Principal != "":
			by = fmt.Sprintf("by %s (author email, unsigned check)", c.Principal)
		case !c.SignatureRequired:
			by = fmt.Sprintf("by unknown author %s (unsigned check)", c.Author)
		case c.Principal != "":
			by = fmt.Sprintf("by %s (%s signature verified)", c.Principal, c.Signature)
		default:
			by = fmt.Sprintf("by unverified author %s (signature: %s)", c.Author, c.Signature)
		}
		fmt.Fprintf(w, "         %s\n", by)
		for _, p := range c.Problems {
			fmt.Fprintf(w, "         - %s\n", p)
		}
	}
	if r.Unsigned() {
		_, err := fmt.Fprintln(w, "note: require_signed_commits is not set, so commits were attributed by author email, which anyone can set; set `require_signed_commits: true` in policy.yaml and add signing_keys to recipients.yaml to verify signatures")
		return err
	}
	return nil
}
