package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// parserProblems start the messages of the YAML library's parser errors.
var parserProblems = []string{"did not find expected ','", "did not find expected '-' indicator",
	"did not find expected <", "did not find expected key", "did not find expected node content",
	"found duplicate %", "found incompatible", "found undefined tag handle"}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// unknownAnchor matches the one YAML error that comes without a line.
var unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// findAlias returns the 1-based line and column of the first alias *name
// in the file.
func (p *parser) findAlias(name string) (line, col int, ok bool) {
	alias := []byte("*" + name)
	for off := 0; ; {
		i := bytes.Index(p.data[off:], alias)
		if i < 0 {
			return 0, 0, false
		}
		at := off + i
		end := at + len(alias)
		// The name must end here: aliases end at a space, comma,
		// bracket or line end.
		if end == len(p.data) || bytes.IndexByte([]byte(" \t\r\n,]}"), p.data[end]) >= 0 {
			line = 1 + bytes.Count(p.data[:at], []byte("\n"))
			col = 1 + utf8.RuneCount(p.data[bytes.LastIndexByte(p.data[:at], '\n')+1:at])
			return line, col, true
		}
		off = at + 1
	}
}

// decodeYAML parses data into a document node, reporting syntax errors.
func (p *parser) decodeYAML(data []byte) (root *yaml.Node) {
	defer func() {
		if r := recover(); r != nil {
			p.probs = append(p.probs, Problem{1, 1, fmt.Sprintf("the YAML parser failed: %v", r)})
			root = nil
		}
	}()
	p.data = trimBOM(data)
	dec := yaml.NewDecoder(strings.NewReader(string(p.data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.probs = append(p.probs, Problem{1, 1, "the file is empty: a scenario is a mapping such as {name: demo, events: 10}"})
			return nil
		}
		p.syntaxError(err)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		p.errf(&next, "a second YAML document: a file holds one scenario")
	case !errors.Is(err, io.EOF):
		p.syntaxError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.probs = append(p.probs, Problem{1, 1, "the file is empty: a scenario is a mapping such as {name: demo, events: 10}"})
		return nil
	}
	return deref(doc.Content[0])
}

func (p *parser) syntaxError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// The YAML library counts lines from 0 for parser (not scanner)
		// errors; it then names the line where the unfinished construct
		// starts.
		for _, pm := range parserProblems {
			if strings.HasPrefix(msg, pm) {
				line++
				break
			}
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
			if l, c, ok := p.findAlias(m[1]); ok {
				p.probs = append(p.probs, Problem{l, c, "YAML syntax error: " + msg + " (an alias *" + m[1] + " must come after its anchor &" + m[1] + ")"})
				return
			}
		}
	}
	p.probs = append(p.probs, Problem{line, 1, "YAML syntax error: " + msg})
}
