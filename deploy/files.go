package deploy

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"

	"github.com/swiftclaw/swiftclaw/dotenv"
	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// plaintextWarning heads every file format that has comments.
const plaintextWarning = "# Written by swiftclaw deploy. Contains plaintext secrets: keep it out of git.\n"

func encodeDotenv(vars []Var) ([]byte, error) {
	entries := make([]dotenv.Entry, 0, len(vars))
	for _, v := range vars {
		// Quote first so the error can name the source as well as the variable.
		if _, err := dotenv.Quote(v.Value); err != nil {
			return nil, errs.Wrap(errs.Input, err, "cannot write %s to a .env file", v.label())
		}
		entries = append(entries, dotenv.Entry{Key: v.Name, Value: v.Value})
	}
	body, err := dotenv.Marshal(entries)
	if err != nil {
		return nil, err
	}
	return append([]byte(plaintextWarning), body...), nil
}

// dockerMaxLine is bufio.MaxScanTokenSize: docker reads env files with a bufio.Scanner and
// fails on longer lines.
const dockerMaxLine = bufio.MaxScanTokenSize

// encodeDockerEnv writes KEY=VALUE lines as `docker run --env-file` reads them: no quoting
// or escapes exist, so a value that would be read differently is refused.
func encodeDockerEnv(vars []Var) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(plaintextWarning)
	for _, v := range vars {
		if err := checkEnvValue(v); err != nil {
			return nil, err
		}
		val := v.Value
		switch {
		case bytes.ContainsAny(val, "\n\r"):
			return nil, errs.New(errs.Input, "value of %s spans several lines; docker env files hold one line per variable", v.label()).
				WithHint("use --target dotenv or --target kubernetes for multi-line values, or store the value base64-encoded")
		case !utf8.Valid(val):
			return nil, errs.New(errs.Input, "value of %s is not valid UTF-8, which docker env files refuse", v.label()).
				WithHint("use --target json --encoding base64 or --target kubernetes")
		case len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[len(val)-1] == val[0]:
			return nil, errs.New(errs.Input, "value of %s starts and ends with the same quote; docker versions disagree on whether to strip them", v.label()).
				WithHint("use --target dotenv or --target json for this value")
		case len(v.Name)+1+len(val) >= dockerMaxLine:
			return nil, errs.New(errs.Input, "value of %s is longer than docker's env-file line limit of %d bytes", v.label(), dockerMaxLine)
		}
		b.WriteString(v.Name)
		b.WriteByte('=')
		b.Write(val)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// encodeJSON writes {"NAME": "value", ...} with sorted keys. With EncodingUTF8 a value that
// is not valid UTF-8 is refused (JSON strings cannot carry it); with EncodingBase64 every
// value is standard base64.
func encodeJSON(vars []Var, encoding string) ([]byte, error) {
	obj := make(map[string]string, len(vars))
	for _, v := range vars {
		if encoding == EncodingBase64 {
			obj[v.Name] = base64.StdEncoding.EncodeToString(v.Value)
			continue
		}
		if !utf8.Valid(v.Value) {
			return nil, errs.New(errs.Input, "value of %s is not valid UTF-8 and cannot be a JSON string", v.label()).
				WithHint("add --encoding base64 to write every value base64-encoded")
		}
		obj[v.Name] = string(v.Value)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(obj); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode JSON")
	}
	return b.Bytes(), nil
}
