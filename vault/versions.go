package vault

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Version statuses, as `secrets versions` shows them.
const (
	// StatusActive is the current value.
	StatusActive = "active"
	// StatusGrace is the previous value, still readable during a rotation's grace period.
	StatusGrace = "grace"
	// StatusDeprecated is a value a newer one superseded.
	StatusDeprecated = "deprecated"
	// StatusDeleted is a value that ended when the secret was removed.
	StatusDeleted = "deleted"
	// StatusPending is a value in the working tree that is not committed yet.
	StatusPending = "pending"
)

// Version is one value a secret has had.
type Version struct {
	// Number is the version number: 1 for the first value, counting on across a delete
	// and re-create.
	Number int `json:"number"`
	// Label is "v" + Number, as the CLI prints it.
	Label string `json:"version"`
	// Created is when the value was set (the file's updated time).
	Created time.Time `json:"created"`
	Status  string    `json:"status"`
	// GraceUntil is when a grace version stops being readable.
	GraceUntil *time.Time `json:"grace_until,omitempty"`
	// Expires is the value's expiry, if it has one; Expired says it has passed.
	Expires *time.Time `json:"expires,omitempty"`
	Expired bool       `json:"expired"`
	// Commit set the value ("" when pending); Author and Committed describe it.
	Commit    string     `json:"commit,omitempty"`
	Author    string     `json:"author,omitempty"`
	Committed *time.Time `json:"committed,omitempty"`
	// EndedBy is the commit that superseded or deleted the value.
	EndedBy string `json:"ended_by,omitempty"`
	// Path is the file that held the value (another agent's folder before a rename).
	Path string `json:"path"`
	// Recipients are the public keys the value is encrypted to in its latest state.
	Recipients []string `json:"recipients"`
	// CanDecrypt says whether the current identities hold one of those keys (null when
	// an identity's public key is unknown, e.g. a plugin identity).
	CanDecrypt *bool `json:"can_decrypt"`

	hist *histVersion
}

// histVersion is one version's states: the one that introduced the value, the latest
// holding it (re-encrypted to other recipients, perhaps), and how it ended.
type histVersion struct {
	First, Latest histState
	End           string // "superseded" or "deleted"; "" while current or on an unmerged branch
	EndCommit     string
}

// versions groups rec's states by version.
func (rec *histRecord) versions() []histVersion {
	vs := make([]histVersion, rec.Count)
	byCommit := make(map[string]*histState, len(rec.States))
	for i := range rec.States {
		st := &rec.States[i]
		byCommit[st.Commit] = st
		if st.Version > 0 {
			v := &vs[st.Version-1]
			if v.First.Commit == "" {
				v.First = *st
			}
			v.Latest = *st
		}
	}
	for _, st := range rec.States {
		for _, pc := range st.Parents {
			ps := byCommit[pc]
			if ps == nil || ps.Version == 0 || ps.Version == st.Version || vs[ps.Version-1].EndCommit != "" {
				continue
			}
			v := &vs[ps.Version-1]
			v.End, v.EndCommit = "superseded", st.Commit
			if st.Version == 0 {
				v.End = "deleted"
			}
		}
	}
	return vs
}

// Versions lists agent/name's versions, newest first, from git history plus an
// uncommitted change in the working tree (pending). A removed secret still has its
// versions; a secret that never existed is NotFound.
func (s *Store) Versions(ctx context.Context, agent, name string) ([]Version, error) {
	vs, _, err := s.versions(ctx, agent, name)
	return vs, err
}

func (s *Store) versions(ctx context.Context, agent, name string) ([]Version, *SecretFile, error) {
	p, err := s.secretPath(agent, name)
	if err != nil {
		return nil, nil, err
	}
	if !s.InGit {
		return nil, nil, errs.New(errs.Input, "%s is not in a git repository: versions come from git history", s.Root).
			WithHint("run `git init` and commit the .swiftclaw directory")
	}
	rec, err := s.history(ctx, agent, name)
	if err != nil {
		return nil, nil, err
	}
	var cur *SecretFile
	var wt *histState
	if data, err := readCapped(p); err == nil {
		if cur, err = ParseSecretFile(data, s.rel(p)); err != nil {
			return nil, nil, err
		}
		cur.path = p
		wt = &histState{Path: secretGitPath(agent, name)}
		wt.fill(fileSummary{Agent: cur.Agent, Name: cur.Name, Updated: cur.Updated, Expires: cur.Expires, Recipients: cur.Recipients, Value: cur.Value})
	} else if !os.IsNotExist(err) {
		return nil, nil, errs.Wrap(errs.Input, err, "cannot read %s", s.rel(p))
	}
	now := s.Now()
	hv := rec.versions()
	current := rec.state(rec.Current)
	out := make([]Version, 0, len(hv)+1)
	for i := range hv {
		h := &hv[i]
		v := s.version(i+1, &h.First, &h.Latest, now)
		v.hist, v.EndedBy = h, h.EndCommit
		switch {
		case current != nil && current.Version == i+1:
			v.Status, v.EndedBy = StatusActive, ""
			if wt == nil {
				v.Status = StatusDeleted // removed in the working tree, not committed yet
			}
		case h.End == "deleted":
			v.Status = StatusDeleted
		default:
			v.Status = StatusDeprecated
		}
		out = append(out, v)
	}
	pending := wt != nil && (current == nil || current.deleted() || s.valueDiffers(ctx, current, wt))
	if pending {
		v := s.version(len(out)+1, wt, wt, now)
		v.Status, v.Commit, v.Author, v.Committed = StatusPending, "", "", nil
		out = append(out, v)
	}
	if len(out) == 0 {
		if err := s.requireAgent(agent); err != nil {
			return nil, nil, err
		}
		return nil, nil, errs.New(errs.NotFound, "secret %q has no history in agent %s", name, agent).
			WithHint("list the agent's secrets with `swiftclaw secrets list %s`", agent)
	}
	// The grace value is the one just before the current value.
	if cur != nil && cur.Previous != nil && now.Before(cur.Previous.Until) && len(out) >= 2 && (pending || out[len(out)-1].Status == StatusActive) {
		g := &out[len(out)-2]
		if g.Status == StatusDeprecated || (pending && g.Status == StatusActive) {
			until := cur.Previous.Until
			g.Status, g.GraceUntil = StatusGrace, &until
		}
	}
	slices.Reverse(out)
	return out, cur, nil
}

