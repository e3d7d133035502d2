// gogitlog REPO PATH [filename|pathfilter] [plain|keepfd]: prints the commits (from HEAD) that change
// PATH, newest first, with go-git's path-filtered log -- the go-git equivalent of
// `git log --format=%H -- PATH`. filename = LogOptions.FileName, pathfilter = LogOptions.PathFilter;
// plain = git.PlainOpen defaults, keepfd = filesystem storage with Options{KeepDescriptors: true}
// (packfiles stay open instead of being reopened for every object read).
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

func main() {
	repoPath, path, mode, open := os.Args[1], os.Args[2], "filename", "plain"
	if len(os.Args) > 3 {
		mode = os.Args[3]
	}
	if len(os.Args) > 4 {
		open = os.Args[4]
	}
	var r *git.Repository
	var err error
	switch open {
	case "plain":
		r, err = git.PlainOpen(repoPath)
	case "keepfd":
		st := filesystem.NewStorageWithOptions(osfs.New(filepath.Join(repoPath, ".git")), cache.NewObjectLRUDefault(),
			filesystem.Options{KeepDescriptors: true})
		defer st.Close()
		r, err = git.Open(st, osfs.New(repoPath))
	default:
		err = fmt.Errorf("unknown open mode %q", open)
	}
	check(err)
	opts := &git.LogOptions{}
	switch mode {
	case "filename":
		opts.FileName = &path
	case "pathfilter":
		opts.PathFilter = func(p string) bool { return p == path }
	default:
		check(fmt.Errorf("unknown mode %q", mode))
	}
	it, err := r.Log(opts)
	check(err)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	check(it.ForEach(func(c *object.Commit) error { _, err := fmt.Fprintln(w, c.Hash); return err }))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
