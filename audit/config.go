package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/webhook"
)

// Config is the `audit:` section of .swiftclaw/config.yaml. The zero value logs to the
// default file with an fsync per entry and fails open (warnings only).
//
//	audit:
//	  fail_closed: true
//	  file: {path: ~/audit/my-repo.jsonl, sync: batch, sync_every: 64}
//	  stderr: true
//	  syslog: {network: unixgram, address: /dev/log, facility: auth, tag: swiftclaw}
//	  http: {url: https://audit.example.com/ingest, secret_env: SWIFTCLAW_AUDIT_HMAC_KEY}
type Config struct {
	// FailClosed makes Append return an error when any sink cannot take the entry, so
	// the caller refuses the read.
	FailClosed bool          `yaml:"fail_closed,omitempty"`
	File       FileConfig    `yaml:"file,omitempty"`
	Stdout     bool          `yaml:"stdout,omitempty"` // one JSON line per entry on stdout
	Stderr     bool          `yaml:"stderr,omitempty"` // one JSON line per entry on stderr
	Syslog     *SyslogConfig `yaml:"syslog,omitempty"`
	HTTP       *HTTPConfig   `yaml:"http,omitempty"`
}

// FileConfig configures the file sink, which also owns the hash chain.
type FileConfig struct {
	Disabled bool `yaml:"disabled,omitempty"`
	// Path of the log; "~/" expands to the home directory. Empty means
	// $XDG_STATE_HOME/swiftclaw/audit/<repo-id>.jsonl (~/.local/state/... without it).
	// It must not be inside the repository.
	Path string `yaml:"path,omitempty"`
	// Sync is "entry" (default: fsync after every entry) or "batch" (fsync every
	// SyncEvery entries and on Flush/Close).
	Sync      string `yaml:"sync,omitempty"`
	SyncEvery int    `yaml:"sync_every,omitempty"`
}

// SyslogConfig configures the syslog sink. An empty Network and Address mean the local
// syslog daemon.
type SyslogConfig struct {
	Network  string `yaml:"network,omitempty"`  // "", unix, unixgram, udp, tcp
	Address  string `yaml:"address,omitempty"`  // socket path or host:port
	Facility string `yaml:"facility,omitempty"` // auth (default), authpriv, user, daemon, local0..local7
	Tag      string `yaml:"tag,omitempty"`      // default "swiftclaw"
}

// HTTPConfig configures the HTTP sink: entries are POSTed as NDJSON batches, signed with
// HMAC-SHA256 in the X-Swiftclaw-Signature header, retried with backoff.
type HTTPConfig struct {
	URL string `yaml:"url"`
	// SecretEnv names the environment variable holding the HMAC key. The key itself
	// never goes in config.yaml, which is committed.
	SecretEnv string        `yaml:"secret_env"`
	BatchSize int           `yaml:"batch_size,omitempty"` // default 50
	Retries   int           `yaml:"retries,omitempty"`    // default 3
	Timeout   time.Duration `yaml:"timeout,omitempty"`    // per request, default 10s
}

// Sync modes of the file sink.
const (
	SyncEntry = "entry"
	SyncBatch = "batch"
)

