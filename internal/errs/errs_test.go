package errs

import (
	"fmt"
	"testing"
)

func TestKindAndHintSurviveWrapping(t *testing.T) {
	inner := New(Expired, "secret a/b expired").WithHint("swiftclaw secrets rotate a b")
	outer := fmt.Errorf("get: %w", inner)
	if KindOf(outer) != Expired {
		t.Fatalf("KindOf = %v", KindOf(outer))
	}
	if HintOf(outer) != "swiftclaw secrets rotate a b" {
		t.Fatalf("HintOf = %q", HintOf(outer))
	}
	if KindOf(fmt.Errorf("plain")) != Internal {
		t.Fatal("plain error should be Internal")
	}
	w := Wrap(Input, inner, "set")
	if !Is(w, Expired) || !Is(w, Input) || Is(w, Busy) {
		t.Fatal("Is does not walk the chain")
	}
}
