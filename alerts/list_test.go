package alerts

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWriteTable(t *testing.T) {
	var f File
	f.Create(Alert{Agent: "my-agent", Metric: SecretAccess, Threshold: 100, Window: Window(time.Hour)})
	f.Create(Alert{Agent: "my-agent", Metric: SecretAccess, Secret: "api-key", Threshold: 5, Window: Window(time.Hour),
		Notify: []string{"webhook:https://hooks.example.com/T0/sekret", "stderr"}})
	f.Create(Alert{Metric: ScanFindings})
	var out bytes.Buffer
	if err := WriteTable(&out, f.Alerts); err != nil {
		t.Fatal(err)
	}
	want := "ID        AGENT     METRIC                   THRESHOLD  WINDOW  NOTIFY\n" +
		f.Alerts[0].ID + "  my-agent  secret-access            100        1h      stderr\n" +
		f.Alerts[1].ID + "  my-agent  secret-access (api-key)  5          1h      webhook:https://hooks.example.com/[REDACTED],stderr\n" +
		f.Alerts[2].ID + "  -         scan-findings            1          1d      stderr\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
