// Package gittest isolates tests that run git from the developer's configuration and from
// any git hook environment the tests were started in.
package gittest

import (
	"os"
	"path/filepath"
)

// Isolate points HOME at a fresh temporary directory, turns off system and global git
// configuration, clears the variables git sets for hooks (GIT_DIR, GIT_INDEX_FILE, ...)
// and sets a fixed author and committer. Call it from TestMain; the returned function
// removes the temporary HOME.
func Isolate() (cleanup func(), err error) {
	home, err := os.MkdirTemp("", "gittest-home")
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_COUNT"} {
		os.Unsetenv(k)
	}
	for k, v := range map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"), "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
		"GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
	} {
		os.Setenv(k, v)
	}
	return func() { os.RemoveAll(home) }, nil
}
