package providers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Copy actions.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionUnchanged = "unchanged"
	ActionDelete    = "delete"
)

// Change is one planned or applied change of a Copy.
type Change struct {
	Name   string `json:"name"`
	Action string `json:"action"`
}

// CopyOptions configure Copy.
type CopyOptions struct {
	// DryRun plans without writing.
	DryRun bool
	// Prune deletes secrets in the destination that the source does not have.
	Prune bool
}

// NameChecker is implemented by stores with stricter name rules than ValidateName.
type NameChecker interface {
	CheckName(name string) error
}

// Copy makes to hold from's secrets: it reads every value from both sides first and
// checks each against to's limits, so a failure there writes nothing; then it writes, in
// name order, only what differs (an unchanged value creates no version). It returns the
// changes, planned with opts.DryRun, applied otherwise. Values never leave memory.
func Copy(ctx context.Context, from, to Provider, opts CopyOptions) ([]Change, error) {
	src, err := from.List(ctx)
	if err != nil {
		return nil, err
	}
	dst, err := to.List(ctx)
	if err != nil {
		return nil, err
	}
	inDst := map[string]bool{}
	for _, m := range dst {
		inDst[m.Name] = true
	}
	values := map[string]*Secret{}
	var changes []Change
	var problems []string
	var firstErr error
	problem := func(name string, err error) {
		problems = append(problems, fmt.Sprintf("%s: %v", name, err))
		if firstErr == nil {
			firstErr = err
		}
	}
	for _, m := range src {
		s, err := from.Get(ctx, m.Name, "")
		if err != nil {
			problem(m.Name, err)
			continue
		}
		if nc, ok := to.(NameChecker); ok {
			if err := nc.CheckName(m.Name); err != nil {
				problem(m.Name, err)
				continue
			}
		}
		if err := CheckSize(to, m.Name, s.Value); err != nil {
			problem(m.Name, err)
			continue
		}
		values[m.Name] = s
		action := ActionCreate
		if inDst[m.Name] {
			cur, err := to.Get(ctx, m.Name, "")
			switch {
			case err == nil && string(cur.Value) == string(s.Value):
				action = ActionUnchanged
			case err == nil:
				action = ActionUpdate
			case errs.KindOf(err) != errs.NotFound:
				problem(m.Name, err)
				continue
			}
		}
		changes = append(changes, Change{Name: m.Name, Action: action})
	}
	if opts.Prune {
		for _, m := range dst {
			if _, ok := values[m.Name]; !ok {
				changes = append(changes, Change{Name: m.Name, Action: ActionDelete})
			}
		}
	}
	if len(problems) > 0 {
		e := errs.New(errs.KindOf(firstErr), "nothing was copied from %s to %s; %d problem(s):\n  - %s", from.Where(), to.Where(), len(problems), strings.Join(problems, "\n  - "))
		e.Hint = errs.HintOf(firstErr)
		return nil, e
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Name < changes[j].Name })
	if opts.DryRun {
		return changes, nil
	}
	for i, c := range changes {
		var err error
		switch c.Action {
		case ActionCreate, ActionUpdate:
			s := values[c.Name]
			var desc *string
			if s.Description != "" {
				desc = &s.Description
			}
			_, err = to.Set(ctx, c.Name, s.Value, SetOptions{Description: desc})
		case ActionDelete:
			err = to.Remove(ctx, c.Name)
		}
		if err != nil {
			return changes[:i], errs.Wrap(errs.KindOf(err), err, "copying %s to %s stopped after %d of %d changes", c.Name, to.Where(), i, len(changes)).
				WithHint("%s", errs.HintOf(err))
		}
	}
	return changes, nil
}
