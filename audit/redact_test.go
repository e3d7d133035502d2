package audit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedactArgs(t *testing.T) {
	cases := []struct{ in, want string }{
		{"swiftclaw secrets set my-agent api-key --value sk-abc123 --description OpenAI",
			"swiftclaw secrets set my-agent api-key --value [REDACTED] --description OpenAI"},
		{"swiftclaw secrets set my-agent api-key --value=sk-abc123",
			"swiftclaw secrets set my-agent api-key --value=[REDACTED]"},
		{"swiftclaw secrets rotate my-agent api-key --new-value sk-new123 --grace-period 24h",
			"swiftclaw secrets rotate my-agent api-key --new-value [REDACTED] --grace-period 24h"},
		{"swiftclaw secrets rotate my-agent api-key --new-value=sk-new123",
			"swiftclaw secrets rotate my-agent api-key --new-value=[REDACTED]"},
		{"swiftclaw env set my-agent OPENAI_API_KEY=sk-abc DATABASE_URL=postgresql://u:p@h/db",
			"swiftclaw env set my-agent OPENAI_API_KEY=[REDACTED] DATABASE_URL=[REDACTED]"},
		{"swiftclaw secrets rotate my-agent api-key --webhook https://hooks.example.com/T0/sekret",
			"swiftclaw secrets rotate my-agent api-key --webhook https://hooks.example.com/[REDACTED]"},
		{"swiftclaw alerts create --agent a --notify webhook:https://hooks.example.com/T0/sekret?k=v",
			"swiftclaw alerts create --agent a --notify webhook:https://hooks.example.com/[REDACTED]"},
		{"swiftclaw alerts create --agent a --notify stderr",
			"swiftclaw alerts create --agent a --notify stderr"},
		{"swiftclaw run my-agent -- curl -H Authorization:sk-abc https://api.example.com",
			"swiftclaw run my-agent -- curl [REDACTED] [REDACTED] [REDACTED]"},
		{"swiftclaw secrets get my-agent api-key", "swiftclaw secrets get my-agent api-key"},
		{"swiftclaw deploy my-agent --set=TOKEN=sk-abc --set OTHER=sk-abc",
			"swiftclaw deploy my-agent --set=TOKEN=[REDACTED] --set OTHER=[REDACTED]"},
		// A trailing flag with no argument stays as it is.
		{"swiftclaw secrets set my-agent api-key --value", "swiftclaw secrets set my-agent api-key --value"},
	}
	for _, c := range cases {
		got := RedactArgs(strings.Fields(c.in))
		if diff := cmp.Diff(strings.Fields(c.want), got); diff != "" {
			t.Errorf("RedactArgs(%q) (-want +got):\n%s", c.in, diff)
		}
		if again := RedactArgs(got); !cmp.Equal(again, got) {
			t.Errorf("RedactArgs is not idempotent on %q: %q", c.in, again)
		}
		for _, v := range []string{"sk-abc", "sk-new123", "sekret", "u:p@h"} {
			if strings.Contains(strings.Join(got, " "), v) {
				t.Errorf("RedactArgs(%q) kept %q", c.in, v)
			}
		}
	}
}

func TestRedactArgsDoesNotModifyInput(t *testing.T) {
	in := []string{"swiftclaw", "secrets", "set", "a", "b", "--value", "sk-x"}
	RedactArgs(in)
	if in[6] != "sk-x" {
		t.Fatal("RedactArgs modified its input")
	}
}
