package vault

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/fsutil"
	"github.com/swiftclaw/swiftclaw/internal/gitcli"
)

// The version history of a secret is read from git: the commits that changed its file,
// oldest first, where a commit starts a new version only when it changed the sealed
// value. Unchanged values keep their ciphertext byte for byte, so most comparisons are
// a hash comparison; see valueDiffers for the rest.
//
// The log walk uses the git CLI, not go-git: go-git's path-filtered log
// (LogOptions.FileName / PathFilter) diffs whole trees commit by commit and was measured
// at 37-254 s on a 5,000-commit repository where `git log -- PATH` takes 0.03 s
// (bench/history.sh measures both). The walk's result is cached per secret under the git
// directory (swiftclaw/versions/AGENT/NAME.json, no secret material) and extended
// incrementally when HEAD moves forward, so repeated reads cost no git process at all.

// histFormat versions the cache layout; a different number means "walk again".
const histFormat = 1

// maxRenames bounds how many agent-folder renames a walk follows.
const maxRenames = 16

// secretGitPath is the path git knows agent/name's file by.
func secretGitPath(agent, name string) string {
	return DirName + "/agents/" + agent + "/secrets/" + name + ".yaml"
}

// agentOfPath returns the agent segment of a secret's git path.
func agentOfPath(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) == 5 {
		return parts[2]
	}
	return ""
}

// histState is one committed state of a secret's file: a value, or its absence.
type histState struct {
	Commit string `json:"commit"`
	// Parents are the nearest ancestors that changed the file (git's parent rewriting),
	// or, for the first state after an agent rename, the old path's last state.
	Parents    []string  `json:"parents,omitempty"`
	Author     string    `json:"author"`
	Time       time.Time `json:"time"` // author date
	Path       string    `json:"path"`
	Blob       string    `json:"blob,omitempty"` // "" when the file was deleted
	Cipher     string    `json:"cipher,omitempty"`
	Agent      string    `json:"agent,omitempty"`
	Name       string    `json:"name,omitempty"`
	Expires    string    `json:"expires,omitempty"`
	Recipients []string  `json:"recipients,omitempty"`
	Updated    time.Time `json:"updated"`
	// Version is the 1-based number of the value this state holds; 0 when deleted.
	Version int `json:"version"`

	added   bool   // the commit added the path (a rename may have brought it)
	bad     bool   // the file did not parse (e.g. committed conflict markers)
	armored string // the value, only during a walk
}

func (st *histState) deleted() bool { return st.Blob == "" }

// fileSummary is the part of a secret file a history walk compares. It is decoded in one
// lenient pass, a third of ParseSecretFile's cost, which matters at one file per
// version; whatever is decrypted later is parsed strictly.
type fileSummary struct {
	Agent      string     `yaml:"agent"`
	Name       string     `yaml:"name"`
	Updated    time.Time  `yaml:"updated"`
	Expires    *time.Time `yaml:"expires"`
	Recipients []string   `yaml:"recipients"`
	Value      string     `yaml:"value"`
}

// summarize fills st's metadata from a file's content.
func (st *histState) summarize(data []byte) {
	var f fileSummary
	head, value, fast := splitValueBlock(data) // the value is the bulk: not through yaml
	if !fast {
		head = data
	}
	if len(data) > maxFileSize || yaml.Unmarshal(head, &f) != nil {
		st.bad = true
		return
	}
	if fast {
		f.Value = value
	}
	if checkArmor(f.Value) != nil {
		st.bad = true
		return
	}
	st.fill(f)
}

// fill sets st's metadata from a file's fields.
func (st *histState) fill(f fileSummary) {
	sum := sha256.Sum256([]byte(f.Value))
	st.Cipher = hex.EncodeToString(sum[:])
	st.Agent, st.Name, st.Expires = f.Agent, f.Name, formatExpiry(f.Expires)
	st.Recipients = sortedCopy(f.Recipients)
	st.Updated = f.Updated
	st.armored = f.Value
}

func (st *histState) sameBinding(o *histState) bool {
	return st.Agent == o.Agent && st.Name == o.Name && st.Expires == o.Expires && slices.Equal(st.Recipients, o.Recipients)
}

// histRecord is a secret's walked history up to Head.
type histRecord struct {
	Format int    `json:"format"`
	Head   string `json:"head"`
	Path   string `json:"path"`
	// Current is the commit of the state the file has at Head ("" when it never existed).
	Current string `json:"current,omitempty"`
	// Count is the number of versions.
	Count int `json:"count"`
	// States are every state, parents before children.
	States []histState `json:"states"`
}

