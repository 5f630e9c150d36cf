package pullevent

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// request3 is a decoded PullEvents, ConfirmEvents or DescribeEventsState
// request. SubAppId is optional in all three, ExtInfo in the first two; they are checked and otherwise
// ignored (there is one queue, and ExtInfo is reserved by the API).
type request3 struct {
	EventHandles []string `json:"EventHandles"`
	SubAppID     *uint64  `json:"SubAppId"`
	ExtInfo      *string  `json:"ExtInfo"`
}

// decodeRequest3JSON parses an API 3.0 JSON body for action strictly, as
// the real API does: unknown parameters and wrong types are errors.
func decodeRequest3JSON(action string, body []byte) (request3, *apiError) {
	var req request3
	if b := bytes.TrimSpace(body); len(b) == 0 || string(b) == "{}" {
		// Every PullEvents without parameters: no decoder needed.
		return req, checkRequest3(action, req)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var ute *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &ute) && ute.Field == "":
			return req, errf("InvalidParameter", "The request body is not a JSON object of parameters: it is a JSON %s.", ute.Value)
		case errors.As(err, &ute):
			return req, errf("InvalidParameter", "The value type of parameter `%s` is wrong: want %s.", ute.Field, param3Types[ute.Field])
		case errors.As(err, &se):
			return req, errf("InvalidParameter", "The request body is not valid JSON: %v (at byte %d).", err, se.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return req, errf("UnknownParameter", "The parameter `%s` is not recognized by %s.", name, action)
		default:
			return req, errf("InvalidParameter", "The request body is not a JSON object of parameters: %v.", err)
		}
	}
	if dec.More() {
		return req, errf("InvalidParameter", "The request body has data after the JSON object.")
	}
	// encoding/json matches names regardless of case; the API does not:
	// eventHandles is not EventHandles. (The body is one object: decoded
	// above.)
	var unknown string
	gjson.ParseBytes(body).ForEach(func(k, _ gjson.Result) bool {
		if _, ok := param3Types[k.Str]; !ok && (unknown == "" || k.Str < unknown) {
			unknown = k.Str
		}
		return true
	})
	if unknown != "" {
		return req, errf("UnknownParameter", "The parameter `%s` is not recognized by %s.", unknown, action)
	}
	return req, checkRequest3(action, req)
}

// param3Types are the parameters of request3, named as the API names them,
// with their types in the API's words.
var param3Types = map[string]string{
	"EventHandles": "an array of strings",
	"SubAppId":     "an integer, 0 or more",
	"ExtInfo":      "a string",
}

// decodeRequest3Form parses API 3.0 parameters given as a query string or
// form (GET, or POST application/x-www-form-urlencoded): EventHandles.N,
// SubAppId and ExtInfo.
func decodeRequest3Form(action string, v url.Values) (request3, *apiError) {
	var req request3
	type idx struct {
		n int
		h string
	}
	var hs []idx
	for k, vals := range v {
		switch {
		case k == "SubAppId":
			n, err := strconv.ParseUint(vals[0], 10, 64)
			if err != nil {
				return req, errf("InvalidParameter", "The value type of parameter `SubAppId` is wrong: want an integer, got %q.", vals[0])
			}
			req.SubAppID = &n
		case k == "ExtInfo":
			req.ExtInfo = &vals[0]
		case strings.HasPrefix(k, "EventHandles."):
			n, err := strconv.Atoi(strings.TrimPrefix(k, "EventHandles."))
			if err != nil || n < 0 {
				return req, errf("InvalidParameter", "The parameter `%s` is not EventHandles.N with N a number from 0.", k)
			}
			hs = append(hs, idx{n, vals[0]})
		case isCommonParam(k):
		default:
			return req, errf("UnknownParameter", "The parameter `%s` is not recognized by %s.", k, action)
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].n < hs[j].n })
	for i, h := range hs {
		if i > 0 && hs[i-1].n == h.n {
			// EventHandles.1 and EventHandles.01: one element, twice.
			return req, errf("InvalidParameter", "The element %d of `EventHandles` is given more than once.", h.n)
		}
		req.EventHandles = append(req.EventHandles, h.h)
	}
	return req, checkRequest3(action, req)
}

// isCommonParam reports whether k is an API common parameter that may
// appear in a query string.
func isCommonParam(k string) bool {
	switch k {
	case "Action", "Version", "Region", "Timestamp", "Nonce", "SecretId", "Signature", "SignatureMethod", "Token", "Language", "RequestClient":
		return true
	}
	return false
}

