package generator

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// The 3.0 callback signature, as the real service adds it to a 3.0 body
// when the app has a callback key: "T" (the expiry, UNIX seconds) and
// "Sign" = md5(key + T) as lowercase hex, the body's last two members.
const (
	// SignValidity is how far in the future a 3.0 signature's T lies, as
	// the real service's default.
	SignValidity = 10 * time.Minute
	// MaxSignKeyLen is the longest key the real service accepts.
	MaxSignKeyLen = 32
)

// Sign returns the 3.0 callback signature for key and expiry t:
// md5(key + t) as lowercase hex, t in decimal UNIX seconds.
func Sign(key string, t int64) string {
	sum := md5.Sum([]byte(key + strconv.FormatInt(t, 10)))
	return hex.EncodeToString(sum[:])
}

// AppendSignature adds "T" and "Sign" as the last members of a 3.0 body
// (a JSON object, as Encoding.Marshal writes it) and returns the extended
// body; a body that does not end in '}' (white space aside) is returned
// unchanged. A body that already has a top-level T or Sign (a payload of
// the user's) has their values replaced rather than a second member
// added, and an empty object gets the two members alone.
func AppendSignature(body []byte, key string, t int64) []byte {
	end := len(body)
	for end > 0 && isJSONSpace(body[end-1]) {
		end--
	}
	if end == 0 || body[end-1] != '}' {
		return body
	}
	if gjson.GetBytes(body, "T").Exists() || gjson.GetBytes(body, "Sign").Exists() {
		out, err := sjson.SetBytes(body, "T", t)
		if err == nil {
			out, err = sjson.SetBytes(out, "Sign", Sign(key, t))
		}
		if err == nil {
			return out
		}
		return body
	}
	open := end - 1
	for open > 0 && isJSONSpace(body[open-1]) {
		open--
	}
	empty := open > 0 && body[open-1] == '{'
	body = body[:end-1]
	if !empty {
		body = append(body, ',')
	}
	body = append(body, `"T":`...)
	body = strconv.AppendInt(body, t, 10)
	body = append(body, `,"Sign":"`...)
	body = append(body, Sign(key, t)...)
	body = append(body, `"}`...)
	return body
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// CheckSignKey says whether k can be a 3.0 callback key: 1 to
// MaxSignKeyLen ASCII letters and digits, as the real service accepts.
func CheckSignKey(k string) error {
	if k == "" {
		return errors.New("sign key is empty: give 1 to 32 letters and digits")
	}
	if len(k) > MaxSignKeyLen {
		return fmt.Errorf("sign key is %d characters long; at most %d", len(k), MaxSignKeyLen)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return fmt.Errorf("sign key: character %q at %d: only letters and digits are allowed", c, i+1)
		}
	}
	return nil
}
