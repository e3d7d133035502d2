// Package hooks installs and removes swiftclaw's git pre-commit hook, which runs
// `swiftclaw security scan --staged --check` so that a commit adding a secret is blocked.
//
// The hook goes where git will run it: the directory `git rev-parse --git-path hooks`
// names, which honours core.hooksPath and resolves to the shared hooks directory from a
// linked worktree. An existing pre-commit hook is not replaced: it is renamed to
// pre-commit.swiftclaw-chained, the swiftclaw hook runs it first (and fails the commit if
// it fails), and [Uninstall] renames it back, so the original is restored byte for byte
// (symlinks included).
//
// Users of the pre-commit framework use the repository's .pre-commit-hooks.yaml instead.
package hooks
