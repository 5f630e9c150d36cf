// Package pullevent is a local stand-in for Tencent Cloud VOD's reliable
// (pull) event notification: an event queue with the real service's
// semantics, served over HTTP as both generations of the API.
//
//   - API 3.0: POST / with X-TC-Action PullEvents, ConfirmEvents or
//     DescribeEventsState,
//     version 2018-07-17, signed with TC3-HMAC-SHA256, answered in the
//     {"Response": {...}} envelope; or GET / and POST / (form-encoded)
//     with every parameter in the query or body, signed with HmacSHA1 or
//     HmacSHA256 (the SDKs' profile.SignMethod). Tencent's Go SDK and
//     Node SDK are tested against it unchanged with every sign method; the
//     TC3 check accepts the credential scope service and signed host as
//     Tencent's SDKs make them for a local endpoint (see verifyTC3).
//   - Legacy: GET or POST /v2/index.php?Action=PullEvent or ConfirmEvent,
//     signed with HmacSHA1 or HmacSHA256, answered as {"code": 0, ...};
//     Tencent's legacy Node SDK (qcloudapi-sdk) is tested against it.
//   - Admin: /_vodsim/stats, /_vodsim/events (inject, peek), /_vodsim/reset.
//
// Both APIs share one Queue. A Go test suite can run the whole endpoint
// in-process with Listen, fill its queue and read its Stats.
package pullevent
