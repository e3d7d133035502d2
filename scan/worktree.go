package scan

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// workTree scans tracked and untracked, not ignored files (every file outside git).
func (r *run) workTree(ctx context.Context, paths []string) error {
	var files []string
	var err error
	if r.s.git {
		files, err = r.listGitFiles(ctx, paths)
	} else {
		files, err = r.walkFiles(paths)
	}
	if err != nil {
		return err
	}
	// Files are read and cut into gitleaks-sized fragments by a few readers; the fragments
	// are scanned by one worker per core, so one huge file does not leave cores idle.
	frags := make(chan sources.Fragment, 4*r.s.workers)
	scanners := workers(r.s.workers, frags, func(fr sources.Fragment) { r.detect(ctx, fr) })
	in := make(chan string)
	readers := workers(fileReaders, in, func(rel string) { r.readFile(ctx, rel, frags) })
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		in <- f
	}
	close(in)
	readers.Wait()
	close(frags)
	scanners.Wait()
	return ctx.Err()
}

// fileReaders is how many files are read at once.
const fileReaders = 2

func (r *run) listGitFiles(ctx context.Context, paths []string) ([]string, error) {
	args := append([]string{"ls-files", "-z", "--cached", "--others", "--exclude-standard"}, pathspecs(paths)...)
	out, err := gitOutput(ctx, r.s.root, args...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	// Unmerged paths are listed once per stage.
	slices.Sort(files)
	return slices.Compact(files), nil
}

// walkFiles lists a plain directory as gitleaks' `dir` does: no symlinks, .git skipped,
// directories matched by a global path allowlist pruned.
func (r *run) walkFiles(paths []string) ([]string, error) {
	roots := []string{"."}
	if len(paths) > 0 {
		roots = paths
	}
	var files []string
	for _, top := range roots {
		err := filepath.WalkDir(filepath.Join(r.s.root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if d != nil && d.IsDir() && p != filepath.Join(r.s.root, top) {
					r.skip(p, err.Error())
					return fs.SkipDir
				}
				return err
			}
			rel, _ := filepath.Rel(r.s.root, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if d.Name() == ".git" || (rel != "." && r.pathAllowed(rel)) {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			return nil, errs.Wrap(errs.Input, err, "scan %s", top)
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

// pathAllowed mirrors gitleaks' sources.shouldSkipPath: a path matched by any global
// allowlist's paths is not read at all.
func (r *run) pathAllowed(rel string) bool {
	for _, a := range r.s.rules.Allowlists {
		if a.PathAllowed(rel) {
			return true
		}
	}
	return false
}

// readFile cuts one working-tree file into fragments as gitleaks does (100 kB pieces
// ending at a blank line where possible; binary and archive files skipped) and sends them
// to frags.
func (r *run) readFile(ctx context.Context, rel string, frags chan<- sources.Fragment) {
	if r.pathAllowed(rel) {
		return
	}
	abs := filepath.Join(r.s.root, filepath.FromSlash(rel))
	fi, err := os.Lstat(abs)
	if err != nil {
		if !isNotExist(err) { // deleted from the working tree but still in the index
			r.skip(rel, err.Error())
		}
		return
	}
	// Symlinks are not followed (gitleaks' default); directories here are submodules.
	if !fi.Mode().IsRegular() || fi.Size() == 0 {
		return
	}
	if r.s.maxSize > 0 && fi.Size() > r.s.maxSize {
		r.skip(rel, "larger than the size limit")
		return
	}
	r.files.Add(1)
	f, err := os.Open(abs)
	if err != nil {
		r.skip(rel, err.Error())
		return
	}
	defer f.Close()
	if kind := classify(rel); kind != notVault {
		r.readVaultFile(rel, f, kind, frags)
		return
	}
	src := sources.File{Content: f, Path: rel}
	err = src.Fragments(ctx, func(fr sources.Fragment, err error) error {
		if err != nil {
			r.skip(rel, err.Error())
			return nil
		}
		fr.Bytes = nil // aliases the reader's buffer; Raw is a copy
		select {
		case frags <- fr:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil && ctx.Err() == nil {
		r.skip(rel, err.Error())
	}
}

// readVaultFile verifies a whole swiftclaw file and sends it as one fragment, with its
// verified ciphertext blanked.
func (r *run) readVaultFile(rel string, f io.Reader, kind vaultKind, frags chan<- sources.Fragment) {
	content, err := io.ReadAll(io.LimitReader(f, maxVaultFile))
	if err != nil {
		r.skip(rel, err.Error())
		return
	}
	vc := checkVaultFile(kind, content)
	fr := sources.Fragment{FilePath: rel, StartLine: 1, Raw: blankLines(string(content), 1, vc.protected)}
	r.vaultFindings(fr, vc, func(int) bool { return true })
	frags <- fr
}
