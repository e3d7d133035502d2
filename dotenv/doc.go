// Package dotenv reads and writes .env files strictly.
//
// Parse is the reader behind `swiftclaw env import`: it understands the syntax the common
// parsers share (KEY=value, `export ` prefixes, comments, single-, double- and
// backtick-quoted values that may span lines, CRLF line endings) and refuses, with a line
// number, everything those parsers read differently: unterminated quotes, escapes other than
// \n \r \\ \" \$, variable references like $HOME or ${X}, unquoted values with inner spaces,
// quotes or '#', and a key defined twice with different values. Guessing at a secret's value
// is worse than asking the user to quote it.
//
// Marshal is the writer behind `swiftclaw deploy --target dotenv`: it picks, per value, the
// plainest quoting that both this package and github.com/joho/godotenv read back byte for
// byte, and refuses (naming the variable, never the value) the few values no quoting can
// carry that way.
//
// Errors never contain values.
package dotenv
