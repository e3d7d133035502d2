package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
)

// CompletionCmd is `swiftclaw completion bash|zsh|fish`.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

// Run prints a completion script generated from the command model, so it never drifts
// from the real commands and flags.
func (c *CompletionCmd) Run(k *kong.Kong, env *Env) error {
	tree := map[string][]string{} // "secrets set" -> words (subcommands and flags)
	var walk func(n *kong.Node, path []string)
	walk = func(n *kong.Node, path []string) {
		key := strings.Join(path, " ")
		var words []string
		for _, ch := range n.Children {
			if ch.Hidden || ch.Type != kong.CommandNode {
				continue
			}
			words = append(words, ch.Name)
			walk(ch, append(append([]string{}, path...), ch.Name))
		}
		for _, f := range n.Flags {
			if !f.Hidden {
				words = append(words, "--"+f.Name)
			}
		}
		if len(path) > 0 && !slices.Contains(words, "--help") {
			words = append(words, "--help")
		}
		sort.Strings(words)
		tree[key] = words
	}
	walk(k.Model.Node, nil)
	// Global flags are valid everywhere.
	var globals []string
	for _, f := range k.Model.Node.Flags {
		if !f.Hidden {
			globals = append(globals, "--"+f.Name)
		}
	}
	keys := make([]string, 0, len(tree))
	for key := range tree {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	switch c.Shell {
	case "bash":
		return bashCompletion(env.Stdout, keys, tree, globals)
	case "zsh":
		fmt.Fprintln(env.Stdout, "#compdef swiftclaw\nautoload -U +X bashcompinit && bashcompinit")
		return bashCompletion(env.Stdout, keys, tree, globals)
	default:
		return fishCompletion(env.Stdout, keys, tree)
	}
}

func bashCompletion(w io.Writer, keys []string, tree map[string][]string, globals []string) error {
	fmt.Fprintln(w, "# swiftclaw bash completion: eval \"$(swiftclaw completion bash)\"")
	fmt.Fprintln(w, "_swiftclaw() {")
	fmt.Fprintln(w, `  local cur path="" w i
  cur="${COMP_WORDS[COMP_CWORD]}"
  for ((i=1; i<COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case " $(_swiftclaw_words "${path# }") " in *" $w "*) path="$path $w";; esac
  done
  COMPREPLY=($(compgen -W "$(_swiftclaw_words "${path# }") `+strings.Join(globals, " ")+`" -- "$cur"))
}`)
	fmt.Fprintln(w, "_swiftclaw_words() {\n  case \"$1\" in")
	for _, k := range keys {
		fmt.Fprintf(w, "    %q) echo %q ;;\n", k, strings.Join(tree[k], " "))
	}
	fmt.Fprintln(w, "  esac\n}\ncomplete -o default -F _swiftclaw swiftclaw")
	return nil
}

func fishCompletion(w io.Writer, keys []string, tree map[string][]string) error {
	fmt.Fprintln(w, "# swiftclaw fish completion: swiftclaw completion fish | source")
	for _, k := range keys {
		parts := strings.Fields(k)
		cond := "__fish_use_subcommand"
		if len(parts) > 0 {
			cond = "__fish_seen_subcommand_from " + parts[len(parts)-1]
		}
		for _, word := range tree[k] {
			if strings.HasPrefix(word, "--") {
				fmt.Fprintf(w, "complete -c swiftclaw -n '%s' -l %s\n", cond, strings.TrimPrefix(word, "--"))
			} else {
				fmt.Fprintf(w, "complete -c swiftclaw -f -n '%s' -a %s\n", cond, word)
			}
		}
	}
	return nil
}
