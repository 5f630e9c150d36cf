package sender

import (
	"net/url"
	"strings"
)

// RedactTarget returns target with the password of its userinfo, if any,
// replaced by "xxxxx" as url.URL.Redacted does, whether or not target
// parses as an http URL: "ci:s3cret@host/" (no scheme) parses with the
// password in its opaque part, which Redacted leaves as it is, and a
// target that does not parse has no URL to redact.
func RedactTarget(target string) string {
	if u, err := url.Parse(target); err == nil && u.Opaque == "" {
		return u.Redacted()
	}
	pre, rest := "", target
	if i := strings.Index(target, "://"); i >= 0 {
		pre, rest = target[:i+3], target[i+3:]
	}
	auth := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		auth = rest[:end]
	}
	at := strings.LastIndexByte(auth, '@')
	if at < 0 {
		return target
	}
	colon := strings.IndexByte(auth[:at], ':')
	if colon < 0 {
		return target
	}
	return pre + auth[:colon+1] + "xxxxx" + rest[at:]
}
