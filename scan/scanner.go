package scan

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// gitleaksMaxDecodeDepth is the gitleaks CLI's default --max-decode-depth: findings inside
// base64, hex and percent-encoded text are found as the CLI finds them.
const gitleaksMaxDecodeDepth = 5

// Options configures a [Scanner].
type Options struct {
	// Dir is any directory inside the repository to scan (default: the working directory).
	// Outside a git repository it is the directory scanned; only ModeWorkTree works there.
	Dir string
	// ConfigPath is a gitleaks config file to use instead of <root>/.gitleaks.toml.
	ConfigPath string
	// IgnorePath is a .gitleaksignore file to use instead of <root>/.gitleaksignore.
	IgnorePath string
	// Managed are plaintexts of managed secrets to find verbatim (see [Managed]).
	Managed []Managed
	// Fingerprints find managed secrets without their plaintexts (see [Fingerprints]), in
	// addition to the repository's own fingerprint files, which New always loads (skipping
	// malformed ones: the scan reports those as findings).
	Fingerprints []*Fingerprints
	// MaxFileSize skips working-tree files larger than this many bytes; 0 means no limit,
	// as in gitleaks. Skipped files are listed in [Result.Skipped].
	MaxFileSize int64
	// Workers is how many files (working tree; fragments of a large file are shared) or
	// changed files (diffs) are scanned at once; default twice GOMAXPROCS, so that a core
	// whose worker waits in a system call (open, read) has another to run.
	Workers int
}

// Scanner scans one repository. It is safe for concurrent use; build it once.
type Scanner struct {
	root    string
	git     bool
	rules   config.Config
	ignore  string
	match   *matcher
	maxSize int64
	workers int
}

// New loads the rules for the repository containing opts.Dir.
func New(opts Options) (*Scanner, error) {
	silenceGitleaksLogging()
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "scan directory")
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, errs.New(errs.Input, "%s is not a directory", dir)
	}
	s := &Scanner{root: dir, maxSize: opts.MaxFileSize, workers: opts.Workers}
	if root, err := RepoRoot(context.Background(), dir); err == nil {
		s.root, s.git = root, true
	} else if errs.KindOf(err) != errs.Input {
		return nil, err
	}
	if s.workers <= 0 {
		s.workers = 2 * runtime.GOMAXPROCS(0)
	}
	if s.rules, _, err = loadRules(s.root, opts.ConfigPath); err != nil {
		return nil, err
	}
	s.ignore = opts.IgnorePath
	if s.ignore == "" {
		s.ignore = filepath.Join(s.root, GitleaksIgnoreFile)
	}
	fps := opts.Fingerprints
	if s.git {
		repoFPs, err := loadFingerprints(s.root, false)
		if err != nil {
			return nil, err
		}
		fps = append(slices.Clone(fps), repoFPs...)
	}
	s.match = newMatcher(opts.Managed, fps)
	return s, nil
}

// RepoRoot returns the top-level directory of the git working tree containing dir (a
// linked worktree's own directory, not the main one's).
func RepoRoot(ctx context.Context, dir string) (string, error) {
	out, err := gitOutput(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", err
		}
		return "", errs.New(errs.Input, "%s is not in a git working tree", dir).WithHint("run inside a git repository")
	}
	return filepath.Clean(strings.TrimSpace(string(out))), nil
}

// Root is the repository's top-level directory (or the scanned directory outside git).
func (s *Scanner) Root() string { return s.root }

// IsGit reports whether the scanner works on a git repository.
func (s *Scanner) IsGit() bool { return s.git }

// Rules returns the IDs and descriptions of the rules in use, gitleaks' and swiftclaw's,
// in a stable order.
func (s *Scanner) Rules() []Rule {
	var out []Rule
	for _, r := range s.rules.GetOrderedRules() {
		out = append(out, Rule{ID: r.RuleID, Description: r.Description})
	}
	return append(out, swiftclawRules...)
}

// Rule describes a detection rule.
type Rule struct {
	ID          string `json:"id"`
	Description string `json:"description"`
}