func (rec *histRecord) state(commit string) *histState {
	for i := len(rec.States) - 1; i >= 0; i-- {
		if rec.States[i].Commit == commit {
			return &rec.States[i]
		}
	}
	return nil
}

// history returns agent/name's committed history, from the cache when it is current.
func (s *Store) history(ctx context.Context, agent, name string) (*histRecord, error) {
	loc, err := s.locateGit(ctx)
	if err != nil {
		return nil, err
	}
	p := secretGitPath(agent, name)
	if loc.Head == "" {
		return &histRecord{Format: histFormat, Path: p}, nil
	}
	cachePath := filepath.Join(loc.CommonDir, "swiftclaw", "versions", agent, name+".json")
	rec := readHistCache(cachePath, p)
	if rec != nil && rec.Head == loc.Head {
		return rec, nil
	}
	if rec != nil && rec.Head != "" {
		if ok, err := s.extendHistory(ctx, rec, loc.Head); err != nil {
			return nil, err
		} else if ok {
			rec.Head = loc.Head
			writeHistCache(cachePath, rec)
			return rec, nil
		}
	}
	states, err := s.walkChain(ctx, loc.Head, p)
	if err != nil {
		return nil, err
	}
	rec = &histRecord{Format: histFormat, Head: loc.Head, Path: p}
	if err := s.applyStates(ctx, rec, states); err != nil {
		return nil, err
	}
	writeHistCache(cachePath, rec)
	return rec, nil
}

// extendHistory adds the commits between rec.Head and head when rec.Head is an ancestor
// of head. It reports false (and changes nothing) when a full walk is needed instead:
// history was rewritten, or the range brings the file in by an agent rename.
func (s *Store) extendHistory(ctx context.Context, rec *histRecord, head string) (bool, error) {
	if _, err := runGit(ctx, s.Root, "merge-base", "--is-ancestor", rec.Head, head); err != nil {
		return false, nil
	}
	states, from, err := s.logStates(ctx, rec.Head+".."+head, rec.Path)
	if err != nil || from != "" {
		return false, err
	}
	return true, s.applyStates(ctx, rec, states)
}

func readHistCache(file, p string) *histRecord {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var rec histRecord
	if json.Unmarshal(data, &rec) != nil || rec.Format != histFormat || rec.Path != p {
		return nil
	}
	return &rec
}

// writeHistCache stores rec; a failure (read-only repository) only costs speed.
func writeHistCache(file string, rec *histRecord) {
	data, err := json.Marshal(rec)
	if err != nil {
		return
	}
	if os.MkdirAll(filepath.Dir(file), 0o755) == nil {
		_ = fsutil.WriteFile(file, data, 0o644)
	}
}

// walkChain walks p's history from head, following agent-folder renames: when the
// oldest commit of a path added it while deleting a secret of the same name in another
// agent, the walk continues with that path before the commit, and the old path's last
// state becomes the parent of the new path's first.
func (s *Store) walkChain(ctx context.Context, head, p string) ([]histState, error) {
	var all []histState // newest first
	rev := head
	for range maxRenames {
		states, from, err := s.logStates(ctx, rev, p)
		if err != nil {
			return nil, err
		}
		if len(all) > 0 && len(states) > 0 {
			all[len(all)-1].Parents = []string{states[0].Commit}
		}
		all = append(all, states...)
		if from == "" {
			break
		}
		rev, p = states[len(states)-1].Commit+"^", from
	}
	return all, nil
}

