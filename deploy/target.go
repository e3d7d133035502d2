package deploy

import (
	"crypto/rand"
	"io"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/fsutil"
)

// Target names a deploy target.
type Target string

// The deploy targets.
const (
	Exec          Target = "exec"           // run a command with the variables in its environment (see runner)
	Dotenv        Target = "dotenv"         // a .env file
	GitHubActions Target = "github-actions" // append to $GITHUB_ENV and mask values
	Kubernetes    Target = "kubernetes"     // a v1 Secret manifest
	DockerEnv     Target = "docker-env"     // a `docker run --env-file` file
	JSON          Target = "json"           // a JSON object of name -> value
)

// Targets lists every target in the order help text shows them.
func Targets() []Target {
	return []Target{Exec, Dotenv, GitHubActions, Kubernetes, DockerEnv, JSON}
}

// ParseTarget returns the Target named s.
func ParseTarget(s string) (Target, error) {
	for _, t := range Targets() {
		if string(t) == s {
			return t, nil
		}
	}
	names := make([]string, 0, len(Targets()))
	for _, t := range Targets() {
		names = append(names, string(t))
	}
	return "", errs.New(errs.Input, "unknown deploy target %q", s).
		WithHint("use one of: %s", strings.Join(names, ", "))
}

// Stdout is the Out value that sends a file target's output to Options.Stdout.
const Stdout = "-"

// JSON value encodings.
const (
	EncodingUTF8   = "utf8"   // values as JSON strings; a non-UTF-8 value is an error
	EncodingBase64 = "base64" // every value as a base64 string
)

// Options configure Write.
type Options struct {
	Target Target
	// Out is the file to write for dotenv, kubernetes, docker-env and json, or Stdout.
	Out string
	// Stdout receives the output when Out is Stdout, and ::add-mask:: commands for
	// github-actions (the runner reads them from the step's standard output).
	Stdout io.Writer

	// Namespace and Name of the Kubernetes Secret; Name is required, Namespace optional.
	Namespace, Name string

	// GitHubEnv is the path in $GITHUB_ENV for the github-actions target.
	GitHubEnv string

	// Encoding of JSON values: EncodingUTF8 (default) or EncodingBase64.
	Encoding string

	// Rand is the randomness for heredoc delimiters; crypto/rand when nil.
	Rand io.Reader
}

// Result says what Write wrote, for the caller's summary line.
type Result struct {
	Target Target
	Path   string   // file written, "" for Stdout
	Names  []string // variable names written, sorted
}

// Validate checks the options for Target without touching any value, so a caller can
// reject bad flags before resolving secrets.
func (o Options) Validate() error {
	switch o.Target {
	case Exec:
		return nil
	case GitHubActions:
		if o.GitHubEnv == "" {
			return errs.New(errs.Input, "GITHUB_ENV is not set; the github-actions target appends to the file it names").
				WithHint("run this inside a GitHub Actions step, or use --target dotenv --out FILE")
		}
		if o.Stdout == nil {
			return errs.New(errs.Internal, "github-actions target needs a writer for ::add-mask:: commands")
		}
		return nil
	case Dotenv, Kubernetes, DockerEnv, JSON:
		if o.Out == "" {
			return errs.New(errs.Input, "the %s target needs --out FILE (or --out - for standard output)", o.Target)
		}
		if o.Out == Stdout && o.Stdout == nil {
			return errs.New(errs.Internal, "--out - needs a standard output writer")
		}
		if o.Target == Kubernetes {
			return validateKubeNames(o.Namespace, o.Name)
		}
		if o.Target == JSON && o.Encoding != "" && o.Encoding != EncodingUTF8 && o.Encoding != EncodingBase64 {
			return errs.New(errs.Input, "unknown JSON encoding %q", o.Encoding).
				WithHint("use --encoding utf8 or --encoding base64")
		}
		return nil
	default:
		_, err := ParseTarget(string(o.Target))
		return err
	}
}

// Write renders vars for opts.Target and writes them in one step: a file target is written
// atomically with mode 0600, nothing is written when any variable cannot be rendered.
// The exec target is not written but run, by the caller (package runner).
func Write(vars []Var, opts Options) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, err
	}
	if err := checkNames(vars); err != nil {
		return Result{}, err
	}
	vars = sorted(vars)
	res := Result{Target: opts.Target, Names: names(vars)}
	var data []byte
	var err error
	switch opts.Target {
	case Exec:
		return Result{}, errs.New(errs.Internal, "the exec target runs a command; it writes no file")
	case GitHubActions:
		res.Path = opts.GitHubEnv
		return res, writeGitHubEnv(vars, opts)
	case Dotenv:
		data, err = encodeDotenv(vars)
	case Kubernetes:
		data, err = encodeKubernetes(vars, opts.Namespace, opts.Name)
	case DockerEnv:
		data, err = encodeDockerEnv(vars)
	case JSON:
		data, err = encodeJSON(vars, opts.Encoding)
	}
	if err != nil {
		return Result{}, err
	}
	if opts.Out == Stdout {
		if _, err := opts.Stdout.Write(data); err != nil {
			return Result{}, errs.Wrap(errs.Internal, err, "write to standard output")
		}
		return res, nil
	}
	if err := fsutil.WriteFile(opts.Out, data, 0o600); err != nil {
		return Result{}, errs.Wrap(errs.Internal, err, "write %s", opts.Out)
	}
	res.Path = opts.Out
	return res, nil
}

func names(vars []Var) []string {
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = v.Name
	}
	return out
}

func randReader(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