// facilities lists the syslog facilities the syslog sink accepts, in the numbering of
// RFC 5424 (log/syslog is not built on every platform, so the numbers live here).
var facilities = map[string]int{
	"user": 1, "daemon": 3, "auth": 4, "authpriv": 10,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19,
	"local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// Validate checks the config without touching the network or the disk.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return errs.New(errs.Input, "config.yaml audit: "+format, args...).
			WithHint("fix the audit: section of .swiftclaw/config.yaml")
	}
	switch c.File.Sync {
	case "", SyncEntry, SyncBatch:
	default:
		return bad("file.sync is %q; use %q or %q", c.File.Sync, SyncEntry, SyncBatch)
	}
	if c.File.SyncEvery < 0 {
		return bad("file.sync_every must be positive")
	}
	if s := c.Syslog; s != nil {
		if _, ok := facilities[strings.ToLower(s.Facility)]; s.Facility != "" && !ok {
			return bad("syslog.facility %q is not one of auth, authpriv, user, daemon, local0..local7", s.Facility)
		}
		switch s.Network {
		case "", "unix", "unixgram", "udp", "tcp":
		default:
			return bad("syslog.network %q is not one of unix, unixgram, udp, tcp", s.Network)
		}
	}
	if h := c.HTTP; h != nil {
		if err := webhook.CheckURL(h.URL); err != nil {
			return bad("http.url: %v", err)
		}
		if h.SecretEnv == "" {
			return bad("http.secret_env must name the environment variable holding the HMAC key")
		}
		if h.BatchSize < 0 || h.Retries < 0 || h.Timeout < 0 {
			return bad("http.batch_size, retries and timeout must not be negative")
		}
	}
	return nil
}

// StateDir returns swiftclaw's per-user state directory: $XDG_STATE_HOME/swiftclaw, or
// ~/.local/state/swiftclaw. getenv nil means os.Getenv.
func StateDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if x := getenv("XDG_STATE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "swiftclaw"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errs.New(errs.Internal, "cannot find the state directory: neither XDG_STATE_HOME nor HOME is set").
			WithHint("set XDG_STATE_HOME or audit.file.path in .swiftclaw/config.yaml")
	}
	return filepath.Join(home, ".local", "state", "swiftclaw"), nil
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// RepoID names a repository's files in the state directory: the working tree's base
// name (for people) and a hash of its absolute path (so two clones named alike differ).
// Moving the working tree starts a new log.
func RepoID(root string) string {
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	sum := sha256.Sum256([]byte(filepath.Clean(abs)))
	base := unsafeID.ReplaceAllString(filepath.Base(abs), "-")
	return strings.Trim(base, ".-") + "-" + hex.EncodeToString(sum[:6])
}

// FilePath returns the file sink's path for cfg: the configured path with "~/" expanded,
// or the default under the state directory. It refuses a path inside repoRoot (when
// repoRoot is set): the log must not be committed.
func FilePath(cfg FileConfig, repoID, repoRoot string, getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := cfg.Path
	switch {
	case p == "":
		dir, err := StateDir(getenv)
		if err != nil {
			return "", err
		}
		if repoID == "" {
			return "", errs.New(errs.Internal, "audit: no repository id for the default log path")
		}
		p = filepath.Join(dir, "audit", repoID+".jsonl")
	case strings.HasPrefix(p, "~/"):
		home := getenv("HOME")
		if home == "" {
			return "", errs.New(errs.Input, "audit.file.path %q starts with ~/ but HOME is not set", p)
		}
		p = filepath.Join(home, p[2:])
	case !filepath.IsAbs(p):
		return "", errs.New(errs.Input, "audit.file.path %q must be absolute (or start with ~/)", p).
			WithHint("the log must live outside the repository; fix audit.file.path in .swiftclaw/config.yaml")
	}
	p = filepath.Clean(p)
	if repoRoot != "" && inside(repoRoot, p) {
		return "", errs.New(errs.Input, "audit log %s is inside the repository, where it would be committed", p).
			WithHint("remove audit.file.path from .swiftclaw/config.yaml to use ~/.local/state/swiftclaw, or point it outside the repository")
	}
	return p, nil
}

func inside(root, p string) bool {
	for _, r := range []string{root, evalOrSelf(root)} {
		for _, q := range []string{p, evalDirOrSelf(p)} {
			rel, err := filepath.Rel(r, q)
			if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return true
			}
		}
	}
	return false
}

func evalOrSelf(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// evalDirOrSelf resolves symlinks in p's directory (p itself may not exist yet).
func evalDirOrSelf(p string) string {
	return filepath.Join(evalOrSelf(filepath.Dir(p)), filepath.Base(p))
}
