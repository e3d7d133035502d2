package templates

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Rotation is a rotation policy: never, or every Every.
type Rotation struct {
	Never bool
	Every time.Duration
}

var rotationRe = regexp.MustCompile(`^([0-9]{1,6})([hdw])$`)

// maxRotation bounds policies to something a person would mean (ten years).
const maxRotation = 10 * 365 * 24 * time.Hour

// ParseRotation parses "never" or a positive count of hours, days or weeks: 24h, 90d, 2w.
func ParseRotation(s string) (Rotation, error) {
	if s == "never" {
		return Rotation{Never: true}, nil
	}
	m := rotationRe.FindStringSubmatch(s)
	if m == nil {
		return Rotation{}, fmt.Errorf("rotation %q is not a duration like 90d, 24h or 2w, or never", s)
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	d := time.Duration(n) * unit
	if n == 0 || d > maxRotation {
		return Rotation{}, fmt.Errorf("rotation %q must be more than zero and at most ten years", s)
	}
	return Rotation{Every: d}, nil
}

// String formats r in days when it is whole days, else in hours: 90d, 14d, 36h, never.
// The zero Rotation (no policy) formats as "".
func (r Rotation) String() string {
	switch {
	case r.Never:
		return "never"
	case r.Every == 0:
		return ""
	case r.Every%(24*time.Hour) == 0:
		return strconv.Itoa(int(r.Every/(24*time.Hour))) + "d"
	default:
		return strconv.Itoa(int(r.Every/time.Hour)) + "h"
	}
}

// IsSet reports whether r is a policy at all.
func (r Rotation) IsSet() bool { return r.Never || r.Every > 0 }
