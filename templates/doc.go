// Package templates parses and checks secret templates, the secrets-template.yaml files of
// `swiftclaw secrets apply` and `swiftclaw secrets check`:
//
//	secrets:
//	  - name: openai-api-key
//	    description: OpenAI API Key
//	    env: OPENAI_API_KEY        # optional: the variable it is usually deployed as
//	    required: true
//	    rotation: 90d              # h, d or w units, or never
//	    pattern: 'sk-[A-Za-z0-9_-]{20,}'   # optional RE2, must match the whole value
//	    generate:                  # optional: how apply creates a missing value
//	      length: 32
//	      charset: alphanumeric
//
// Parse is strict: an unknown field, a bad duration, an invalid pattern or generator, or a
// repeated name is an error naming the file and line. Built-in templates (openai,
// anthropic, stripe, postgres, github-app) load as "builtin:NAME".
//
// The package never touches the vault. Check compares a template with an Inventory the
// caller builds from the vault (which secrets exist, have expired, and a function that tests
// a value against a pattern without handing the value out) and returns findings; Plan turns
// the same comparison into Actions (set description, set rotation, generate value) that the
// vault applies. Applying a plan and planning again yields no actions: apply is idempotent.
// Generated values come from crypto/rand only.
package templates
