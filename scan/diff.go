package scan

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// staged scans the added lines of the staged changes. Renames are not detected, so a
// renamed file is scanned in full as a new file (a secret moved to a new path is found);
// deleted lines and deleted files are never scanned. The index is the one git gives a
// pre-commit hook in GIT_INDEX_FILE, so `git commit -a` and `git commit PATH` are right too.
func (r *run) staged(ctx context.Context, paths []string) error {
	args := append([]string{"diff", "--cached", "--no-renames"}, diffArgs...)
	args = append(args, pathspecs(paths)...)
	return r.diff(ctx, args, func(string) string { return ":" })
}

// history scans the added lines of every commit reachable from all refs (gitleaks'
// default), or in rng. Merge commits are scanned through their remerge diff: what the
// merge itself introduced beyond a clean automatic merge (conflict resolutions, evil
// merges), without re-reporting what its parents added. That needs git 2.36 or newer.
func (r *run) history(ctx context.Context, rng string, paths []string) error {
	if strings.HasPrefix(rng, "-") {
		return errs.New(errs.Input, "revision range %q must not start with '-'", rng)
	}
	args := append([]string{"log", "-p", "--pretty=medium", "--date=default", "--no-abbrev-commit",
		"--no-decorate", "--no-show-signature", "--diff-merges=remerge", "--diff-filter=tuxdb"}, diffArgs...)
	if rng == "" {
		args = append(args, "--full-history", "--all")
	} else {
		args = append(args, "--end-of-options", rng)
	}
	args = append(args, pathspecs(paths)...)
	return r.diff(ctx, args, func(sha string) string { return sha + ":" })
}

// diff parses git's patch output and scans each changed file's added lines in parallel.
// blobPrefix names the side of the diff to read whole swiftclaw files from.
func (r *run) diff(ctx context.Context, args []string, blobPrefix func(sha string) string) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out, wait, err := gitStream(ctx, r.s.root, args...)
	if err != nil {
		return err
	}
	stream := newRemergeFilter(out)
	defer stream.Close()
	files, err := gitdiff.Parse(stream)
	if err != nil {
		cancel()
		_ = wait()
		return errs.Wrap(errs.Internal, err, "parse git %s output", args[0])
	}
	blobs := &catFile{ctx: ctx, dir: r.s.root}
	defer blobs.close()
	r.commits = map[string]bool{}
	in := make(chan *gitdiff.File)
	wg := workers(r.s.workers, in, func(f *gitdiff.File) { r.scanDiffFile(ctx, f, blobs, blobPrefix) })
	for f := range files {
		if f.PatchHeader != nil {
			r.commitsMu.Lock()
			r.commits[f.PatchHeader.SHA] = true
			r.commitsMu.Unlock()
		}
		if f.IsDelete || f.IsBinary || len(f.TextFragments) == 0 {
			continue
		}
		in <- f
	}
	close(in)
	wg.Wait()
	if !stream.complete() {
		// The parser gave up before the end of git's output: a partial scan must not pass.
		cancel()
		_ = wait()
		if parent.Err() != nil {
			return parent.Err()
		}
		return errs.New(errs.Internal, "could not parse the output of git %s", args[0])
	}
	if err := wait(); err != nil {
		if strings.Contains(err.Error(), "diff-merges") {
			return errs.Wrap(errs.Internal, err, "history scans need git 2.36 or newer").WithHint("upgrade git")
		}
		return err
	}
	return nil
}

// noRemote turns off gitleaks' links to a hosting platform (the zero Platform is unknown).
var noRemote = &sources.RemoteInfo{}

func (r *run) scanDiffFile(ctx context.Context, f *gitdiff.File, blobs *catFile, blobPrefix func(string) string) {
	r.files.Add(1)
	var sha string
	var info *sources.CommitInfo
	if h := f.PatchHeader; h != nil {
		sha = h.SHA
		info = &sources.CommitInfo{Remote: noRemote, SHA: sha, Date: h.AuthorDate.UTC().Format(time.RFC3339), Message: h.Message()}
		if h.Author != nil {
			info.AuthorName, info.AuthorEmail = h.Author.Name, h.Author.Email
		}
	}
	var vc *vaultCheck
	if kind := classify(f.NewName); kind != notVault {
		data, ok, err := blobs.get(blobPrefix(sha) + f.NewName)
		if err != nil {
			r.skip(f.NewName, err.Error())
		} else if ok {
			c := checkVaultFile(kind, data)
			vc = &c
		}
	}
	for _, tf := range f.TextFragments {
		start := int(tf.NewPosition)
		fr := sources.Fragment{
			Raw:        tf.Raw(gitdiff.OpAdd),
			FilePath:   f.NewName,
			CommitSHA:  sha,
			StartLine:  start,
			CommitInfo: info,
		}
		if vc != nil {
			end := start + int(tf.NewLines)
			r.vaultFindings(fr, *vc, func(line int) bool { return line >= start && line < end })
			fr.Raw = blankLines(fr.Raw, start, vc.protected)
		}
		r.detect(ctx, fr)
	}
}

// remergeFilter passes git's output to the diff parser, dropping the
// "remerge CONFLICT ..." lines git puts in the file headers of remerge diffs, which the
// parser does not know. Diff body lines start with '+', '-', ' ' or '\\', and commit message
// lines are indented, so nothing else is dropped. It records whether git's output was
// read to the end.
type remergeFilter struct {
	*io.PipeReader
	done atomic.Bool
}

func newRemergeFilter(r io.Reader) *remergeFilter {
	pr, pw := io.Pipe()
	f := &remergeFilter{PipeReader: pr}
	go func() {
		br := bufio.NewReaderSize(r, 256<<10)
		bw := bufio.NewWriterSize(pw, 256<<10)
		prefix := []byte("remerge ")
		atLineStart := true
		for {
			chunk, err := br.ReadSlice('\n')
			if len(chunk) > 0 {
				if !atLineStart || !bytes.HasPrefix(chunk, prefix) {
					if _, werr := bw.Write(chunk); werr != nil {
						return // the reader was closed
					}
				}
				atLineStart = chunk[len(chunk)-1] == '\n'
			}
			if err == nil || err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				if err = bw.Flush(); err == nil {
					f.done.Store(true)
				}
			}
			pw.CloseWithError(err)
			return
		}
	}()
	return f
}

func (f *remergeFilter) complete() bool { return f.done.Load() }
