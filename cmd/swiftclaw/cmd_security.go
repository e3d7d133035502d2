package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/swiftclaw/swiftclaw/hooks"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/scan"
	"github.com/swiftclaw/swiftclaw/vault"
)

// SecurityCmd groups secret scanning and the pre-commit hook.
type SecurityCmd struct {
	Scan          SecurityScanCmd          `cmd:"" help:"Scan for leaked secrets: gitleaks rules plus the plaintexts of secrets swiftclaw manages."`
	InstallHook   SecurityInstallHookCmd   `cmd:"" name:"install-hook" help:"Install a git pre-commit hook that blocks commits adding secrets (keeps and runs an existing hook)."`
	UninstallHook SecurityUninstallHookCmd `cmd:"" name:"uninstall-hook" help:"Remove the pre-commit hook and restore the one it replaced."`
}

// SecurityScanCmd is `security scan [AGENT] [RANGE]`.
type SecurityScanCmd struct {
	Agent   string      `arg:"" optional:"" help:"Scan this agent's paths (set with --enable; default: the whole repository)."`
	Range   string      `arg:"" optional:"" name:"range" help:"With --history: a revision range such as main..HEAD (default: all refs)."`
	Enable  bool        `xor:"action" help:"Record in .swiftclaw/config.yaml that AGENT's paths are scanned by the hook and by --check."`
	Disable bool        `xor:"action" help:"Stop scanning AGENT's paths by default."`
	Check   bool        `xor:"action" help:"Exit 1 when anything is found (for CI and the pre-commit hook)."`
	Staged  bool        `xor:"source" help:"Scan only the staged changes (what the pre-commit hook runs)."`
	History historyFlag `xor:"source" placeholder:"RANGE" help:"Scan git history: all refs, or --history=RANGE (or RANGE as an argument)."`
	Path    []string    `placeholder:"P" help:"Only scan this file or directory (repeatable)."`
	Decrypt *bool       `negatable:"" help:"Find plaintexts of managed secrets by decrypting what your identity can read (default: yes; with --staged only when the repository has no fingerprint files). Values never leave the process and are not recorded as reads."`
	JSON    bool        `xor:"format" help:"Print the findings as JSON."`
	SARIF   bool        `name:"sarif" xor:"format" help:"Print the findings as SARIF 2.1.0, for code-scanning upload."`
}

// historyFlag is --history with an optional value: --history or --history=RANGE.
type historyFlag struct {
	On    bool
	Range string
}

// Decode implements kong.MapperValue.
func (h *historyFlag) Decode(ctx *kong.DecodeContext) error {
	h.On = true
	if ctx.Scan.Peek().Type == kong.FlagValueToken {
		h.Range = fmt.Sprint(ctx.Scan.Pop().Value)
	}
	return nil
}

// IsBool makes --history take no separate value.
func (h *historyFlag) IsBool() bool { return true }

// Run enables or disables scanning for an agent, or scans.
func (c *SecurityScanCmd) Run(g *Globals, env *Env) error {
	if c.Enable || c.Disable {
		return c.setEnabled(g, env)
	}
	var opts scan.Options
	if store := openScanStore(g, env); store != nil && c.decrypt(store.Root) {
		opts.Managed = managedValues(env, store)
	}
	s, err := scan.New(opts)
	if err != nil {
		return err
	}
	target, err := c.target(s.Root())
	if err != nil {
		return err
	}
	res, err := s.Scan(env.Ctx, target)
	if err != nil {
		return err
	}
	return c.report(env, res)
}

// decrypt says whether to decrypt managed secrets. The pre-commit hook (--staged) runs on
// every commit, so it relies on fingerprint files when the repository has them rather
// than decrypting every secret each time.
func (c *SecurityScanCmd) decrypt(root string) bool {
	if c.Decrypt != nil {
		return *c.Decrypt
	}
	if !c.Staged {
		return true
	}
	fps, err := scan.LoadFingerprints(root)
	return err != nil || len(fps) == 0
}

