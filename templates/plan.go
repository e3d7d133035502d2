package templates

import (
	"fmt"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// ActionKind names what an Action does.
type ActionKind string

// Action kinds.
const (
	SetDescription ActionKind = "set-description"
	SetRotation    ActionKind = "set-rotation"
	GenerateValue  ActionKind = "generate"
)

// Action is one change apply makes. A Generate action creates the secret with its
// description and rotation policy in the same step.
type Action struct {
	Kind        ActionKind
	Secret      string
	Description string   // SetDescription, GenerateValue
	Rotation    Rotation // SetRotation, GenerateValue (zero: none)
	spec        Secret
}

func (a Action) String() string {
	switch a.Kind {
	case SetDescription:
		return fmt.Sprintf("set description of %s to %q", a.Secret, a.Description)
	case SetRotation:
		return fmt.Sprintf("set rotation of %s to %s", a.Secret, a.Rotation)
	default:
		g := a.spec.Generate
		if g.Bytes > 0 {
			return fmt.Sprintf("generate %s (%d random bytes, %s)", a.Secret, g.Bytes, g.Encoding)
		}
		return fmt.Sprintf("generate %s (%d %s characters)", a.Secret, g.Length, g.Charset)
	}
}

// Value generates the value of a GenerateValue action from crypto/rand and checks it against
// the template's pattern, so a template whose generator contradicts its pattern fails here
// instead of storing a value the next check rejects.
func (a Action) Value() ([]byte, error) {
	if a.Kind != GenerateValue {
		return nil, errs.New(errs.Internal, "%s action has no value", a.Kind)
	}
	v, err := a.spec.Generate.Value()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "generate %s", a.Secret)
	}
	if err := a.spec.CheckValue(v); err != nil {
		return nil, errs.New(errs.Input, "template generator for %s makes values that do not match its pattern %s", a.Secret, a.spec.PatternText).
			WithHint("edit the template so the generate: spec of %s produces values its pattern accepts", a.Secret)
	}
	return v, nil
}

// Plan compares t with inv and returns the actions that bring the vault in line with the
// template (in template order) and the report apply shows. Planning again after applying
// the actions returns none.
func Plan(t *Template, inv Inventory) ([]Action, Report) {
	return plan(t, inv, true)
}

// Missing returns the template's secrets that do not exist and that apply cannot generate:
// the ones `secrets apply --interactive` prompts for.
func Missing(t *Template, inv Inventory) []Secret {
	var out []Secret
	for _, s := range t.Secrets {
		if !inv[s.Name].Exists && s.Generate == nil {
			out = append(out, s)
		}
	}
	return out
}

func plan(t *Template, inv Inventory, applying bool) ([]Action, Report) {
	rep := Report{Template: t.Source}
	var acts []Action
	add := func(s Secret, sev Severity, code, msg string) {
		rep.Findings = append(rep.Findings, Finding{s.Name, sev, code, msg})
	}
	for _, s := range t.Secrets {
		st, ok := inv[s.Name]
		if !ok || !st.Exists {
			switch {
			case s.Generate != nil && applying:
				acts = append(acts, Action{Kind: GenerateValue, Secret: s.Name, Description: s.Description, Rotation: s.Rotation, spec: s})
				add(s, Info, WillGenerate, "missing; a value will be generated")
			case s.Required:
				msg := "required secret is missing"
				if s.Generate != nil {
					msg += "; secrets apply can generate it"
				}
				add(s, Error, MissingRequired, msg)
			default:
				add(s, Info, MissingOptional, "optional secret is not set")
			}
			continue
		}
		rep.Findings = append(rep.Findings, checkExisting(s, st)...)
		if s.Description != "" && st.Description != s.Description {
			if applying {
				acts = append(acts, Action{Kind: SetDescription, Secret: s.Name, Description: s.Description, spec: s})
			} else {
				add(s, Info, DescriptionDiffers, "description differs from the template")
			}
		}
		if s.Rotation.IsSet() && !sameRotation(st.Rotation, s.Rotation) {
			if applying {
				acts = append(acts, Action{Kind: SetRotation, Secret: s.Name, Rotation: s.Rotation, spec: s})
			} else {
				add(s, Info, RotationDiffers, fmt.Sprintf("rotation policy is %q, template says %s", st.Rotation, s.Rotation))
			}
		}
	}
	return acts, rep
}

func sameRotation(stored string, want Rotation) bool {
	r, err := ParseRotation(stored)
	return err == nil && r == want
}
