package alerts

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteTable writes alerts as an aligned table with upper-case headers:
//
//	ID        AGENT     METRIC         THRESHOLD  WINDOW  NOTIFY
//	3f9c2a1b  my-agent  secret-access  100        1h      stderr
//
// Webhook URLs show only their host.
func WriteTable(w io.Writer, list []Alert) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAGENT\tMETRIC\tTHRESHOLD\tWINDOW\tNOTIFY")
	for _, a := range list {
		target := a.Metric.String()
		if a.Secret != "" {
			target += " (" + a.Secret + ")"
		}
		notify := make([]string, len(a.Notify))
		for i, n := range a.Notify {
			notify[i] = redactNotify(n)
		}
		agent := a.Agent
		if agent == "" {
			agent = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, agent, target, strconv.Itoa(a.Threshold), a.Window, strings.Join(notify, ","))
	}
	return tw.Flush()
}

// String returns the metric's name.
func (m Metric) String() string { return string(m) }