// target works out what to scan: mode, range and repository-relative paths.
func (c *SecurityScanCmd) target(root string) (scan.Target, error) {
	t := scan.Target{Mode: scan.ModeWorkTree, Range: c.History.Range}
	switch {
	case c.Staged:
		t.Mode = scan.ModeStaged
	case c.History.On:
		t.Mode = scan.ModeHistory
	}
	agent, rng := c.Agent, c.Range
	// `--history main..HEAD`: a single argument that is not an agent is the range.
	if t.Mode == scan.ModeHistory && rng == "" && agent != "" && !isDir(filepath.Join(root, vault.DirName, "agents", agent)) {
		agent, rng = "", agent
	}
	if (rng != "" && (t.Mode != scan.ModeHistory || t.Range != "")) || (t.Mode != scan.ModeHistory && strings.Contains(agent, "..")) {
		return t, errs.New(errs.Input, "a revision range goes with --history, once").WithHint("swiftclaw security scan [AGENT] --history RANGE")
	}
	if rng != "" {
		t.Range = rng
	}
	if agent != "" {
		if err := vault.ValidateName("agent", agent); err != nil {
			return t, err
		}
	}
	for _, p := range c.Path {
		rel, err := repoRelative(root, p)
		if err != nil {
			return t, err
		}
		t.Paths = append(t.Paths, rel)
	}
	if len(t.Paths) == 0 {
		cfg, err := scan.LoadConfig(root)
		if err != nil {
			return t, err
		}
		t.Paths = cfg.Paths(agent)
	}
	return t, nil
}

// report prints the findings; with --check, findings are an error (exit 1).
func (c *SecurityScanCmd) report(env *Env, res *scan.Result) error {
	var err error
	switch {
	case c.JSON:
		err = scan.WriteJSON(env.Stdout, res)
	case c.SARIF:
		err = scan.WriteSARIF(env.Stdout, res)
	case c.Check && len(res.Findings) > 0:
		err = scan.WriteBlocked(env.Stderr, res)
	case len(res.Findings) > 0:
		err = scan.WriteTable(env.Stdout, res)
	}
	if err != nil {
		return err
	}
	n := len(res.Findings)
	if n == 0 {
		if !c.JSON && !c.SARIF {
			fmt.Fprintf(env.Stderr, "no secrets found (%s)\n", scanned(res))
		}
		return nil
	}
	if !c.Check {
		return nil
	}
	what := "potential secret"
	if n > 1 {
		what += "s"
	}
	if res.Mode == scan.ModeStaged {
		return errs.New(errs.Findings, "commit blocked: %d %s in the staged changes", n, what).
			WithHint("remove them (store real secrets with `swiftclaw secrets set AGENT NAME`), or allow a false positive as shown above")
	}
	return errs.New(errs.Findings, "%d %s found (%s)", n, what, scanned(res)).
		WithHint("remove them (store real secrets with `swiftclaw secrets set AGENT NAME`), or allow false positives with a gitleaks:allow comment or a .gitleaksignore line")
}

func scanned(res *scan.Result) string {
	if res.Mode == scan.ModeHistory {
		return fmt.Sprintf("%d commits scanned", res.Commits)
	}
	return fmt.Sprintf("%d files scanned", res.Files)
}

