package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSealedLineIsTheJSONOfTheSealedEntry(t *testing.T) {
	var c Chain
	e := readEntry(0)
	e.Time = time.Date(2024, 3, 8, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
	sealed, line, err := c.Seal(e)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(sealed)
	if string(line) != string(want) {
		t.Fatalf("line  %s\nwant  %s", line, want)
	}
	if !strings.Contains(string(line), `"time":"2024-03-08T09:30:00.123456789Z"`) {
		t.Fatalf("time is not UTC RFC 3339 with nanoseconds: %s", line)
	}
	body, claimed, ok := splitSealed(line)
	unsealed := sealed
	unsealed.Hash = ""
	canon, _ := json.Marshal(unsealed)
	if !ok || claimed != sealed.Hash || string(body)+"}" != string(canon) || canonicalHash(body) != sealed.Hash {
		t.Fatalf("the line does not split into the canonical bytes and their hash")
	}
	second, _, err := c.Seal(readEntry(1))
	if err != nil {
		t.Fatal(err)
	}
	if second.Seq != 2 || second.Prev != sealed.Hash || c.Hash != second.Hash {
		t.Fatalf("second entry does not extend the chain: %+v", second)
	}
}

func TestActionIsRead(t *testing.T) {
	for a, want := range map[Action]bool{ActionRead: true, ActionRun: true, ActionDeploy: true,
		ActionSet: false, ActionRotate: false, ActionEnvSet: false, ActionRemove: false} {
		if a.IsRead() != want {
			t.Errorf("%s.IsRead() = %v", a, !want)
		}
	}
}
