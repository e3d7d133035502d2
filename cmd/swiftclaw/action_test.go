package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/ghenv"
)

// actionYML is the composite GitHub Action at the repository root.
type actionYML struct {
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	Shell            string            `yaml:"shell"`
	Run              string            `yaml:"run"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
}

func loadAction(t *testing.T) actionYML {
	t.Helper()
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionYML
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func step(t *testing.T, a actionYML, name string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no step %q", name)
	return actionStep{}
}

func TestActionDefinition(t *testing.T) {
	a := loadAction(t)
	if a.Runs.Using != "composite" || len(a.Runs.Steps) != 2 {
		t.Fatalf("runs = %+v", a.Runs)
	}
	if !a.Inputs["agent"].Required {
		t.Fatal("agent input must be required")
	}
	for name, def := range map[string]string{"target": "github-actions", "secrets": "", "out": "", "args": "", "version": "", "working-directory": "."} {
		in, ok := a.Inputs[name]
		if !ok || in.Required || in.Default == nil || *in.Default != def || in.Description == "" {
			t.Errorf("input %s: %+v", name, in)
		}
	}
	for _, s := range a.Runs.Steps {
		if s.Shell != "bash" {
			t.Errorf("step %q: shell %q", s.Name, s.Shell)
		}
		// Expressions expanded inside run: are a script-injection hole; inputs go through env.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q expands an expression inside run:", s.Name)
		}
		script := filepath.Join(t.TempDir(), "step.sh")
		if err := os.WriteFile(script, []byte(s.Run), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
			t.Errorf("step %q: bash -n: %v\n%s", s.Name, err, out)
		}
	}
	install := step(t, a, "Install swiftclaw")
	if !strings.Contains(install.Run, `go install "github.com/swiftclaw/swiftclaw/cmd/swiftclaw@$SWIFTCLAW_VERSION"`) ||
		install.Env["SWIFTCLAW_ACTION_PATH"] != "${{ github.action_path }}" {
		t.Fatalf("install step does not go install the module or build the action's copy:\n%s", install.Run)
	}
	deploy := step(t, a, "Deploy secrets")
	for _, in := range []string{"agent", "target", "secrets", "out", "args"} {
		key := "SWIFTCLAW_INPUT_" + strings.ToUpper(in)
		if deploy.Env[key] != "${{ inputs."+in+" }}" {
			t.Errorf("input %s is not passed as %s", in, key)
		}
	}
}

// runStep runs a step's real script with bash the way the runner does
// (bash --noprofile --norc -eo pipefail {0}) in dir, with exactly env.
func runStep(t *testing.T, s actionStep, dir string, env ...string) (stdout, stderr string, code int) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "step.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o600); err != nil {
		t.Fatal(err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = dir
	cmd.Env = env
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

func TestActionStepsFailClearlyWithoutPrerequisites(t *testing.T) {
	a := loadAction(t)
	dir := t.TempDir()
	out, _, code := runStep(t, step(t, a, "Deploy secrets"), dir, "PATH="+os.Getenv("PATH"), "HOME="+dir, "SWIFTCLAW_INPUT_AGENT=my-agent")
	if code != 3 || !strings.HasPrefix(out, "::error::no identity: set SWIFTCLAW_AGE_KEY") {
		t.Fatalf("without an identity: exit %d\n%s", code, out)
	}
	out, _, code = runStep(t, step(t, a, "Install swiftclaw"), dir, "PATH="+t.TempDir(), "HOME="+dir, "RUNNER_TEMP="+dir)
	if code != 4 || !strings.Contains(out, "::error::swiftclaw is installed with Go") {
		t.Fatalf("without Go: exit %d\n%s", code, out)
	}
}

// TestActionEndToEnd runs both steps of action.yml for real: the install step builds
// swiftclaw from this checkout (as `uses: swiftclaw/swiftclaw@ref` does from the action's
// path), and the deploy step, with only SWIFTCLAW_AGE_KEY as identity, feeds $GITHUB_ENV,
// which is then read back the way the runner reads it.
func TestActionEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs go")
	}
	a := loadAction(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	runnerTemp := filepath.Join(work, "runner-temp")
	for _, d := range []string{home, runnerTemp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	moduleRoot, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	gitEnv := []string{
		"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=CI", "GIT_AUTHOR_EMAIL=ci@example.com", "GIT_COMMITTER_NAME=CI", "GIT_COMMITTER_EMAIL=ci@example.com",
	}
	// The Go toolchain's own settings (module proxy, build cache) come from this process.
	goEnv := []string{"PATH=" + os.Getenv("PATH")}
	for _, k := range []string{"GOPROXY", "GOFLAGS", "GOCACHE", "GOMODCACHE", "GOPATH", "GONOSUMDB", "GOPRIVATE", "GONOSUMCHECK", "GOSUMDB", "GOTOOLCHAIN"} {
		if v, ok := os.LookupEnv(k); ok {
			goEnv = append(goEnv, k+"="+v)
		}
	}
	for _, k := range []string{"GOCACHE", "GOMODCACHE"} {
		if _, ok := os.LookupEnv(k); !ok {
			out, err := exec.Command("go", "env", k).Output()
			if err != nil {
				t.Fatal(err)
			}
			goEnv = append(goEnv, k+"="+strings.TrimSpace(string(out)))
		}
	}

	// Install: builds the action's own copy into $RUNNER_TEMP and adds it to $GITHUB_PATH.
	ghPath := filepath.Join(work, "github_path")
	installEnv := append(append([]string{}, goEnv...), "HOME="+home, "RUNNER_TEMP="+runnerTemp, "GITHUB_PATH="+ghPath,
		"SWIFTCLAW_VERSION=", "SWIFTCLAW_ACTION_PATH="+moduleRoot)
	out, errOut, code := runStep(t, step(t, a, "Install swiftclaw"), work, installEnv...)
	if code != 0 {
		t.Fatalf("install step exited %d\n%s%s", code, out, errOut)
	}
	pathFile, err := os.ReadFile(ghPath)
	if err != nil {
		t.Fatal(err)
	}
	binDir := strings.TrimSpace(string(pathFile))
	swiftclaw := filepath.Join(binDir, "swiftclaw")

	// A repository with two secrets, set up by a developer.
	repo := filepath.Join(work, "repo")
	sh := func(stdin string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = repo
		cmd.Env = append(append([]string{}, gitEnv...), "PATH="+os.Getenv("PATH"))
		cmd.Stdin = strings.NewReader(stdin)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, b)
		}
		return string(b)
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	sh("", "git", "init", "-q", "-b", "main")
	sh("", swiftclaw, "keys", "generate")
	sh("", swiftclaw, "init")
	sh("sk-action-123\n", swiftclaw, "secrets", "set", "my-agent", "api-key", "--value-stdin")
	pem := filepath.Join(work, "key.pem")
	if err := os.WriteFile(pem, []byte(testPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	sh("", swiftclaw, "secrets", "set", "my-agent", "deploy-key", "--file", pem)
	sh("", swiftclaw, "env", "set", "my-agent", "MODE=ci")

	// CI: the key only in SWIFTCLAW_AGE_KEY (as a repository secret provides it).
	idFile := filepath.Join(home, ".config", "swiftclaw", "identity.txt")
	key, err := os.ReadFile(idFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(idFile); err != nil {
		t.Fatal(err)
	}
	ghEnv := filepath.Join(work, "github_env")
	if err := os.WriteFile(ghEnv, []byte("EARLIER=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deployEnv := append(append([]string{}, gitEnv...),
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"SWIFTCLAW_AGE_KEY="+string(key), "GITHUB_ENV="+ghEnv,
		"SWIFTCLAW_INPUT_AGENT=my-agent", "SWIFTCLAW_INPUT_TARGET=github-actions",
		"SWIFTCLAW_INPUT_SECRETS=OPENAI_API_KEY=secret:api-key\r\n  DEPLOY_KEY=secret:deploy-key\n",
		"SWIFTCLAW_INPUT_OUT=", "SWIFTCLAW_INPUT_ARGS=")
	out, errOut, code = runStep(t, step(t, a, "Deploy secrets"), repo, deployEnv...)
	if code != 0 {
		t.Fatalf("deploy step exited %d\n%s%s", code, out, errOut)
	}
	text, err := os.ReadFile(ghEnv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ghenv.Parse(string(text))
	if err != nil {
		t.Fatalf("the runner would fail: %v", err)
	}
	want := map[string]string{"EARLIER": "1", "OPENAI_API_KEY": "sk-action-123", "DEPLOY_KEY": testPEM, "MODE": "ci"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("job environment (-want +got):\n%s", diff)
	}
	for _, line := range strings.Split(strings.TrimSpace(testPEM), "\n") {
		if !strings.Contains(out, "::add-mask::"+line+"\n") {
			t.Errorf("PEM line not masked: %q", line)
		}
	}
	if strings.Contains(errOut, "sk-action-123") {
		t.Fatal("a value reached the log")
	}

	// Another target through args: a Kubernetes manifest file.
	deployEnv = append(deployEnv, "SWIFTCLAW_INPUT_TARGET=kubernetes", "SWIFTCLAW_INPUT_OUT="+filepath.Join(work, "secret.yaml"),
		"SWIFTCLAW_INPUT_ARGS=--namespace prod\n--name agent-secrets")
	out, errOut, code = runStep(t, step(t, a, "Deploy secrets"), repo, deployEnv...)
	if code != 0 {
		t.Fatalf("kubernetes deploy exited %d\n%s%s", code, out, errOut)
	}
	manifest, err := os.ReadFile(filepath.Join(work, "secret.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(manifest), "namespace: prod") || !strings.Contains(string(manifest), "name: agent-secrets") {
		t.Fatalf("manifest:\n%s", manifest)
	}
}

const testPEM = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
-----END OPENSSH PRIVATE KEY-----
`