// setEnabled records the agent's scan setting in config.yaml and commits it.
func (c *SecurityScanCmd) setEnabled(g *Globals, env *Env) error {
	if c.Agent == "" {
		return errs.New(errs.Input, "--enable and --disable need an AGENT").WithHint("swiftclaw security scan my-agent --enable")
	}
	if c.Staged || c.History.On || len(c.Path) > 0 || c.Range != "" || c.JSON || c.SARIF {
		return errs.New(errs.Input, "--enable and --disable take only an AGENT")
	}
	if err := vault.ValidateName("agent", c.Agent); err != nil {
		return err
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if !isDir(filepath.Join(s.Dir(), "agents", c.Agent)) {
		return errs.New(errs.NotFound, "no agent %q in %s", c.Agent, s.Dir()).
			WithHint("create it with `swiftclaw secrets set %s NAME`", c.Agent)
	}
	data, err := s.ReadProjectFile("config.yaml")
	if err != nil {
		return err
	}
	if data, err = scan.UpdateConfig(data, c.Agent, c.Enable, nil); err != nil {
		return err
	}
	verb := map[bool]string{true: "enable", false: "disable"}[c.Enable]
	wr, err := s.WriteProjectFile(env.Ctx, "config.yaml", data, fmt.Sprintf("swiftclaw: security scan %s --%s", c.Agent, verb))
	if err != nil {
		return err
	}
	cfg, err := scan.ParseConfig(data)
	if err != nil {
		return err
	}
	where := "the whole repository"
	if p := cfg.Paths(c.Agent); p != nil {
		where = strings.Join(p, ", ")
	}
	fmt.Fprintf(env.Stdout, "scanning %sd for %s (%s)\n", verb, c.Agent, where)
	printCommitted(env, wr)
	if c.Enable {
		if ok, err := hooks.Installed(env.Ctx, s.Root); err == nil && !ok {
			fmt.Fprintln(env.Stderr, "hint: block commits that add secrets with `swiftclaw security install-hook`")
		}
	}
	return nil
}

// openScanStore opens the project for reading managed secrets, or returns nil when there is
// none. It never prompts: a scan (often a pre-commit hook) must not stop to ask for an SSH
// key passphrase, so such keys are skipped. No auditor is attached: plaintexts are only
// compared in memory, never shown or handed on, so they are not recorded as reads.
func openScanStore(g *Globals, env *Env) *vault.Store {
	opts := g.storeOptions(env)
	opts.Identity.Passphrase = func(string) ([]byte, error) {
		return nil, errs.New(errs.Decrypt, "not prompting for a passphrase during a scan")
	}
	s, err := vault.Open(opts)
	if err != nil {
		return nil
	}
	return s
}

// managedValues decrypts every secret and environment variable the identity can read.
// Values it cannot decrypt (not a recipient, no identity) are left to fingerprints and
// rules; a tampered file is reported as a warning.
func managedValues(env *Env, s *vault.Store) []scan.Managed {
	if _, err := s.Identities(); err != nil {
		return nil
	}
	agents, err := s.Agents()
	if err != nil {
		return nil
	}
	var out []scan.Managed
	for _, a := range agents {
		metas, err := s.ListSecrets(a)
		if err != nil {
			warn(env, "cannot list %s's secrets for the scan: %v", a, err)
			continue
		}
		for _, m := range metas {
			v, _, err := s.GetSecret(env.Ctx, a, m.Name, vault.GetOptions{AllowExpired: true, Action: "scan"})
			if err != nil {
				if errs.Is(err, errs.Tampered) {
					warn(env, "%s/%s: %v", a, m.Name, err)
				}
				continue
			}
			out = append(out, scan.Managed{Name: a + "/" + m.Name, Value: v})
		}
		vars, err := s.RevealEnvFor(env.Ctx, a, "scan")
		if err != nil {
			if errs.Is(err, errs.Tampered) {
				warn(env, "%s env: %v", a, err)
			}
			continue
		}
		for _, v := range vars {
			out = append(out, scan.Managed{Name: a + "/env:" + v.Name, Value: v.Value})
		}
	}
	return out
}

// repoRelative turns a path given on the command line (relative to the working directory)
// into one relative to the repository root, refusing paths outside it.
func repoRelative(root, p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", errs.Wrap(errs.Input, err, "--path %s", p)
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if d, err := filepath.EvalSymlinks(abs); err == nil {
		abs = d
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", errs.New(errs.Input, "--path %s is outside the repository %s", p, root)
	}
	if rel == "." {
		return "", nil
	}
	return filepath.ToSlash(rel), nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// SecurityInstallHookCmd is `security install-hook`.
type SecurityInstallHookCmd struct{}

// Run installs the pre-commit hook.
func (c *SecurityInstallHookCmd) Run(g *Globals, env *Env) error {
	res, err := hooks.Install(env.Ctx, hooks.Options{})
	if err != nil {
		return err
	}
	verb := "installed"
	if res.Updated {
		verb = "updated"
	}
	fmt.Fprintf(env.Stdout, "%s pre-commit hook %s\n", verb, res.Hook)
	if res.Chained != "" {
		fmt.Fprintf(env.Stdout, "it runs your existing hook first (kept as %s)\n", res.Chained)
	}
	return nil
}

// SecurityUninstallHookCmd is `security uninstall-hook`.
type SecurityUninstallHookCmd struct{}

// Run removes the pre-commit hook and restores the chained one.
func (c *SecurityUninstallHookCmd) Run(g *Globals, env *Env) error {
	res, err := hooks.Uninstall(env.Ctx, hooks.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed pre-commit hook %s\n", res.Hook)
	if res.Restored {
		fmt.Fprintln(env.Stdout, "restored the hook it had replaced")
	}
	return nil
}
