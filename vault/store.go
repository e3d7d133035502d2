package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/fsutil"
	"github.com/swiftclaw/swiftclaw/policy"
)

// DirName is the directory swiftclaw keeps at the root of a working tree.
const DirName = ".swiftclaw"

// Options configure a Store.
type Options struct {
	// Dir is where to start looking for the project (default: the current directory).
	Dir string
	// Identity says where to find the user's private keys.
	Identity IdentityOptions
	// NoCommit turns auto-commit off for this process (the --no-commit flag).
	NoCommit bool
	// Now is the clock; default time.Now. Tests inject a fixed clock.
	Now func() time.Time
	// LockTimeout bounds how long a write waits for another swiftclaw process (default 10s).
	LockTimeout time.Duration
}

// Store is a swiftclaw project: the .swiftclaw directory of one working tree.
type Store struct {
	// Root is the working tree root (the directory holding .swiftclaw).
	Root string
	// InGit reports whether Root is inside a git working tree.
	InGit bool

	// Auditor, when set, records reads and writes of values (see AuditEvent).
	Auditor Auditor

	opts  Options
	ids   *Identities
	idErr error
}

// Dir returns the .swiftclaw directory.
func (s *Store) Dir() string { return filepath.Join(s.Root, DirName) }

// Now returns the store's clock reading.
func (s *Store) Now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// findRoot walks up from dir: the nearest directory with a .git entry is the working tree
// root; outside git, the nearest with .swiftclaw; else dir itself.
func findRoot(dir string) (root string, inGit bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false, err
	}
	firstSwift := ""
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, true, nil
		}
		if firstSwift == "" {
			if fi, err := os.Lstat(filepath.Join(d, DirName)); err == nil && fi.IsDir() {
				firstSwift = d
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if firstSwift != "" {
		return firstSwift, false, nil
	}
	return abs, false, nil
}

func newStore(opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 10 * time.Second
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if fi, err := os.Stat(opts.Dir); err != nil || !fi.IsDir() {
		return nil, errs.New(errs.Input, "%s is not a directory", opts.Dir)
	}
	root, inGit, err := findRoot(opts.Dir)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot resolve %s", opts.Dir)
	}
	return &Store{Root: root, InGit: inGit, opts: opts}, nil
}

// Open opens the project containing opts.Dir. It fails with a hint to run `swiftclaw init`
// when there is no .swiftclaw directory.
func Open(opts Options) (*Store, error) {
	s, err := newStore(opts)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(s.Dir())
	if err != nil || !fi.IsDir() {
		return nil, errs.New(errs.NotFound, "no %s directory in %s", DirName, s.Root).
			WithHint("run `swiftclaw init` at the root of your repository")
	}
	return s, nil
}

// Identities loads (once) the user's identities. The error, if any, is an errs.Decrypt
// listing where it looked.
func (s *Store) Identities() (*Identities, error) {
	if s.ids == nil && s.idErr == nil {
		s.ids, s.idErr = LoadIdentities(s.opts.Identity)
	}
	return s.ids, s.idErr
}

// path joins elements under .swiftclaw, refusing symlinks on the way so nothing can
// redirect a read or write outside the directory.
func (s *Store) path(elem ...string) (string, error) {
	p := s.Dir()
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return "", errs.New(errs.Permission, "%s is a symbolic link; swiftclaw does not follow links", p)
	}
	for _, e := range elem {
		p = filepath.Join(p, e)
		fi, err := os.Lstat(p)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return "", errs.Wrap(errs.Internal, err, "cannot stat %s", p)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return "", errs.New(errs.Permission, "%s is a symbolic link; swiftclaw does not follow links", s.rel(p)).
				WithHint("replace the link with a regular file or directory")
		}
	}
	return p, nil
}

// rel returns p relative to the root, with forward slashes, for messages and git.
func (s *Store) rel(p string) string {
	r, err := filepath.Rel(s.Root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

func (s *Store) config() (*Config, error) {
	p, err := s.path("config.yaml")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return nil, errs.Wrap(errs.Internal, err, "cannot read %s", s.rel(p))
	}
	return parseConfig(data, s.rel(p))
}

// Recipients reads recipients.yaml.
func (s *Store) Recipients() (*Recipients, error) {
	p, err := s.path("recipients.yaml")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return nil, errs.Wrap(errs.Internal, err, "cannot read %s", s.rel(p))
	}
	return ParseRecipients(data, s.rel(p))
}

// Policy reads policy.yaml.
func (s *Store) Policy() (*policy.Policy, error) {
	p, err := s.path("policy.yaml")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return nil, errs.Wrap(errs.Internal, err, "cannot read %s", s.rel(p))
	}
	return policy.Parse(data, s.rel(p))
}

