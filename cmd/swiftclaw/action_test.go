package deploy

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
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
	data, err := os.ReadFile("../action.yml")
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

// runStep runs a step's real script with bash the way the runner does (bash -e {0}), in a
// clean environment.
func runStep(t *testing.T, s actionStep, env ...string) (string, int) {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "step.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o600); err != nil {
		t.Fatal(err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + dir, "RUNNER_TEMP=" + dir, "GITHUB_PATH=" + filepath.Join(dir, "path")}, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

func TestActionStepsFailClearlyWithoutPrerequisites(t *testing.T) {
	a := loadAction(t)
	out, code := runStep(t, step(t, a, "Deploy secrets"), "PATH="+os.Getenv("PATH"), "SWIFTCLAW_INPUT_AGENT=my-agent")
	if code != 3 || !strings.HasPrefix(out, "::error::no identity: set SWIFTCLAW_AGE_KEY") {
		t.Fatalf("without an identity: exit %d\n%s", code, out)
	}
	out, code = runStep(t, step(t, a, "Install swiftclaw"), "PATH="+t.TempDir())
	if code != 4 || !strings.Contains(out, "::error::swiftclaw is installed with Go") {
		t.Fatalf("without Go: exit %d\n%s", code, out)
	}
}
