package vault

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
)

// gitLocation is where a working tree's git data lives and what HEAD points at.
type gitLocation struct {
	// CommonDir holds objects, refs and config (shared by linked worktrees).
	CommonDir string
	// Head is HEAD's commit id, "" when the branch has no commits yet.
	Head string
}

// locateGit resolves the git directory and HEAD. It reads the files itself (.git, HEAD,
// loose refs, packed-refs) because `versions` and `get --version` are hot paths whose
// warm cost must stay near a single git process; anything unusual (reftable, unborn
// branch) falls back to `git rev-parse`.
func (s *Store) locateGit(ctx context.Context) (gitLocation, error) {
	if loc, ok := readGitFiles(s.Root); ok {
		return loc, nil
	}
	out, err := runGit(ctx, s.Root, "rev-parse", "--path-format=absolute", "--git-common-dir")
	if err != nil {
		return gitLocation{}, err
	}
	loc := gitLocation{CommonDir: strings.TrimSpace(out)}
	if head, err := runGit(ctx, s.Root, "rev-parse", "-q", "--verify", "HEAD^{commit}"); err == nil {
		loc.Head = strings.TrimSpace(head)
	}
	return loc, nil
}

func readGitFiles(root string) (gitLocation, bool) {
	gitDir := filepath.Join(root, ".git")
	fi, err := os.Stat(gitDir)
	if err != nil {
		return gitLocation{}, false
	}
	if !fi.IsDir() {
		// A linked worktree or submodule: ".git" is a file "gitdir: PATH".
		data, err := os.ReadFile(gitDir)
		if err != nil {
			return gitLocation{}, false
		}
		p, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: ")
		if !ok {
			return gitLocation{}, false
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		gitDir = p
	}
	common := gitDir
	if data, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(data))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = filepath.Clean(c)
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return gitLocation{}, false
	}
	h := strings.TrimSpace(string(head))
	ref, isRef := strings.CutPrefix(h, "ref: ")
	if !isRef {
		return gitLocation{CommonDir: common, Head: h}, isCommitID(h)
	}
	if id, ok := readRef(gitDir, common, ref); ok {
		return gitLocation{CommonDir: common, Head: id}, true
	}
	return gitLocation{}, false
}

// readRef resolves one level of a branch ref from loose files or packed-refs.
func readRef(gitDir, common, ref string) (string, bool) {
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") {
		return "", false
	}
	for _, dir := range []string{gitDir, common} {
		if data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref))); err == nil {
			id := strings.TrimSpace(string(data))
			return id, isCommitID(id)
		}
	}
	f, err := os.Open(filepath.Join(common, "packed-refs"))
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		id, name, ok := strings.Cut(sc.Text(), " ")
		if ok && name == ref {
			return id, isCommitID(id)
		}
	}
	return "", false
}

// isCommitID accepts SHA-1 and SHA-256 object ids.
func isCommitID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