// logStates lists p's states in rev (newest first) with one `git log`, whose output is
// parsed as it streams while a `git cat-file --batch` reads each state's content. When
// the oldest state added the path, it also reports the secret an agent rename brought it
// from (see catFile.renamedFrom), asked of the same cat-file: no further process.
func (s *Store) logStates(ctx context.Context, rev, p string) (states []histState, from string, err error) {
	cf, err := startCatFile(ctx, s.Root)
	if err != nil {
		return nil, "", err
	}
	defer cf.close()
	send := cf.send
	cmd := exec.CommandContext(ctx, "git", "-c", "log.showSignature=false", "-c", "log.follow=false",
		"log", "--no-color", "--parents", "--format=%x00%H%x1f%P%x1f%an <%ae>%x1f%at", "--raw", "--no-abbrev", "--no-renames", rev, "--", p)
	cmd.Dir = s.Root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", errs.Wrap(errs.Internal, err, "cannot run git").WithHint("install git")
	}
	var asked []int // states whose content was requested, in order
	ask := func(i int) {
		switch st := &states[i]; st.Blob {
		case "":
		case "?": // a merge commit prints no raw diff: look the file up in the commit
			send(st.Commit + ":" + p)
			asked = append(asked, i)
		default:
			send(st.Blob)
			asked = append(asked, i)
		}
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "\x00"):
			f := strings.Split(line[1:], "\x1f")
			if len(f) != 4 {
				return nil, "", errs.New(errs.Internal, "unexpected git log output")
			}
			if len(states) > 0 {
				ask(len(states) - 1)
			}
			sec, _ := strconv.ParseInt(f[3], 10, 64)
			states = append(states, histState{Commit: f[0], Parents: strings.Fields(f[1]), Author: f[2], Time: time.Unix(sec, 0).UTC(), Path: p, Blob: "?"})
		case strings.HasPrefix(line, ":") && len(states) > 0:
			// :100644 100644 OLD NEW M\tPATH
			meta, file, _ := strings.Cut(line, "\t")
			f := strings.Fields(meta)
			if file != p || len(f) != 5 {
				continue
			}
			st := &states[len(states)-1]
			st.Blob, st.added = f[3], f[4] == "A"
			if f[4] == "D" {
				st.Blob = ""
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, "", errs.New(errs.Internal, "git log failed: %s", gitcli.FirstLines(strings.TrimSpace(stderr.String()), 6))
	}
	if len(states) > 0 {
		ask(len(states) - 1)
	}
	blobs, err := cf.receive(len(asked))
	if err != nil {
		return nil, "", err
	}
	for j, i := range asked {
		if blobs[j].missing {
			states[i].Blob = ""
			continue
		}
		states[i].Blob = blobs[j].id
		states[i].summarize(blobs[j].data)
	}
	if n := len(states); n > 0 && states[n-1].added {
		if from, err = cf.renamedFrom(states[n-1].Commit, p); err != nil {
			return nil, "", err
		}
	}
	return states, from, nil
}

// fill reads and summarizes the content of each state; Blob "?" means "look it up as
// COMMIT:PATH", and a missing one means the file did not exist.
func (c *catFile) fill(states []histState, p string) error {
	var reqs []string
	var idx []int
	for i, st := range states {
		switch st.Blob {
		case "":
			continue
		case "?":
			reqs = append(reqs, st.Commit+":"+p)
		default:
			reqs = append(reqs, st.Blob)
		}
		idx = append(idx, i)
	}
	blobs, err := c.fetch(reqs)
	if err != nil {
		return err
	}
	for j, i := range idx {
		st := &states[i]
		if blobs[j].missing {
			st.Blob = ""
			continue
		}
		st.Blob = blobs[j].id
		st.summarize(blobs[j].data)
	}
	return nil
}

// applyStates adds states (newest first) to rec, parents before children, giving each
// the version of a parent holding the same value, or a new version number.
func (s *Store) applyStates(ctx context.Context, rec *histRecord, states []histState) error {
	if len(states) == 0 {
		return nil
	}
	known := map[string]*histState{}
	for i := range rec.States {
		known[rec.States[i].Commit] = &rec.States[i]
	}
	pending := map[string]*histState{}
	for i := range states {
		pending[states[i].Commit] = &states[i]
	}
	// Parents outside the walked range (an incremental walk's boundary): their state is
	// found by content among the known states.
	outside, err := s.statesAt(ctx, rec, states, known, pending)
	if err != nil {
		return err
	}
	rec.States = slices.Grow(rec.States, len(states)) // keeps pointers into it valid
	var add func(st *histState)
	add = func(st *histState) {
		if _, done := known[st.Commit]; done {
			return
		}
		known[st.Commit] = st // marks it in progress, too
		var parents []*histState
		for _, pc := range st.Parents {
			if ps, ok := pending[pc]; ok {
				add(ps)
			}
			if ps := known[pc]; ps != nil {
				parents = append(parents, ps)
			} else if ps := outside[pc]; ps != nil {
				parents = append(parents, ps)
			}
		}
		s.assignVersion(ctx, rec, st, parents)
		rec.States = append(rec.States, *st)
		known[st.Commit] = &rec.States[len(rec.States)-1]
	}
	for i := len(states) - 1; i >= 0; i-- {
		add(&states[i])
	}
	rec.Current = states[0].Commit
	return nil
}

