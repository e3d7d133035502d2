package deploy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/swiftclaw/swiftclaw/dotenv"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// Ref names where a value comes from.
type Ref struct {
	Kind string // RefSecret or RefEnv
	Name string
}

// Ref kinds.
const (
	RefSecret = "secret" // a secret in agents/<agent>/secrets/
	RefEnv    = "env"    // a variable in agents/<agent>/env.yaml
)

func (r Ref) String() string { return r.Kind + ":" + r.Name }

// Mapping asks for one variable: Env is set from From.
type Mapping struct {
	Env    string
	From   Ref
	Origin string // "--secret", "agent.yaml" or "env", for messages
}

// ParseMapping parses ENV=secret:NAME.
func ParseMapping(spec string) (Mapping, error) {
	env, ref, ok := strings.Cut(spec, "=")
	if !ok || env == "" {
		// Not echoed: without "=", the whole argument may be a value pasted by mistake.
		return Mapping{}, errs.New(errs.Input, "a mapping is not ENV=secret:NAME").
			WithHint("write it as --secret OPENAI_API_KEY=secret:api-key")
	}
	if !dotenv.ValidKey(env) {
		return Mapping{}, errs.New(errs.Input, "%q is not a valid environment variable name", env).
			WithHint("use letters, digits and '_', not starting with a digit")
	}
	kind, name, ok := strings.Cut(ref, ":")
	if ok && name != "" && slices.Contains(vault.ExternalSchemes, kind) {
		return Mapping{Env: env, From: Ref{Kind: kind, Name: name}}, nil
	}
	if !ok || kind != RefSecret || name == "" {
		return Mapping{}, errs.New(errs.Input, "mapping for %s must name a secret as secret:NAME", env).
			WithHint("write it as --secret %s=secret:NAME; list secrets with swiftclaw secrets list AGENT", env)
	}
	return Mapping{Env: env, From: Ref{Kind: RefSecret, Name: name}}, nil
}

// Request collects what one deploy asks for, highest precedence first: a variable named in
// Flags overrides the same name in Deploy, which overrides an env var of that name.
type Request struct {
	Flags  []string // --secret ENV=secret:NAME flags
	Deploy []string // the agent.yaml deploy: mappings, same syntax
	Env    []string // names of the agent's environment variables (always included)
}

// Resolver is the vault as deploy sees it.
type Resolver interface {
	// Identity reports why no identity is available for decryption, or nil.
	Identity() error
	// Check reports, without decrypting, why ref cannot be deployed: not found,
	// expired, not encrypted to any available identity. nil means Read should succeed.
	Check(ref Ref) error
	// Read decrypts ref.
	Read(ref Ref) ([]byte, error)
}

// Problem is one reason a deploy cannot go ahead.
type Problem struct {
	Env    string // variable concerned, "" for problems of the whole deploy
	Source string // e.g. "secret:api-key", or the flag text for a malformed flag
	Err    error
}

// Problems is every reason a deploy cannot go ahead; it is an error.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem", len(ps))
	if len(ps) != 1 {
		b.WriteString("s")
	}
	for _, p := range ps {
		b.WriteString("\n  - ")
		switch {
		case p.Env != "" && p.Source != "":
			fmt.Fprintf(&b, "%s <- %s: ", p.Env, p.Source)
		case p.Env != "":
			fmt.Fprintf(&b, "%s: ", p.Env)
		case p.Source != "":
			fmt.Fprintf(&b, "%s: ", p.Source)
		}
		b.WriteString(p.Err.Error())
	}
	return b.String()
}

// kindRank orders kinds so the exit code reflects the most serious problem: integrity and
// access failures (exit 3) over missing or malformed input (exit 2).
var kindRank = map[errs.Kind]int{
	errs.Tampered: 7, errs.Decrypt: 6, errs.Permission: 5, errs.Expired: 4,
	errs.NotFound: 3, errs.Conflict: 2, errs.Input: 1,
}

