package vault

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/gitcli"
)

// Exposure is one file whose git history a revoked principal can still decrypt.
type Exposure struct {
	Agent string `json:"agent"`
	// Name is the secret's name, or "" for the agent's env file.
	Name string `json:"name,omitempty"`
	// Path is the file, relative to the working tree root.
	Path string `json:"path"`
	// Versions are the versions encrypted to the principal's keys, oldest first.
	Versions []ExposedVersion `json:"versions"`
}

// ExposedVersion is one version of a file that was encrypted to a principal's keys.
type ExposedVersion struct {
	// Version labels a secret's value: v1 is the oldest, and a new version starts whenever
	// the file is created (also after a delete) or its value changes: its updated time
	// changes, or its ciphertext changes while recipients and expiry stay (a new value set
	// within the same second). Re-encryption alone is not a new version. Env files have no
	// version labels.
	Version string `json:"version,omitempty"`
	// Commits are the commits, oldest first, whose copy of the file was encrypted to the keys.
	Commits []string `json:"commits"`
}

// fileState is one file as one commit left it.
type fileState struct {
	commit  string
	deleted bool
	fileMeta
}

// fileMeta is what version labelling reads from a secret or env file without decrypting.
type fileMeta struct {
	Recipients []string   `yaml:"recipients"`
	Updated    time.Time  `yaml:"updated"`
	Expires    *time.Time `yaml:"expires"`
	Value      string     `yaml:"value"`
}

// newValue reports whether m holds a different value than prev (see ExposedVersion).
func (m fileMeta) newValue(prev fileMeta) bool {
	if !m.Updated.Equal(prev.Updated) {
		return true
	}
	return m.Value != prev.Value && slices.Equal(m.Recipients, prev.Recipients) && formatExpiry(m.Expires) == formatExpiry(prev.Expires)
}

// exposure walks the git history of agent's files and returns, for every file want
// accepts (by secret name, "" for env), the versions encrypted to any of keys.
func (s *Store) exposure(ctx context.Context, agent string, keys []string, want func(name string) bool) ([]Exposure, error) {
	prefix := DirName + "/agents/" + agent + "/"
	hist, err := s.fileHistories(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var out []Exposure
	for _, p := range sortedKeys(hist) {
		rest := strings.TrimPrefix(p, prefix)
		name, isSecret := strings.CutPrefix(rest, "secrets/")
		name, ok := strings.CutSuffix(name, ".yaml")
		if !ok || (!isSecret && rest != "env.yaml") {
			continue
		}
		if !isSecret {
			name = ""
		}
		if !want(name) {
			continue
		}
		if vs := exposedVersions(hist[p], keys, isSecret); len(vs) > 0 {
			out = append(out, Exposure{Agent: agent, Name: name, Path: p, Versions: vs})
		}
	}
	return out, nil
}

// exposedVersions labels states (oldest first) with versions and keeps those encrypted
// to one of keys.
func exposedVersions(states []fileState, keys []string, labelled bool) []ExposedVersion {
	var out []ExposedVersion
	v, present := 0, false
	var last fileMeta
	for _, st := range states {
		if st.deleted {
			present = false
			continue
		}
		if !present || st.newValue(last) {
			v++
		}
		present, last = true, st.fileMeta
		if !slices.ContainsFunc(st.Recipients, func(k string) bool { return slices.Contains(keys, k) }) {
			continue
		}
		label := ""
		if labelled {
			label = "v" + strconv.Itoa(v)
		}
		if n := len(out); n > 0 && out[n-1].Version == label {
			out[n-1].Commits = append(out[n-1].Commits, st.commit)
		} else {
			out = append(out, ExposedVersion{Version: label, Commits: []string{st.commit}})
		}
	}
	return out
}

// fileHistories returns, for every file under pathspec that any commit reachable from HEAD
// touched, its states oldest first.
//
// The git CLI is used, not go-git: a path-filtered log is one `git log` process here,
// while go-git's path-filtered log walks every commit's tree and is orders of magnitude
// slower on long histories (bench/README.md of the shared baselines). The file contents
// at each commit come from one `git cat-file --batch` process for all files at once.
func (s *Store) fileHistories(ctx context.Context, pathspec string) (map[string][]fileState, error) {
	if _, err := runGit(ctx, s.Root, "rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		return nil, nil // no commits yet: no history
	}
	log, err := runGit(ctx, s.Root, "log", "--format=%x00%H", "--name-only", "--no-renames", "--", pathspec)
	if err != nil {
		return nil, err
	}
	type touch struct{ commit, path string }
	var touches []touch
	for _, rec := range strings.Split(log, "\x00")[1:] {
		commit, files, _ := strings.Cut(rec, "\n")
		for _, f := range strings.Fields(files) {
			touches = append(touches, touch{commit, f})
		}
	}
	slices.Reverse(touches) // oldest first
	names := make([]string, len(touches))
	for i, t := range touches {
		names[i] = t.commit + ":" + t.path
	}
	blobs, err := gitcli.CatFileBatch(ctx, s.Root, names)
	if err != nil {
		return nil, err
	}
	out := map[string][]fileState{}
	for i, t := range touches {
		st := fileState{commit: t.commit, deleted: blobs[i] == nil}
		if !st.deleted {
			// A file that does not parse was readable to nobody in particular; keep it as
			// a state with no recipients so version numbering stays right.
			_ = yaml.Unmarshal(blobs[i], &st.fileMeta)
		}
		out[t.path] = append(out[t.path], st)
	}
	return out, nil
}
