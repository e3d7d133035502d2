package scan

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
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
	return r.diff(ctx, args, nil, func(string) string { return ":" })
}

// minCommitsPerLog is the fewest commits worth a git log process of their own (a
// variable so tests can split short histories).
var minCommitsPerLog = 100

// history scans the added lines of every commit reachable from all refs (gitleaks'
// default), or in rng. Merge commits are scanned through their remerge diff: what the
// merge itself introduced beyond a clean automatic merge (conflict resolutions, evil
// merges), without re-reporting what its parents added. That needs git 2.36 or newer.
//
// Producing the patches is a good part of the work, so a long history is split into one
// contiguous run of commits per core, each shown by its own `git log --no-walk --stdin`.
func (r *run) history(ctx context.Context, rng string, paths []string) error {
	if strings.HasPrefix(rng, "-") {
		return errs.New(errs.Input, "revision range %q must not start with '-'", rng)
	}
	revArgs := []string{"rev-list", "--full-history", "--all"}
	if rng != "" {
		revArgs = []string{"rev-list", "--end-of-options", rng}
	}
	out, err := gitOutput(ctx, r.s.root, append(revArgs, pathspecs(paths)...)...)
	if err != nil {
		return err
	}
	revs := strings.Fields(string(out))
	if len(revs) == 0 {
		r.commits = map[string]bool{}
		return nil
	}
	n := max(1, min(r.s.workers, len(revs)/minCommitsPerLog))
	inputs := make([]string, n)
	for i := range n {
		inputs[i] = strings.Join(revs[i*len(revs)/n:(i+1)*len(revs)/n], "\n") + "\n"
	}
	args := append([]string{"log", "-p", "--no-walk=unsorted", "--stdin", "--pretty=medium", "--date=default",
		"--no-abbrev-commit", "--no-decorate", "--no-show-signature", "--diff-merges=remerge", "--diff-filter=tuxdb"}, diffArgs...)
	args = append(args, pathspecs(paths)...)
	return r.diff(ctx, args, inputs, func(sha string) string { return sha + ":" })
}

// diff runs git with args once per input (the revisions git reads on stdin; nil means one
// run without stdin), parses the patches and scans each changed file's added lines in
// parallel. blobPrefix names the side of the diff to read whole swiftclaw files from.
func (r *run) diff(ctx context.Context, args []string, inputs []string, blobPrefix func(sha string) string) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blobs := &catFile{ctx: ctx, dir: r.s.root}
	defer blobs.close()
	r.commits = map[string]bool{}
	in := make(chan *gitdiff.File)
	scanners := workers(r.s.workers, in, func(f *gitdiff.File) { r.scanDiffFile(ctx, f, blobs, blobPrefix) })
	if inputs == nil {
		inputs = []string{""}
	}
	errc := make(chan error, len(inputs))
	var producers sync.WaitGroup
	for _, input := range inputs {
		producers.Add(1)
		go func() {
			defer producers.Done()
			err := r.parsePatches(ctx, args, input, in)
			if err != nil {
				cancel() // stop the other git processes: the scan has failed
			}
			errc <- err
		}()
	}
	producers.Wait()
	close(in)
	scanners.Wait()
	close(errc)
	if parent.Err() != nil {
		return parent.Err()
	}
	var first error
	for err := range errc {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	return first
}

// parsePatches runs one git command and sends the changed files it reports to in.
func (r *run) parsePatches(ctx context.Context, args []string, input string, in chan<- *gitdiff.File) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stdin io.Reader
	if input != "" {
		stdin = strings.NewReader(input)
	}
	out, wait, err := gitStream(ctx, r.s.root, stdin, args...)
	if err != nil {
		return err
	}
	stream := newRemergeFilter(out)
	files, err := gitdiff.Parse(stream)
	if err != nil {
		cancel()
		_ = wait()
		return errs.Wrap(errs.Internal, err, "parse git %s output", args[0])
	}
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
	if !stream.complete() {
		// The parser gave up before the end of git's output (or the scan was stopped): a
		// partial scan must not pass.
		stopped := ctx.Err() != nil
		cancel()
		_ = wait()
		if stopped {
			return context.Canceled
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
	br          *bufio.Reader
	pending     []byte // the rest of the current line; aliases br's buffer
	atLineStart bool
	err         error
	done        atomic.Bool
}

var remergePrefix = []byte("remerge ")

func newRemergeFilter(r io.Reader) *remergeFilter {
	return &remergeFilter{br: bufio.NewReaderSize(r, 256<<10), atLineStart: true}
}

// Read implements io.Reader.
func (f *remergeFilter) Read(p []byte) (int, error) {
	for len(f.pending) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		chunk, err := f.br.ReadSlice('\n')
		switch {
		case err == nil || err == bufio.ErrBufferFull:
		case err == io.EOF:
			f.done.Store(true)
			f.err = io.EOF
		default:
			f.err = err
		}
		if len(chunk) > 0 {
			if !f.atLineStart || !bytes.HasPrefix(chunk, remergePrefix) {
				f.pending = chunk
			}
			f.atLineStart = chunk[len(chunk)-1] == '\n'
		}
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}

func (f *remergeFilter) complete() bool { return f.done.Load() }
