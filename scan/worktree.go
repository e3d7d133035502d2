package scan

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// workTree scans tracked and untracked, not ignored files (every file outside git).
func (r *run) workTree(ctx context.Context, paths []string) error {
	in := make(chan string)
	frags := make(chan sources.Fragment, r.s.workers)
	var wg sync.WaitGroup
	for range r.s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.fileWorker(ctx, in, frags)
		}()
	}
	feed := func(rel string) bool {
		if ctx.Err() != nil {
			return false
		}
		in <- rel
		return true
	}
	var err error
	if r.s.git {
		err = r.listGitFiles(ctx, paths, feed)
	} else {
		err = r.walkFiles(paths, feed)
	}
	close(in)
	wg.Wait()
	if err != nil {
		return err
	}
	return ctx.Err()
}

// fileWorker scans whole files from in, one per core, while they are still being listed:
// each file is read, cut into gitleaks-sized fragments and scanned by the same goroutine,
// so the fragment is still in the core's cache. A worker in the middle of a large file
// hands its earlier fragments to frags when another worker is free to take them, so one
// huge file does not leave a core idle. Only workers send to frags, and each drains it
// before it exits, so no fragment is left behind.
func (r *run) fileWorker(ctx context.Context, in <-chan string, frags chan sources.Fragment) {
	for {
		select {
		case fr := <-frags:
			r.detect(ctx, fr)
			continue
		default:
		}
		select {
		case fr := <-frags:
			r.detect(ctx, fr)
		case rel, ok := <-in:
			if !ok {
				for {
					select {
					case fr := <-frags:
						r.detect(ctx, fr)
					default:
						return
					}
				}
			}
			r.scanFile(ctx, rel, frags)
		}
	}
}

// listGitFiles yields tracked and untracked, not ignored files, once each.
func (r *run) listGitFiles(ctx context.Context, paths []string, yield func(string) bool) error {
	args := append([]string{"ls-files", "-z", "--cached", "--others", "--exclude-standard"}, pathspecs(paths)...)
	out, err := gitOutput(ctx, r.s.root, args...)
	if err != nil {
		return err
	}
	prev := ""
	for _, f := range strings.Split(string(out), "\x00") {
		// Unmerged paths are listed once per stage, one after another.
		if f == "" || f == prev {
			continue
		}
		prev = f
		if !yield(f) {
			return nil
		}
	}
	return nil
}

// walkFiles yields the files of a plain directory as gitleaks' `dir` finds them: no
// symlinks, .git skipped, directories matched by a global path allowlist pruned.
func (r *run) walkFiles(paths []string, yield func(string) bool) error {
	roots := []string{"."}
	if len(paths) > 0 {
		roots = paths
	}
	seen := map[string]bool{} // overlapping roots
	for _, top := range roots {
		start := filepath.Join(r.s.root, top)
		err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if d != nil && d.IsDir() && p != start {
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
			if !d.Type().IsRegular() || (len(roots) > 1 && seen[rel]) {
				return nil
			}
			if len(roots) > 1 {
				seen[rel] = true
			}
			if !yield(rel) {
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			return errs.Wrap(errs.Input, err, "scan %s", top)
		}
	}
	return nil
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

// scanFile cuts one working-tree file into fragments as gitleaks does (100 kB pieces
// ending at a blank line where possible; binary and archive files skipped) and scans them.
// All but the last fragment go to frags when a worker is free to take them.
func (r *run) scanFile(ctx context.Context, rel string, frags chan<- sources.Fragment) {
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
		r.scanVaultFile(ctx, rel, f, kind)
		return
	}
	src := sources.File{Content: f, Path: rel}
	var held *sources.Fragment
	err = src.Fragments(ctx, func(fr sources.Fragment, err error) error {
		if err != nil {
			r.skip(rel, err.Error())
			return nil
		}
		fr.Bytes = nil // aliases the reader's buffer; Raw is a copy
		if held != nil {
			select {
			case frags <- *held:
			default:
				r.detect(ctx, *held)
			}
		}
		held = &fr
		return nil
	})
	if held != nil {
		r.detect(ctx, *held)
	}
	if err != nil && ctx.Err() == nil {
		r.skip(rel, err.Error())
	}
}

// scanVaultFile verifies a whole swiftclaw file and scans it as one fragment, with its
// verified ciphertext blanked.
func (r *run) scanVaultFile(ctx context.Context, rel string, f io.Reader, kind vaultKind) {
	content, err := io.ReadAll(io.LimitReader(f, maxVaultFile))
	if err != nil {
		r.skip(rel, err.Error())
		return
	}
	vc := checkVaultFile(kind, content)
	fr := sources.Fragment{FilePath: rel, StartLine: 1, Raw: blankLines(string(content), 1, vc.protected)}
	r.vaultFindings(fr, vc, func(int) bool { return true })
	r.detect(ctx, fr)
}