// Kind is the kind of the most serious problem.
func (ps Problems) Kind() errs.Kind {
	best, rank := errs.Internal, 0
	for _, p := range ps {
		k := errs.KindOf(p.Err)
		if r, ok := kindRank[k]; ok && r > rank {
			best, rank = k, r
		} else if !ok && rank == 0 {
			best = k
		}
	}
	return best
}

// asError wraps problems in an errs.Error whose kind is the most serious one, with the hint
// of the first problem that has one.
func (ps Problems) asError() error {
	if len(ps) == 0 {
		return nil
	}
	e := errs.Wrap(ps.Kind(), ps, "deploy stopped before writing anything")
	for _, p := range ps {
		if h := errs.HintOf(p.Err); h != "" {
			e.Hint = h
			break
		}
	}
	return e
}

// Plan is a checked request: the mappings that will be deployed, in name order.
type Plan struct {
	Mappings []Mapping
}

// Check parses and merges req, then asks r about the identity and every mapping without
// decrypting anything. It returns the plan and, if anything is wrong, one error listing
// every problem (see Problems).
func Check(req Request, r Resolver) (Plan, error) {
	var ps Problems
	byEnv := map[string]int{}
	var plan Plan
	layer := func(origin string, ms []Mapping) {
		inLayer := map[string]Ref{}
		for _, m := range ms {
			m.Origin = origin
			if prev, dup := inLayer[m.Env]; dup {
				if prev != m.From {
					ps = append(ps, Problem{Env: m.Env, Err: errs.New(errs.Conflict, "%s maps it to both %s and %s", origin, prev, m.From)})
				}
				continue
			}
			inLayer[m.Env] = m.From
			if _, taken := byEnv[m.Env]; taken {
				continue // a higher-precedence layer already set it
			}
			byEnv[m.Env] = len(plan.Mappings)
			plan.Mappings = append(plan.Mappings, m)
		}
	}
	parse := func(origin string, specs []string) []Mapping {
		var ms []Mapping
		for _, s := range specs {
			m, err := ParseMapping(s)
			if err != nil {
				// Name only the variable: what follows "=" may be a value pasted by mistake.
				src := origin
				if name, _, ok := strings.Cut(s, "="); ok {
					src += " " + name
				}
				ps = append(ps, Problem{Source: src, Err: err})
				continue
			}
			ms = append(ms, m)
		}
		return ms
	}
	layer("--secret", parse("--secret", req.Flags))
	layer("agent.yaml", parse("agent.yaml deploy", req.Deploy))
	envs := make([]Mapping, 0, len(req.Env))
	for _, name := range req.Env {
		envs = append(envs, Mapping{Env: name, From: Ref{Kind: RefEnv, Name: name}})
	}
	layer("env", envs)
	plan.Mappings = sortedMappings(plan.Mappings)

	if len(plan.Mappings) > 0 {
		if err := r.Identity(); err != nil {
			ps = append(ps, Problem{Err: err})
		}
	}
	for _, m := range plan.Mappings {
		if err := r.Check(m.From); err != nil {
			ps = append(ps, Problem{Env: m.Env, Source: m.From.String(), Err: err})
		}
	}
	return plan, ps.asError()
}

// Resolve checks req like Check and, only when nothing is wrong, decrypts every mapping.
// A decryption failure of any mapping fails the whole resolve, again listing every failure,
// so the caller writes nothing.
func Resolve(req Request, r Resolver) ([]Var, error) {
	plan, err := Check(req, r)
	if err != nil {
		return nil, err
	}
	var ps Problems
	vars := make([]Var, 0, len(plan.Mappings))
	for _, m := range plan.Mappings {
		val, err := r.Read(m.From)
		if err != nil {
			ps = append(ps, Problem{Env: m.Env, Source: m.From.String(), Err: err})
			continue
		}
		vars = append(vars, Var{Name: m.Env, Value: val, Source: m.From.String()})
	}
	if err := ps.asError(); err != nil {
		return nil, err
	}
	return vars, nil
}

func sortedMappings(ms []Mapping) []Mapping {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Env < ms[j].Env })
	return ms
}