func checkRequest3(action string, req request3) *apiError {
	switch action {
	case "PullEvents":
		if req.EventHandles != nil {
			return errf("UnknownParameter", "The parameter `EventHandles` is not recognized by PullEvents.")
		}
	case "DescribeEventsState":
		if req.EventHandles != nil {
			return errf("UnknownParameter", "The parameter `EventHandles` is not recognized by DescribeEventsState.")
		}
		if req.ExtInfo != nil {
			return errf("UnknownParameter", "The parameter `ExtInfo` is not recognized by DescribeEventsState.")
		}
	case "ConfirmEvents":
		if len(req.EventHandles) == 0 {
			return errf("MissingParameter", "The request is missing the required parameter `EventHandles`.")
		}
		if len(req.EventHandles) > DefaultMaxEvents {
			return errf("InvalidParameterValue", "EventHandles has %d handles; at most %d are allowed in one call.", len(req.EventHandles), DefaultMaxEvents)
		}
		for i, h := range req.EventHandles {
			if h == "" {
				return errf("InvalidParameterValue", "EventHandles[%d] is empty.", i)
			}
		}
	}
	return nil
}

// parseLegacyParams parses the legacy API's parameters from query strings
// or form bodies. A parameter given twice, or not URL-encoded correctly, is
// an error.
func parseLegacyParams(raws ...string) (map[string]string, *apiError) {
	p := make(map[string]string)
	for _, raw := range raws {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return nil, legacyErr(legacyInvalidParameter, "InvalidParameter", "parameters are not correctly URL-encoded: %v", err)
		}
		for k, vals := range v {
			if _, dup := p[k]; dup || len(vals) > 1 {
				return nil, legacyErr(legacyInvalidParameter, "InvalidParameter", "parameter %s is given more than once", k)
			}
			if k == "" {
				return nil, legacyErr(legacyInvalidParameter, "InvalidParameter", "a parameter has an empty name")
			}
			p[k] = vals[0]
		}
	}
	return p, nil
}

// legacyHandles returns the msgHandle.N parameters in order of N. Some
// clients write msgHandle_N; it is read as msgHandle.N (the signature is
// over the name as sent), and giving both for one N is an error.
func legacyHandles(p map[string]string) ([]string, *apiError) {
	type idx struct {
		n int
		h string
	}
	var hs []idx
	seen := make(map[int]string) // N to the name it came as
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, "msgHandle.")
		if !ok {
			rest, ok = strings.CutPrefix(k, "msgHandle_")
		}
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 {
			return nil, legacyErr(legacyInvalidParameter, "InvalidParameter", "parameter %s: want msgHandle.N (or msgHandle_N) with N a number from 0", k)
		}
		if v == "" {
			return nil, legacyErr(legacyInvalidParameter, "InvalidParameter", "parameter %s is empty", k)
		}
		if prev, ok := seen[n]; ok {
			// Name both as sent: msgHandle.1 and msgHandle.01 clash too.
			a, b := min(prev, k), max(prev, k)
			return nil, legacyErr(legacyInvalidParameter, "InvalidParameter", "msgHandle.%d is given twice (as %s and %s)", n, a, b)
		}
		seen[n] = k
		hs = append(hs, idx{n, v})
	}
	if len(hs) == 0 {
		return nil, legacyErr(legacyInvalidParameter, "InvalidParameter", "missing parameter msgHandle.0")
	}
	if len(hs) > DefaultMaxEvents {
		return nil, legacyErr(legacyInvalidParameter, "InvalidParameter", "%d msgHandle parameters; at most %d in one call", len(hs), DefaultMaxEvents)
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].n < hs[j].n })
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.h
	}
	return out, nil
}

func parseForm(body []byte) (url.Values, error) { return url.ParseQuery(string(body)) }

// parseParams3 parses API 3.0 parameters from query strings or form
// bodies. A parameter given twice, one with an empty name, or text not
// URL-encoded correctly is an InvalidParameter error.
func parseParams3(raws ...string) (url.Values, *apiError) {
	out := make(url.Values)
	for _, raw := range raws {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return nil, errf("InvalidParameter", "The parameters are not correctly URL-encoded: %v.", err)
		}
		for k, vals := range v {
			if k == "" {
				return nil, errf("InvalidParameter", "A parameter has an empty name.")
			}
			if _, dup := out[k]; dup || len(vals) > 1 {
				return nil, errf("InvalidParameter", "The parameter `%s` is given more than once.", k)
			}
			out[k] = vals
		}
	}
	return out, nil
}