var swiftclawRules = []Rule{
	{ManagedRuleID, "Plaintext of a secret managed by swiftclaw"},
	{UnencryptedRuleID, "Value in a swiftclaw secret file that is not age ciphertext"},
	{MalformedRuleID, "swiftclaw secret file that is not valid YAML, so its values cannot be verified"},
}

// Mode is what a scan looks at.
type Mode string

// Scan modes.
const (
	ModeWorkTree Mode = "worktree" // files in the working tree
	ModeStaged   Mode = "staged"   // added lines of the staged changes
	ModeHistory  Mode = "history"  // added lines of commits
)

// Target says what to scan.
type Target struct {
	Mode Mode
	// Range limits a history scan to a revision range (e.g. "main..HEAD", "v1.2.0..",
	// "HEAD~20..HEAD"); empty means all refs, as gitleaks does.
	Range string
	// Paths limits the scan to these files or directories, relative to the repository root.
	Paths []string
}

// Result is the outcome of a scan.
type Result struct {
	Mode     Mode      `json:"mode"`
	Findings []Finding `json:"findings"`
	Files    int       `json:"files_scanned"`
	Commits  int       `json:"commits_scanned,omitempty"`
	Bytes    uint64    `json:"bytes_scanned"`
	Skipped  []Skipped `json:"skipped,omitempty"`
	// Rules lists the rules the findings refer to, for reports such as SARIF.
	Rules []Rule `json:"-"`
}

// Skipped is a file the scan could not read or was told to skip.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Scan runs one scan. It returns findings in the Result, not as an error: a scan that
// finds secrets succeeded. Errors are failures to scan.
func (s *Scanner) Scan(ctx context.Context, t Target) (*Result, error) {
	for _, p := range t.Paths {
		if p == "" || filepath.IsAbs(p) || strings.HasPrefix(filepath.ToSlash(filepath.Clean(p)), "../") {
			return nil, errs.New(errs.Input, "scan path %q must be relative to the repository root and inside it", p)
		}
	}
	r := &run{s: s, det: detect.NewDetectorContext(ctx, s.rules)}
	r.det.MaxDecodeDepth = gitleaksMaxDecodeDepth
	if _, err := os.Stat(s.ignore); err == nil {
		if err := r.det.AddGitleaksIgnore(s.ignore); err != nil {
			return nil, errs.Wrap(errs.Input, err, "read %s", s.ignore)
		}
	}
	var err error
	switch t.Mode {
	case ModeWorkTree, "":
		t.Mode = ModeWorkTree
		err = r.workTree(ctx, t.Paths)
	case ModeStaged, ModeHistory:
		if !s.git {
			return nil, errs.New(errs.Input, "%s is not in a git repository", s.root).
				WithHint("run inside a git repository, or scan files with `swiftclaw security scan --check`")
		}
		if t.Mode == ModeStaged {
			err = r.staged(ctx, t.Paths)
		} else {
			err = r.history(ctx, t.Range, t.Paths)
		}
	default:
		return nil, errs.New(errs.Input, "unknown scan mode %q", t.Mode)
	}
	if err != nil {
		return nil, err
	}
	res := &Result{Mode: t.Mode, Files: int(r.files.Load()), Bytes: r.det.TotalBytes.Load(), Skipped: r.skipped}
	r.commitsMu.Lock()
	res.Commits = len(r.commits)
	r.commitsMu.Unlock()
	seen := map[string]bool{}
	for _, f := range r.det.Findings() {
		res.Findings = append(res.Findings, fromReport(f))
		seen[f.RuleID] = true
	}
	sortFindings(res.Findings)
	for _, rule := range s.Rules() {
		if seen[rule.ID] {
			res.Rules = append(res.Rules, rule)
		}
	}
	return res, nil
}

// run is the state of one scan.
type run struct {
	s         *Scanner
	det       *detect.Detector
	files     atomic.Int64
	mu        sync.Mutex
	skipped   []Skipped
	commitsMu sync.Mutex
	commits   map[string]bool
}