// Readers returns the sorted public keys that agent/name must be encrypted to: every
// owner's keys plus the keys of principals granted read (name "" = the env file).
func (s *Store) Readers(rec *Recipients, pol *policy.Policy, agent, name string) ([]string, error) {
	var keys []string
	for _, p := range rec.Owners() {
		keys = append(keys, p.Keys...)
	}
	for _, ref := range pol.Principals(policy.Read, agent, name) {
		if p, ok := rec.Lookup(ref); ok {
			keys = append(keys, p.Keys...)
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if len(keys) == 0 {
		return nil, errs.New(errs.Input, "nobody could read %s/%s: recipients.yaml has no owner keys", agent, orEnv(name)).
			WithHint("add an owner with `swiftclaw keys add user EMAIL age1... --owner`")
	}
	return keys, nil
}

func orEnv(name string) string {
	if name == "" {
		return "env"
	}
	return name
}

// WriteResult reports what a write did.
type WriteResult struct {
	// Changed lists the files written or removed, relative to the root.
	Changed []string
	// Commit is the id of the commit made, or "" when nothing was committed.
	Commit string
	// Warnings are things the user should know that did not stop the write.
	Warnings []string
}

// txn collects file changes so a write either stages everything or nothing: all
// validation and encryption happen before the first byte hits the disk.
type txn struct {
	s       *Store
	writes  map[string][]byte // absolute path -> content
	removes map[string]bool
	touched map[string]bool
	order   []string
}

// touch marks path as part of this operation without writing it, so that a change an
// earlier interrupted or --no-commit run left uncommitted is committed now.
func (t *txn) touch(path string) {
	if _, ok := t.writes[path]; !ok && !t.removes[path] && !t.touched[path] {
		t.order = append(t.order, path)
	}
	t.touched[path] = true
}

func (t *txn) put(path string, data []byte) {
	if _, ok := t.writes[path]; !ok && !t.removes[path] {
		t.order = append(t.order, path)
	}
	delete(t.removes, path)
	t.writes[path] = data
}

func (t *txn) remove(path string) {
	if _, ok := t.writes[path]; !ok && !t.removes[path] {
		t.order = append(t.order, path)
	}
	delete(t.writes, path)
	t.removes[path] = true
}

// write runs fn under the project lock, applies the changes it staged and commits them
// with message msg. Files whose content is unchanged are not rewritten.
func (s *Store) write(ctx context.Context, msg string, fn func(t *txn) error) (*WriteResult, error) {
	commit, err := s.shouldCommit()
	if err != nil {
		return nil, err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	t := &txn{s: s, writes: map[string][]byte{}, removes: map[string]bool{}, touched: map[string]bool{}}
	if err := fn(t); err != nil {
		return nil, err
	}
	res := &WriteResult{}
	var batch []fsutil.File
	var removes []string
	for _, p := range t.order {
		if data, ok := t.writes[p]; ok {
			if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return res, errs.Wrap(errs.Internal, err, "cannot create %s", s.rel(filepath.Dir(p)))
			}
			batch = append(batch, fsutil.File{Path: p, Data: data, Perm: 0o644})
		} else if t.removes[p] {
			if _, err := os.Lstat(p); err != nil {
				continue // already gone
			}
			removes = append(removes, p)
		} else {
			continue // only touched
		}
		res.Changed = append(res.Changed, s.rel(p))
	}
	// Each file is replaced atomically; bulk changes (grant, revoke) overlap their fsyncs.
	if err := fsutil.WriteFiles(batch, 8); err != nil {
		return res, errs.Wrap(errs.Internal, err, "cannot write the changed files")
	}
	for _, p := range removes {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return res, errs.Wrap(errs.Internal, err, "cannot remove %s", s.rel(p))
		}
		removeEmptyParents(filepath.Dir(p), s.Dir())
	}
	if !commit {
		return res, nil
	}
	// Commit every path of this operation that differs from HEAD: what was just written,
	// and what an interrupted or --no-commit run left behind.
	all := make([]string, len(t.order))
	for i, p := range t.order {
		all[i] = s.rel(p)
	}
	dirty, err := gitDirty(ctx, s.Root, all)
	if err != nil {
		return res, err
	}
	if len(dirty) == 0 {
		return res, nil
	}
	if leftover := subtract(dirty, res.Changed); len(leftover) > 0 {
		res.Warnings = append(res.Warnings, "also committing changes an earlier run left uncommitted: "+strings.Join(leftover, ", "))
	}
	id, err := gitCommit(ctx, s.Root, msg, dirty)
	if err != nil {
		return res, err
	}
	res.Commit = id
	return res, nil
}

func subtract(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// removeEmptyParents removes now-empty directories up to (not including) stop.
func removeEmptyParents(dir, stop string) {
	for dir != stop && strings.HasPrefix(dir, stop) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// shouldCommit decides auto-commit before anything is written: outside git, a write
// that should commit is refused rather than leaving uncommitted files behind.
func (s *Store) shouldCommit() (bool, error) {
	if s.opts.NoCommit {
		return false, nil
	}
	cfg, err := s.config()
	if err != nil {
		return false, err
	}
	if !cfg.AutocommitEnabled() {
		return false, nil
	}
	if !s.InGit {
		return false, errs.New(errs.Input, "%s is not in a git repository, so swiftclaw cannot commit the change", s.Root).
			WithHint("run `git init` first, or pass --no-commit (or set git.autocommit: false in .swiftclaw/config.yaml)")
	}
	// Check git knows who commits before anything is written.
	if _, err := runGit(context.Background(), s.Root, "var", "GIT_COMMITTER_IDENT"); err != nil {
		return false, errs.New(errs.Input, "git does not know who you are, so swiftclaw cannot commit").
			WithHint("run `git config user.email you@example.com` and `git config user.name \"Your Name\"`, or pass --no-commit")
	}
	return true, nil
}

// ErrLocked is wrapped by the error returned when another process holds the lock.
var ErrLocked = errors.New("another swiftclaw process is writing")
