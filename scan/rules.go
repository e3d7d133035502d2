package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	_ "unsafe" // for go:linkname, see gitleaksExtendDepth

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/logging"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// GitleaksConfigFile and GitleaksIgnoreFile are the names gitleaks looks for at the root
// of the scanned repository.
const (
	GitleaksConfigFile = ".gitleaks.toml"
	GitleaksIgnoreFile = ".gitleaksignore"
)

// configMu serializes config loading: gitleaks' config package reads through the global
// viper instance and keeps its extend depth in a package variable.
var configMu sync.Mutex

// gitleaksExtendDepth is gitleaks' config.extendDepth. gitleaks counts how deep it is in
// `[extend]` chains in this package variable and never resets it, because its CLI loads a
// config once per process. swiftclaw loads configs more than once per process (tests, and a
// scanner per repository), so without a reset the second config that extends the default
// would silently skip rule validation and the third would not be extended at all. Resetting
// it lets us call gitleaks' own Translate, which is the only way to extend and override
// exactly as gitleaks does. Pinned to gitleaks v8.30.1; a rename there fails the build.
//
//go:linkname gitleaksExtendDepth github.com/zricethezav/gitleaks/v8/config.extendDepth
var gitleaksExtendDepth int

var silenceOnce sync.Once

// silenceGitleaksLogging turns off gitleaks' global logger: library code must not print,
// and gitleaks logs secrets at trace level.
func silenceGitleaksLogging() {
	silenceOnce.Do(func() { logging.Logger = zerolog.Nop() })
}

// loadRules returns the gitleaks config for the repository at root: the file at path when
// given, else root/.gitleaks.toml when present, else gitleaks' built-in default rules.
// A repository config replaces the defaults unless it says `[extend] useDefault = true`,
// as in gitleaks. It also returns the config's path relative to root (gitleaks never
// reports findings in its own config file), empty for the built-in default.
func loadRules(root, path string) (cfg config.Config, rel string, err error) {
	var data []byte
	switch {
	case path != "":
		if data, err = os.ReadFile(path); err != nil {
			return config.Config{}, "", errs.Wrap(errs.Input, err, "read gitleaks config")
		}
	default:
		p := filepath.Join(root, GitleaksConfigFile)
		data, err = os.ReadFile(p)
		switch {
		case err == nil:
			path = p
		case errors.Is(err, fs.ErrNotExist):
			data = []byte(config.DefaultConfig)
		default:
			return config.Config{}, "", errs.Wrap(errs.Input, err, "read gitleaks config")
		}
	}
	if path != "" {
		if r, rerr := filepath.Rel(root, path); rerr == nil {
			rel = filepath.ToSlash(r)
		}
	}

	configMu.Lock()
	defer configMu.Unlock()
	defer func() {
		gitleaksExtendDepth = 0
		viper.Reset()
		// gitleaks compiles rule regexes with MustCompile; a bad pattern panics.
		if r := recover(); r != nil {
			err = errs.New(errs.Input, "invalid gitleaks config %s: %v", displayName(rel), r).
				WithHint("fix the regular expression in %s", displayName(rel))
		}
	}()
	gitleaksExtendDepth = 0
	viper.Reset()
	viper.SetConfigType("toml")
	if err := viper.ReadConfig(bytes.NewReader(data)); err != nil {
		return config.Config{}, "", errs.Wrap(errs.Input, err, "invalid gitleaks config %s", displayName(rel))
	}
	var vc config.ViperConfig
	if err := viper.Unmarshal(&vc); err != nil {
		return config.Config{}, "", errs.Wrap(errs.Input, err, "invalid gitleaks config %s", displayName(rel))
	}
	// gitleaks resolves a relative extend path against its working directory, which is the
	// repository root when it runs as a hook or in CI; resolve it against root the same way.
	if vc.Extend.Path != "" && !filepath.IsAbs(vc.Extend.Path) {
		vc.Extend.Path = filepath.Join(root, vc.Extend.Path)
	}
	cfg, err = vc.Translate()
	if err != nil {
		return config.Config{}, "", errs.Wrap(errs.Input, err, "invalid gitleaks config %s", displayName(rel))
	}
	cfg.Path = rel
	return cfg, rel, nil
}

func displayName(rel string) string {
	if rel == "" {
		return "(built-in default)"
	}
	return fmt.Sprintf("%q", rel)
}