// version builds the public view of a value first set in first and last seen in latest.
func (s *Store) version(n int, first, latest *histState, now time.Time) Version {
	committed := first.Time
	v := Version{
		Number: n, Label: "v" + strconv.Itoa(n), Created: first.Updated,
		Commit: first.Commit, Author: first.Author, Committed: &committed,
		Path: latest.Path, Recipients: latest.Recipients,
	}
	if v.Created.IsZero() {
		v.Created = first.Time
	}
	if latest.Expires != "" {
		if t, err := time.Parse(time.RFC3339, latest.Expires); err == nil {
			v.Expires, v.Expired = &t, !now.Before(t)
		}
	}
	v.CanDecrypt = s.canDecrypt(first.Recipients, latest.Recipients)
	return v
}

// canDecrypt reports whether an identity's public key is among the recipients.
func (s *Store) canDecrypt(lists ...[]string) *bool {
	yes, no := true, false
	ids, err := s.Identities()
	if err != nil {
		return &no
	}
	unknown := false
	for _, id := range ids.List {
		if id.Recipient == "" {
			unknown = true
			continue
		}
		for _, l := range lists {
			if slices.Contains(l, id.Recipient) {
				return &yes
			}
		}
	}
	if unknown {
		return nil
	}
	return &no
}

// ParseVersionLabel parses "v3" or "3".
func ParseVersionLabel(label string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(label), "v"))
	if err != nil || n < 1 {
		return 0, errs.New(errs.Input, "invalid version %q", label).WithHint("versions are written v1, v2, ...; list them with `swiftclaw secrets versions AGENT NAME`")
	}
	return n, nil
}

// GetVersion decrypts the value agent/name had at version label ("v2"). It tries the
// version's latest state first (re-encrypted to newer recipients, perhaps), then the
// state that introduced it. A version past its own expiry is refused with errs.Expired
// unless opts.AllowExpired.
func (s *Store) GetVersion(ctx context.Context, agent, name, label string, opts GetOptions) ([]byte, *Version, error) {
	_, v, err := s.lookupVersion(ctx, agent, name, label)
	if err != nil {
		return nil, nil, err
	}
	if v.Expired && !opts.AllowExpired {
		return nil, v, errs.New(errs.Expired, "%s of %s/%s expired at %s", v.Label, agent, name, v.Expires.UTC().Format("2006-01-02 15:04 UTC")).
			WithHint("pass --allow-expired to read it anyway")
	}
	if v.Status == StatusPending {
		value, _, err := s.GetSecret(ctx, agent, name, GetOptions{AllowExpired: true, Action: opts.Action})
		return value, v, err
	}
	value, err := s.decryptVersion(ctx, v.hist, name)
	if err != nil {
		return nil, v, err
	}
	rec, err := s.Recipients()
	if err == nil {
		err = s.auditRead(ctx, opts.Action, agent, name, v.Recipients, rec)
	}
	if err != nil {
		return nil, nil, err
	}
	return value, v, nil
}

// lookupVersion returns all versions (newest first) and the one label names.
func (s *Store) lookupVersion(ctx context.Context, agent, name, label string) ([]Version, *Version, error) {
	n, err := ParseVersionLabel(label)
	if err != nil {
		return nil, nil, err
	}
	vs, _, err := s.versions(ctx, agent, name)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(vs, func(v Version) bool { return v.Number == n })
	if i < 0 {
		return nil, nil, errs.New(errs.NotFound, "%s/%s has no v%d (its versions are v1 to v%d)", agent, name, n, vs[0].Number).
			WithHint("list them with `swiftclaw secrets versions %s %s`", agent, name)
	}
	return vs, &vs[i], nil
}

// decryptVersion decrypts a committed version, checking each candidate state's sealed
// binding against that state's own metadata and path.
func (s *Store) decryptVersion(ctx context.Context, h *histVersion, name string) ([]byte, error) {
	rec, err := s.Recipients()
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, st := range []*histState{&h.Latest, &h.First} {
		if st == &h.First && st.Blob == h.Latest.Blob {
			break
		}
		f, err := s.fileAt(ctx, st)
		if err == nil && (f.Name != name || f.Agent != agentOfPath(st.Path)) {
			err = errs.New(errs.Tampered, "%s at commit %s claims to be %s/%s", st.Path, shortID(st.Commit), f.Agent, f.Name)
		}
		if err == nil {
			var value []byte
			if value, err = s.decryptSecret(f, rec); err == nil {
				return value, nil
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}