// assignVersion gives st the version of the first parent holding the same value; a
// deleted state has version 0; an unparsable one is treated as unchanged.
func (s *Store) assignVersion(ctx context.Context, rec *histRecord, st *histState, parents []*histState) {
	if st.deleted() {
		st.Version = 0
		return
	}
	for _, ps := range parents {
		if ps.deleted() || ps.Version == 0 {
			continue
		}
		if st.bad {
			commit, parents := st.Commit, st.Parents
			*st = *ps
			st.Commit, st.Parents = commit, parents
			return
		}
		if !s.valueDiffers(ctx, ps, st) {
			st.Version = ps.Version
			return
		}
	}
	if st.bad {
		st.Blob = "" // nothing to inherit: count it as absent
		return
	}
	rec.Count++
	st.Version = rec.Count
}

// statesAt resolves the parents of states that are neither known nor walked: it reads
// the file at each such commit and matches its ciphertext with a known state.
func (s *Store) statesAt(ctx context.Context, rec *histRecord, states []histState, known, pending map[string]*histState) (map[string]*histState, error) {
	var probes []histState
	for _, st := range states {
		for _, pc := range st.Parents {
			if known[pc] == nil && pending[pc] == nil {
				probes = append(probes, histState{Commit: pc, Path: rec.Path, Blob: "?"})
			}
		}
	}
	out := map[string]*histState{}
	if len(probes) == 0 {
		return out, nil
	}
	cf, err := startCatFile(ctx, s.Root)
	if err != nil {
		return nil, err
	}
	defer cf.close()
	if err := cf.fill(probes, rec.Path); err != nil {
		return nil, err
	}
	for _, pr := range probes {
		for i := len(rec.States) - 1; i >= 0; i-- {
			if ks := &rec.States[i]; pr.Cipher != "" && ks.Cipher == pr.Cipher {
				out[pr.Commit] = ks
				break
			}
		}
	}
	return out, nil
}

// valueDiffers reports whether cur holds a different value than prev. swiftclaw
// re-seals a value only when the value or its binding (agent, name, expiry, recipients)
// changes, and bumps `updated` exactly when the value changes. So: same ciphertext means
// same value; a new ciphertext under an unchanged binding means a new value; a changed
// binding with a new `updated` means a new value. Only a changed binding with the same
// `updated` (a re-encryption, a rename, or a new value within the same second) needs a
// decrypt of both states, and an identity that cannot decrypt them counts it as a
// re-encryption.
func (s *Store) valueDiffers(ctx context.Context, prev, cur *histState) bool {
	switch {
	case prev.Cipher == cur.Cipher:
		return false
	case prev.sameBinding(cur), !prev.Updated.Equal(cur.Updated):
		return true
	}
	a, errA := s.plaintextAt(ctx, prev)
	b, errB := s.plaintextAt(ctx, cur)
	return errA == nil && errB == nil && !bytes.Equal(a, b)
}

// plaintextAt decrypts a state's value without checking its binding (used only to
// compare two states).
func (s *Store) plaintextAt(ctx context.Context, st *histState) ([]byte, error) {
	armored := st.armored
	if armored == "" {
		f, err := s.fileAt(ctx, st)
		if err != nil {
			return nil, err
		}
		armored = f.Value
	}
	ids, err := s.Identities()
	if err != nil {
		return nil, err
	}
	_, value, err := open(armored, ids, st.Agent+"/"+st.Name, "")
	return value, err
}

// fileAt reads and parses the secret file of a committed state.
func (s *Store) fileAt(ctx context.Context, st *histState) (*SecretFile, error) {
	out, err := runGit(ctx, s.Root, "cat-file", "blob", st.Blob)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("%s at commit %s", st.Path, shortID(st.Commit))
	f, err := ParseSecretFile([]byte(out), where)
	if err != nil {
		return nil, err
	}
	f.path = filepath.Join(s.Root, filepath.FromSlash(st.Path))
	return f, nil
}

func shortID(id string) string { return id[:min(len(id), 12)] }

// catFile is a running `git cat-file --batch`. A goroutine reads its answers as they
// come, so any number of requests can be sent before the answers are received.
type catFile struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	stdout io.ReadCloser
	out    *bufio.Reader
	w      *bufio.Writer

	mu   sync.Mutex
	cond *sync.Cond
	got  []catBlob // answers not received yet
	err  error     // why reading stopped early
	eof  bool
}

type catBlob struct {
	id, kind string
	data     []byte
	missing  bool
}

