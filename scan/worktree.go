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

// fragmentBuffer is gitleaks' read size for files (sources.defaultBufferSize).
const fragmentBuffer = 100_000

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
	in := make(chan string)
	wg := workers(r.s.workers, in, func(rel string) {
		buf := make([]byte, fragmentBuffer)
		r.scanFile(ctx, rel, buf)
	})
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		in <- f
	}
	close(in)
	wg.Wait()
	return ctx.Err()
}

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

// scanFile scans one working-tree file in gitleaks-sized fragments.
func (r *run) scanFile(ctx context.Context, rel string, buf []byte) {
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
	if kind := classify(rel); kind != notVault {
		r.scanVaultFile(ctx, rel, abs, kind)
		return
	}
	f, err := os.Open(abs)
	if err != nil {
		r.skip(rel, err.Error())
		return
	}
	defer f.Close()
	src := sources.File{Content: f, Path: rel, Buffer: buf}
	err = src.Fragments(ctx, func(fr sources.Fragment, err error) error {
		if err != nil {
			r.skip(rel, err.Error())
			return nil
		}
		r.detect(ctx, fr)
		return nil
	})
	if err != nil && ctx.Err() == nil {
		r.skip(rel, err.Error())
	}
}

// scanVaultFile scans a whole swiftclaw file with its verified ciphertext blanked.
func (r *run) scanVaultFile(ctx context.Context, rel, abs string, kind vaultKind) {
	f, err := os.Open(abs)
	if err != nil {
		r.skip(rel, err.Error())
		return
	}
	defer f.Close()
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
