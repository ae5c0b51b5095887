package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// yamlLine finds the line in a yaml.v3 syntax error ("yaml: line 3: ...").
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// parserErrors are yaml.v3's parser (not scanner) messages that come
// with a context: the line in the error is then 0-based and is where the
// enclosing block or flow collection starts, not where the mistake is.
var parserErrors = []string{
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
}

// syntaxProblem turns a yaml.v3 error into a Problem on the line the
// mistake most likely is.
func syntaxProblem(file string, data []byte, err error) *Problem {
	p := &Problem{File: file, Line: lastLine(data), Message: "invalid YAML: " + err.Error()}
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return p
	}
	p.Message = "invalid YAML: " + m[2]
	if m[1] == "" {
		// yaml.v3 names no line for what it finds at the end of the
		// input ("found unexpected end of stream": an unclosed quote):
		// the last line is where the user should look.
		return p
	}
	p.Line, _ = strconv.Atoi(m[1])
	if !isParserError(m[2]) || m[1] == "" {
		return p
	}
	start := p.Line + 1 // 1-based line where the enclosing block starts
	lines := strings.Split(string(data), "\n")
	switch {
	case strings.Contains(m[2], "expected ','"):
		p.Line = unclosedFlow(lines, start)
		p.Message = fmt.Sprintf("invalid YAML: a [list] or {map} opened on line %d is not closed (%s)", start, m[2])
	case m[2] == "did not find expected key":
		p.Line = misindented(lines, start)
		p.Message = fmt.Sprintf("invalid YAML: indentation does not line up with the block starting on line %d", start)
	}
	return p
}

func isParserError(msg string) bool {
	for _, e := range parserErrors {
		if msg == e {
			return true
		}
	}
	return false
}

// unclosedFlow returns the line (1-based) where a flow collection opened
// on line start runs out: the last line before the brackets would have
// had to close, which is that line itself when it does not balance.
func unclosedFlow(lines []string, start int) int {
	if start < 1 || start > len(lines) {
		return start
	}
	depth := 0
	for i := start - 1; i < len(lines); i++ {
		depth += strings.Count(lines[i], "[") + strings.Count(lines[i], "{")
		depth -= strings.Count(lines[i], "]") + strings.Count(lines[i], "}")
		if depth > 0 && (i+1 >= len(lines) || indent(lines[i+1]) <= indent(lines[start-1])) {
			return i + 1
		}
	}
	return start
}

// misindented returns the first line (1-based) from start on whose
// indentation matches no enclosing block: deeper than the line before
// when that line opens no block, or a dedent to a level never opened.
func misindented(lines []string, start int) int {
	var stack []int
	prevOpens := true
	for i := max(start-1, 0); i < len(lines); i++ {
		text := strings.TrimSpace(lines[i])
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		in := indent(lines[i])
		switch {
		case len(stack) == 0 || (prevOpens && in > stack[len(stack)-1]):
			stack = append(stack, in)
		case in > stack[len(stack)-1]:
			return i + 1
		default:
			for len(stack) > 0 && stack[len(stack)-1] > in {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 || stack[len(stack)-1] != in {
				return i + 1
			}
		}
		prevOpens = strings.HasSuffix(text, ":")
	}
	return start
}

func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// lastLine is the 1-based number of the last line of data that holds
// anything but space (1 for a blank file).
func lastLine(data []byte) int {
	lines := strings.Split(string(data), "\n")
	for i := len(lines) - 1; i > 0; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			return i + 1
		}
	}
	return 1
}
