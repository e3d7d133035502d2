package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// table writes aligned columns with upper-case headers, as the product page shows them.
func table(w io.Writer, headers []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// timeFormat is the product page's table time format.
const timeFormat = "2006-01-02 15:04"

func fmtTime(t time.Time, utc bool) string {
	if utc {
		return t.UTC().Format(timeFormat)
	}
	return t.Local().Format(timeFormat)
}

// jsonValue renders a value for JSON output: a string when it is UTF-8, else base64.
func jsonValue(v []byte) (value, encoding string) {
	if utf8.Valid(v) {
		return string(v), "utf-8"
	}
	return b64(v), "base64"
}