func startCatFile(ctx context.Context, dir string) (*catFile, error) {
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Dir = dir
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot run git").WithHint("install git")
	}
	c := &catFile{cmd: cmd, in: in, stdout: out, out: bufio.NewReaderSize(out, 64<<10), w: bufio.NewWriter(in)}
	c.cond = sync.NewCond(&c.mu)
	go c.read()
	return c, nil
}

func (c *catFile) read() {
	for {
		b, err := c.next()
		c.mu.Lock()
		if err != nil {
			if err != io.EOF {
				c.err = err
				c.stdout.Close() // cat-file stops on a broken pipe instead of blocking
			}
			c.eof = true
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		c.got = append(c.got, b)
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// send asks for one object ("ID" or "REV:PATH").
func (c *catFile) send(req string) {
	c.w.WriteString(req + "\n")
	c.w.Flush()
}

// receive returns the next n answers, in request order.
func (c *catFile) receive(n int) ([]catBlob, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.got) < n && !c.eof {
		c.cond.Wait()
	}
	if len(c.got) < n {
		if c.err != nil {
			return nil, c.err
		}
		return nil, errs.New(errs.Internal, "git cat-file stopped early")
	}
	out := c.got[:n:n]
	c.got = c.got[n:]
	return out, nil
}

// fetch sends every request and returns the answers in order.
func (c *catFile) fetch(reqs []string) ([]catBlob, error) {
	for _, r := range reqs {
		c.send(r)
	}
	return c.receive(len(reqs))
}

// next reads one answer; io.EOF when cat-file has answered everything.
func (c *catFile) next() (catBlob, error) {
	hdr, err := c.out.ReadString('\n')
	if err == io.EOF && hdr == "" {
		return catBlob{}, io.EOF
	}
	if err != nil {
		return catBlob{}, errs.Wrap(errs.Internal, err, "git cat-file stopped early")
	}
	f := strings.Fields(hdr)
	if len(f) >= 2 && f[len(f)-1] == "missing" {
		return catBlob{missing: true}, nil
	}
	if len(f) != 3 {
		return catBlob{}, errs.New(errs.Internal, "unexpected git cat-file output")
	}
	size, err := strconv.Atoi(f[2])
	if err != nil || size > maxFileSize {
		return catBlob{}, errs.New(errs.Internal, "unexpected git cat-file output")
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(c.out, data); err != nil {
		return catBlob{}, errs.Wrap(errs.Internal, err, "git cat-file stopped early")
	}
	return catBlob{id: f[0], kind: f[1], data: data[:size]}, nil
}

// renamedFrom returns the same-named secret of another agent that commit removed while
// adding p (an agent rename): present in commit's first parent and gone from commit.
// "" when there is none, or commit is a root commit.
func (c *catFile) renamedFrom(commit, p string) (string, error) {
	agents := DirName + "/agents"
	dir, err := c.fetch([]string{commit + "^:" + agents})
	if err != nil || dir[0].missing || dir[0].kind != "tree" {
		return "", err
	}
	var cands, reqs []string
	for _, a := range treeDirs(dir[0].data, len(dir[0].id)/2) {
		if a == agentOfPath(p) {
			continue
		}
		q := agents + "/" + a + "/secrets/" + path.Base(p)
		cands = append(cands, q)
		reqs = append(reqs, commit+"^:"+q, commit+":"+q)
	}
	ans, err := c.fetch(reqs)
	if err != nil {
		return "", err
	}
	for i, q := range cands {
		if !ans[2*i].missing && ans[2*i+1].missing {
			return q, nil
		}
	}
	return "", nil
}

// treeDirs lists the subdirectories in a raw tree object: entries "MODE NAME\0" followed
// by a binary object id of idLen bytes.
func treeDirs(tree []byte, idLen int) []string {
	var out []string
	for len(tree) > 0 {
		sp := bytes.IndexByte(tree, ' ')
		nul := bytes.IndexByte(tree, 0)
		if sp < 0 || nul < sp || len(tree) < nul+1+idLen {
			break
		}
		if string(tree[:sp]) == "40000" {
			out = append(out, string(tree[sp+1:nul]))
		}
		tree = tree[nul+1+idLen:]
	}
	return out
}

func (c *catFile) close() {
	c.w.Flush()
	c.in.Close()
	c.mu.Lock()
	for !c.eof {
		c.cond.Wait() // every answer read before Wait closes the pipe
	}
	c.mu.Unlock()
	_ = c.cmd.Wait()
}
