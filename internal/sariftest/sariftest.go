// Package sariftest checks SARIF logs against what the SARIF 2.1.0 schema
// (sarif-schema-2.1.0.json) requires, for tests of swiftclaw's --sarif output.
package sariftest

import (
	"encoding/json"
	"fmt"
)

// Check decodes a SARIF log and returns the first violation of the 2.1.0 schema's required
// properties and value constraints found in the parts swiftclaw writes: sarifLog (version
// "2.1.0", runs), run (tool), tool (driver), toolComponent (name), reportingDescriptor
// (id), result (message with text or id; level from the enum; ruleIndex pointing at its
// ruleId), physicalLocation (artifactLocation, region lines and columns >= 1). It returns
// the number of results.
func Check(data []byte) (results int, err error) {
	var log map[string]any
	if err := json.Unmarshal(data, &log); err != nil {
		return 0, fmt.Errorf("not JSON: %w", err)
	}
	c := &checker{}
	c.require(log, "sarifLog", "version", "runs")
	if log["version"] != "2.1.0" {
		c.fail("sarifLog.version = %v, want 2.1.0", log["version"])
	}
	for _, rv := range c.arr(log["runs"], "runs") {
		run := c.obj(rv, "run")
		c.require(run, "run", "tool")
		driver := c.obj(c.obj(run["tool"], "tool")["driver"], "tool.driver")
		c.require(driver, "toolComponent", "name")
		var ids []any
		for _, r := range c.arr(driver["rules"], "driver.rules") {
			rule := c.obj(r, "reportingDescriptor")
			c.require(rule, "reportingDescriptor", "id")
			ids = append(ids, rule["id"])
		}
		for _, r := range c.arr(run["results"], "results") {
			results++
			res := c.obj(r, "result")
			c.require(res, "result", "message")
			msg := c.obj(res["message"], "message")
			if _, ok := msg["text"].(string); !ok {
				if _, ok := msg["id"].(string); !ok {
					c.fail("result.message needs text or id")
				}
			}
			if lvl, ok := res["level"]; ok && lvl != "none" && lvl != "note" && lvl != "warning" && lvl != "error" {
				c.fail("result.level = %v", lvl)
			}
			if idx, ok := res["ruleIndex"].(float64); ok {
				if int(idx) < 0 || int(idx) >= len(ids) || ids[int(idx)] != res["ruleId"] {
					c.fail("result.ruleIndex %v does not point at rule %v", idx, res["ruleId"])
				}
			}
			for _, l := range c.arr(res["locations"], "result.locations") {
				phys := c.obj(c.obj(l, "location")["physicalLocation"], "physicalLocation")
				if uri, _ := c.obj(phys["artifactLocation"], "artifactLocation")["uri"].(string); uri == "" {
					c.fail("artifactLocation.uri is empty")
				}
				region := c.obj(phys["region"], "region")
				for _, k := range []string{"startLine", "startColumn", "endLine", "endColumn"} {
					if v, ok := region[k].(float64); ok && v < 1 {
						c.fail("region.%s = %v, must be >= 1", k, v)
					}
				}
			}
		}
	}
	return results, c.err
}

type checker struct{ err error }

func (c *checker) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

func (c *checker) require(m map[string]any, what string, keys ...string) {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			c.fail("%s: required property %q missing", what, k)
		}
	}
}

func (c *checker) obj(v any, what string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail("%s is not an object", what)
	}
	return m
}

func (c *checker) arr(v any, what string) []any {
	a, ok := v.([]any)
	if !ok {
		c.fail("%s is not an array", what)
	}
	return a
}