func (r *run) skip(path, reason string) {
	r.mu.Lock()
	r.skipped = append(r.skipped, Skipped{path, reason})
	r.mu.Unlock()
}

// detect runs the gitleaks rules and the managed-secret matcher over one fragment and
// records the findings (AddFinding applies .gitleaksignore and sets fingerprints).
func (r *run) detect(ctx context.Context, fr sources.Fragment) {
	if fr.Raw == "" {
		return
	}
	//lint:ignore SA1019 gitleaks v8's DetectContext takes detect.Fragment; v9 replaces it with sources.Fragment.
	for _, f := range r.det.DetectContext(ctx, detect.Fragment(fr)) {
		r.det.AddFinding(f)
	}
	if r.s.match.empty() {
		return
	}
	for _, h := range r.s.match.find(fr.Raw) {
		f := locate(fr, h.start, h.end)
		if strings.Contains(f.Line, "gitleaks:allow") {
			continue
		}
		f.RuleID = ManagedRuleID
		f.Description = "Plaintext of managed secret " + h.name
		f.Tags = []string{managedTag + h.name}
		r.det.AddFinding(f)
	}
}

// locate builds a finding for text[start:end] of a fragment, with gitleaks' line and
// column conventions (1-based lines from fr.StartLine, 1-based columns).
func locate(fr sources.Fragment, start, end int) report.Finding {
	raw := fr.Raw
	lineStart := strings.LastIndexByte(raw[:start], '\n') + 1
	lineEnd := strings.IndexByte(raw[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(raw)
	} else {
		lineEnd += start
	}
	line := fr.StartLine + strings.Count(raw[:start], "\n")
	f := report.Finding{
		StartLine:   line,
		EndLine:     line + strings.Count(raw[start:end], "\n"),
		StartColumn: start - lineStart + 1,
		EndColumn:   end - (strings.LastIndexByte(raw[:end], '\n') + 1),
		Line:        raw[lineStart:max(lineEnd, end)],
		Match:       raw[start:end],
		Secret:      raw[start:end],
		File:        fr.FilePath,
		Commit:      fr.CommitSHA,
	}
	if ci := fr.CommitInfo; ci != nil {
		f.Author, f.Email, f.Date, f.Message = ci.AuthorName, ci.AuthorEmail, ci.Date, ci.Message
	}
	return f
}

// vaultFindings reports the problems checkVaultFile found, limited to lines accepted by
// inScope (the added lines of a diff; everything for a working-tree file).
func (r *run) vaultFindings(fr sources.Fragment, vc vaultCheck, inScope func(line int) bool) {
	if vc.malformed > 0 && inScope(vc.malformed) {
		f := report.Finding{
			RuleID:      MalformedRuleID,
			Description: "swiftclaw secret file is not valid YAML, so its values cannot be verified (unresolved merge?)",
			StartLine:   vc.malformed, EndLine: vc.malformed, StartColumn: 1, EndColumn: 1,
			File: fr.FilePath, Commit: fr.CommitSHA,
		}
		r.det.AddFinding(withCommit(f, fr))
	}
	for _, b := range vc.bad {
		if !inScope(b.line) {
			continue
		}
		f := report.Finding{
			RuleID:      UnencryptedRuleID,
			Description: "Value " + b.key + " in a swiftclaw secret file is not age ciphertext",
			StartLine:   b.line, EndLine: b.line, StartColumn: 1, EndColumn: 1,
			Secret: b.value, Match: b.value,
			File: fr.FilePath, Commit: fr.CommitSHA,
		}
		r.det.AddFinding(withCommit(f, fr))
	}
}

func withCommit(f report.Finding, fr sources.Fragment) report.Finding {
	if ci := fr.CommitInfo; ci != nil {
		f.Author, f.Email, f.Date, f.Message = ci.AuthorName, ci.AuthorEmail, ci.Date, ci.Message
	}
	return f
}

// workers runs fn on every item from in, on n goroutines.
func workers[T any](n int, in <-chan T, fn func(T)) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range in {
				fn(v)
			}
		}()
	}
	return &wg
}

// isNotExist reports whether err says a file vanished between listing and reading.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
