package vault

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// ParseDuration parses durations as users write them for TTLs, rotation intervals and
// grace periods: Go durations ("30m", "24h", "1h30m") plus days and weeks ("7d", "90d",
// "2w"). Zero and negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := func() error {
		return errs.New(errs.Input, "invalid duration %q", s).
			WithHint("use a number and a unit: 30m, 24h, 7d, 90d, 2w")
	}
	if s == "" {
		return 0, bad()
	}
	var d time.Duration
	if n := len(s); s[n-1] == 'd' || s[n-1] == 'w' {
		v, err := strconv.ParseUint(s[:n-1], 10, 32)
		if err != nil {
			return 0, bad()
		}
		day := 24 * time.Hour
		if s[n-1] == 'w' {
			day *= 7
		}
		d = time.Duration(v) * day
	} else {
		var err error
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, bad()
		}
	}
	if d <= 0 {
		return 0, errs.New(errs.Input, "invalid duration %q: must be positive", s)
	}
	return d, nil
}

// FormatDuration renders d the way ParseDuration reads it, preferring days.
func FormatDuration(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d%day == 0:
		return fmt.Sprintf("%dd", d/day)
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
