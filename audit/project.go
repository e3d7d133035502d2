package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// LoadProjectConfig reads the audit: section of a project's config.yaml. A missing file
// or section is the zero Config (the default file sink, failing open). Unknown keys in
// the section are errors, so a typo such as fail_close is not silently ignored.
func LoadProjectConfig(configPath string) (Config, error) {
	var cfg Config
	data, err := os.ReadFile(configPath)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, errs.Wrap(errs.Internal, err, "read %s", configPath)
	}
	var doc struct {
		Audit yaml.Node `yaml:"audit"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cfg, errs.Wrap(errs.Input, err, "malformed %s", configPath)
	}
	if doc.Audit.Kind == 0 {
		return cfg, nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(&doc.Audit); err != nil {
		return cfg, errs.Wrap(errs.Internal, err, "read audit section")
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return cfg, errs.Wrap(errs.Input, err, "malformed audit: section of %s", configPath).
			WithHint("fix the audit: section of .swiftclaw/config.yaml")
	}
	return cfg, cfg.Validate()
}

// GitWrites returns the changes to agent's secret and env files found in the git history
// of the working tree at root, newest first, one event per file per commit. The action is
// the verb of a swiftclaw commit subject ("swiftclaw: rotate …") when there is one other
// than set, else create, update or rm from the change itself, so hand edits merged
// through review show up too. Signed reports whether the commit carries a signature
// (a gpgsig header); checking who signed it is `policy verify`'s job.
//
// The git CLI is used rather than go-git: a path-limited log is milliseconds with git and
// tens of seconds with go-git on a few thousand commits (shared/bench baseline-logwalk).
// The raw format is parsed because git's %G? reports an SSH-signed commit as unsigned
// when no allowed-signers file is configured.
func GitWrites(ctx context.Context, root, agent string, since time.Time) ([]WriteEvent, error) {
	dir := ".swiftclaw/agents/" + agent + "/"
	args := []string{"-c", "core.quotepath=off", "log", "--format=raw", "--no-renames", "--name-status"}
	if !since.IsZero() {
		args = append(args, "--since="+since.UTC().Format(time.RFC3339))
	}
	args = append(args, "--", dir)
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "does not have any commits") {
			return nil, nil
		}
		return nil, errs.Wrap(errs.Internal, err, "git log %s: %s", dir, firstLine(msg))
	}
	var events []WriteEvent
	var cur WriteEvent
	verb, inHeader, haveSubject := "", false, false
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if h, ok := strings.CutPrefix(line, "commit "); ok {
			cur = WriteEvent{Agent: agent, Commit: strings.TrimSpace(h)}
			verb, inHeader, haveSubject = "", true, false
			continue
		}
		if inHeader {
			switch {
			case line == "":
				inHeader = false
			case strings.HasPrefix(line, "author "):
				cur.Author, cur.Time = parseIdent(line)
			case strings.HasPrefix(line, "gpgsig"):
				cur.Signed = true
			}
			continue
		}
		if msg, ok := strings.CutPrefix(line, "    "); ok {
			if !haveSubject {
				verb, haveSubject = subjectVerb(msg), true
			}
			continue
		}
		status, file, ok := strings.Cut(line, "\t")
		if !ok || cur.Commit == "" || status == "" {
			continue
		}
		rel := strings.TrimPrefix(file, dir)
		switch {
		case rel == "env.yaml":
			cur.Secret = "env"
		case strings.HasPrefix(rel, "secrets/") && strings.HasSuffix(rel, ".yaml"):
			cur.Secret = strings.TrimSuffix(path.Base(rel), ".yaml")
		default:
			continue // agent.yaml and other settings are not secrets
		}
		cur.Action = verb
		if cur.Action == "" {
			cur.Action = map[byte]string{'A': "create", 'D': "rm"}[status[0]]
			if cur.Action == "" {
				cur.Action = "update"
			}
		}
		events = append(events, cur)
	}
	return events, sc.Err()
}

// parseIdent reads "author Name <email> 1709821200 +0100".
func parseIdent(line string) (email string, t time.Time) {
	lt, gt := strings.LastIndexByte(line, '<'), strings.LastIndexByte(line, '>')
	if lt < 0 || gt < lt {
		return "", time.Time{}
	}
	email = line[lt+1 : gt]
	if f := strings.Fields(line[gt+1:]); len(f) >= 1 {
		if sec, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			t = time.Unix(sec, 0).UTC()
		}
	}
	return email, t
}

// subjectVerb returns the action named by a swiftclaw commit subject, other than set,
// whose create/update the change itself tells: "swiftclaw: rotate a/b" -> "rotate",
// "swiftclaw: env unset a K" -> "env-unset".
func subjectVerb(subject string) string {
	rest, ok := strings.CutPrefix(subject, "swiftclaw: ")
	if !ok {
		return ""
	}
	f := strings.Fields(rest)
	if len(f) == 0 || f[0] == "set" {
		return ""
	}
	if f[0] == "env" && len(f) > 1 {
		if f[1] == "set" {
			return ""
		}
		return "env-" + f[1]
	}
	return f[0]
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
