package deploy

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// PlannedVar is one line of a dry run: what would be written where. It has no value.
type PlannedVar struct {
	Name        string
	Source      string
	Destination string
}

// DryRun describes where each mapping of plan would go under opts. It reads no value.
func DryRun(plan Plan, opts Options) []PlannedVar {
	out := make([]PlannedVar, 0, len(plan.Mappings))
	for _, m := range plan.Mappings {
		out = append(out, PlannedVar{Name: m.Env, Source: m.From.String(), Destination: destination(m.Env, opts)})
	}
	return out
}

func outName(out string) string {
	if out == Stdout {
		return "standard output"
	}
	return out
}

func destination(name string, o Options) string {
	switch o.Target {
	case Exec:
		return "environment of the command"
	case GitHubActions:
		return fmt.Sprintf("$GITHUB_ENV (%s), masked in logs", o.GitHubEnv)
	case Kubernetes:
		secret := o.Name
		if o.Namespace != "" {
			secret = o.Namespace + "/" + o.Name
		}
		return fmt.Sprintf("Secret %s data.%s in %s", secret, name, outName(o.Out))
	case JSON:
		return fmt.Sprintf("key %q in %s", name, outName(o.Out))
	default:
		return fmt.Sprintf("%s in %s", name, outName(o.Out))
	}
}

// WriteDryRun writes planned as an aligned NAME SOURCE DESTINATION table.
func WriteDryRun(w io.Writer, planned []PlannedVar) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSOURCE\tDESTINATION")
	for _, p := range planned {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, p.Source, p.Destination)
	}
	return tw.Flush()
}
