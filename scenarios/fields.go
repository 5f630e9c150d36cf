package scenarios

import (
	"fmt"
	"net/url"
	"strconv"

	"go.yaml.in/yaml/v3"
)

var fieldKeys = []string{"appId", "scheme", "host", "fileId", "fileIds", "webVttUrl", "version"}

func (p *parser) fields(n *yaml.Node, s *Scenario) {
	m := p.object(n, "fields", fieldKeys...)
	if e, ok := m["appId"]; ok {
		if v, ok := p.integer(e.val, "fields.appId"); ok {
			if v < 1 {
				p.errf(e.val, "fields.appId: must be a positive account id like 1255566655, got %d", v)
			} else {
				s.Generator.AppID = uint64(v)
			}
		}
	}
	if e, ok := m["scheme"]; ok {
		if v, ok := p.str(e.val, "fields.scheme"); ok {
			if v != "http" && v != "https" {
				p.errf(e.val, "fields.scheme: %q: want http or https", v)
			} else {
				s.Generator.Scheme = v
			}
		}
	}
	if e, ok := m["host"]; ok {
		if v, ok := p.str(e.val, "fields.host"); ok {
			u, err := url.Parse("http://" + v + "/")
			switch {
			case v == "" || err != nil || u.Host != v || u.User != nil || u.Hostname() == "":
				p.errf(e.val, "fields.host: %q is not a host name like 1255566655.vod2.myqcloud.com", v)
			case u.Port() != "" && !validPort(u.Port()):
				p.errf(e.val, "fields.host: %q: port %s is not 1 to 65535", v, u.Port())
			default:
				s.Generator.Host = v
			}
		}
	}
	one, hasOne := m["fileId"]
	many, hasMany := m["fileIds"]
	switch {
	case hasOne && hasMany:
		p.errf(many.key, "fields.fileIds: give either fileId or fileIds, not both")
	case hasOne:
		if id, ok := p.fileID(one.val, "fields.fileId"); ok {
			s.Generator.FileIDs = []string{id}
		}
	case hasMany:
		if items, ok := p.list(many.val, "fields.fileIds", "file ids"); ok {
			if len(items) == 0 {
				p.errf(many.val, "fields.fileIds: empty list: give at least one file id, or remove fileIds")
			}
			for i, it := range items {
				if id, ok := p.fileID(it, fmt.Sprintf("fields.fileIds[%d]", i)); ok {
					s.Generator.FileIDs = append(s.Generator.FileIDs, id)
				}
			}
		}
	}
	if e, ok := m["webVttUrl"]; ok {
		s.Encoding.WebVTT, _ = p.boolean(e.val, "fields.webVttUrl")
	}
	if e, ok := m["version"]; ok {
		switch {
		case isString(e.val) && e.val.Value == "4.0":
		case e.val.ShortTag() == "!!int" && e.val.Value == "4":
			s.Encoding.NumericVersion, p.version = true, e.val
		default:
			p.errf(e.val, `fields.version: want "4.0" (the string, as documented) or 4 (the number, a quirk of one old sample), got %s`, kindName(e.val))
		}
	}
}

func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// fileID reads a file id: a string (or bare number) of 1 to 20 digits.
func (p *parser) fileID(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || !(isString(n) || isNumber(n)) {
		p.wrongType(n, path, "a file id of digits")
		return "", false
	}
	v := n.Value
	ok := len(v) >= 1 && len(v) <= 20
	for i := 0; ok && i < len(v); i++ {
		ok = v[i] >= '0' && v[i] <= '9'
	}
	if !ok {
		p.errf(n, "%s: %q is not a file id: want 1 to 20 digits, like \"14508071098244929440\"", path, v)
		return "", false
	}
	return v, true
}
