package vault

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// EnvVar is one variable to hand to a process.
type EnvVar struct {
	Name  string
	Value []byte
	// Source says where the value came from: "env:KEY" or "secret:NAME".
	Source string
}

// Mapping maps an environment variable to a reference such as "secret:api-key".
type Mapping struct {
	Env string
	Ref string
}

// ParseMapping parses a --secret flag value "ENV=secret:NAME".
func ParseMapping(s string) (Mapping, error) {
	env, ref, ok := strings.Cut(s, "=")
	if !ok || ref == "" {
		return Mapping{}, errs.New(errs.Input, "invalid mapping %q", s).WithHint("write it as ENV=secret:NAME, e.g. OPENAI_API_KEY=secret:api-key")
	}
	if err := ValidateEnvKey(env); err != nil {
		return Mapping{}, err
	}
	if err := validateRef(ref); err != nil {
		return Mapping{}, errs.Wrap(errs.KindOf(err), err, "mapping %s", env)
	}
	return Mapping{Env: env, Ref: ref}, nil
}

// ExternalSchemes are the reference schemes of external secret managers, resolved by
// ResolveOptions.External: vault:PATH#FIELD, aws-sm:NAME-or-ARN[#KEY], azure-kv:NAME[/VERSION].
var ExternalSchemes = []string{"vault", "aws-sm", "azure-kv"}

func validateRef(ref string) error {
	scheme, name, ok := strings.Cut(ref, ":")
	if ok && name != "" && slices.Contains(ExternalSchemes, scheme) {
		return nil
	}
	if !ok || scheme != "secret" {
		// The reference is not echoed: a value pasted where secret:NAME belongs must not
		// reach a CI log.
		return errs.New(errs.Input, "unsupported reference (not secret:NAME)").WithHint("write ENV=secret:NAME, e.g. OPENAI_API_KEY=secret:api-key (secret:NAME@previous for a grace value)")
	}
	name, _ = strings.CutSuffix(name, previousSuffix)
	return ValidateName("secret", name)
}

// ResolveOptions are the optional parts of ResolveEnv.
type ResolveOptions struct {
	// Deploy includes agent.yaml's deploy.secrets mappings as well as run.secrets.
	Deploy bool
	// AllowExpired passes expired secrets instead of failing.
	AllowExpired bool
	// External, when set, resolves each reference first; ok false leaves it to the git
	// store (secret:NAME of an agent whose secrets are in git).
	External func(ctx context.Context, ref string) (value []byte, ok bool, err error)
}

// ResolveEnv computes the variables `run` and `deploy` hand to a process: the agent's env
// vars, then agent.yaml mappings, then the given mappings (later ones win). It reports
// every problem at once rather than stopping at the first.
func (s *Store) ResolveEnv(ctx context.Context, agent string, mappings []Mapping, opts ResolveOptions) ([]EnvVar, error) {
	if err := s.requireAgent(agent); err != nil {
		return nil, err
	}
	cfg, err := s.AgentConfig(agent)
	if err != nil {
		return nil, err
	}
	var all []Mapping
	addMap := func(m map[string]string) error {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			mp, err := ParseMapping(k + "=" + m[k])
			if err != nil {
				return errs.Wrap(errs.Input, err, "in agents/%s/agent.yaml", agent)
			}
			all = append(all, mp)
		}
		return nil
	}
	if err := addMap(cfg.Run.Secrets); err != nil {
		return nil, err
	}
	if opts.Deploy {
		if err := addMap(cfg.Deploy.Secrets); err != nil {
			return nil, err
		}
	}
	all = append(all, mappings...)
	if cfg.Run.Previous {
		all = withPrevious(all)
	}

	action := "run"
	if opts.Deploy {
		action = "deploy"
	}
	vars := map[string]EnvVar{}
	var problems []error
	if keys, err := s.EnvKeys(agent); err != nil {
		problems = append(problems, err)
	} else if len(keys) > 0 {
		env, err := s.revealEnv(ctx, agent, action)
		if err != nil {
			problems = append(problems, err)
		}
		for _, v := range env {
			vars[v.Name] = v
		}
	}
	for _, m := range all {
		value, ok, err := opts.external(ctx, m.Ref)
		if !ok {
			_, name, _ := strings.Cut(m.Ref, ":")
			var skip bool
			value, skip, err = s.resolveRef(ctx, agent, name, GetOptions{AllowExpired: opts.AllowExpired, Action: action})
			if skip {
				continue
			}
		}
		if err == nil {
			err = checkEnvValue(m.Env, value)
		}
		if err != nil {
			problems = append(problems, fmt.Errorf("%s=%s: %w", m.Env, m.Ref, err))
			continue
		}
		vars[m.Env] = EnvVar{Name: m.Env, Value: value, Source: m.Ref}
	}
	if len(problems) > 0 {
		return nil, joinProblems(agent, problems)
	}
	out := make([]EnvVar, 0, len(vars))
	for _, v := range vars {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (o ResolveOptions) external(ctx context.Context, ref string) ([]byte, bool, error) {
	if o.External == nil {
		if scheme, _, _ := strings.Cut(ref, ":"); slices.Contains(ExternalSchemes, scheme) {
			return nil, true, errs.New(errs.Input, "no resolver for %s references here", scheme)
		}
		return nil, false, nil
	}
	return o.External(ctx, ref)
}

// joinProblems turns several failures into one error whose kind is the first one's,
// listing each on its own line.
func joinProblems(agent string, problems []error) error {
	if len(problems) == 1 {
		return problems[0]
	}
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = "  - " + p.Error()
	}
	e := errs.New(errs.KindOf(problems[0]), "%d problems resolving the environment of %s:\n%s", len(problems), agent, strings.Join(lines, "\n"))
	e.Hint = errs.HintOf(problems[0])
	return e
}
