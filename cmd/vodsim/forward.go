package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pullevent"
)

func init() {
	register("forward", "pull events from an API 3.0 endpoint and POST each to a local webhook", func(io stdio) command { return &forwardCmd{io: io} })
}

// DefaultForwardRegion is the region forward's API 3.0 calls name.
const DefaultForwardRegion = "ap-guangzhou"

// forwardPullTimeout is how long one PullEvents call may take: a pull is
// held up to 5 s while the queue is empty, and clients should allow 10 s.
const forwardPullTimeout = 10 * time.Second

type forwardCmd struct{ io stdio }

func (c *forwardCmd) Run(ctx context.Context, args []string) error {
	var from, to, secretID, secretKey, region, format, signKey string
	var count uint64
	fs := newFlagSet(c.io, "forward", `
Usage: vodsim forward --from URL --to URL [flags]

Pulls events from an API 3.0 endpoint (PullEvents, signed by Tencent
Cloud's Go SDK) and POSTs each to the webhook at --to as the push callback
would carry it: the 3.0 body without its EventHandle, or with --format v4
the 4.0 envelope for CreateImageSpriteComplete (others go as pulled, in
3.0: their 4.0 objects have other fields than their 3.0 members). Delivery is
send's: a 5 s timeout, at most 3 attempts, only timeouts retried. An event
answered 2xx is confirmed (ConfirmEvents) at once; any other, or one
answered after its confirm window passed, is left unconfirmed, so the
endpoint delivers it again. It prints a line per event.

--from is 'vodsim serve' (http://127.0.0.1:9090, whose default keys are
forward's) or the real service, https://vod.tencentcloudapi.com, with your
account's keys: --secret-id and --secret-key, or the environment's
TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY. This is how a laptop
that cannot receive a push from the cloud works against a real account.

It runs until interrupted (Ctrl-C), or with --count N until N events were
forwarded. Exit status: 0; 1 an API call failed, or a POST was not
answered 2xx or too late to confirm (even if the event was delivered again
later); 2 bad flags.

The examples expect 'vodsim serve' on 127.0.0.1:9090 and a webhook on
127.0.0.1:9000, such as 'vodsim receive'.`, `
  vodsim forward --from http://127.0.0.1:9090 --to http://127.0.0.1:9000/
  vodsim forward --from http://127.0.0.1:9090 --to http://127.0.0.1:9000/ --count 10 --format v4
  vodsim forward --from https://vod.tencentcloudapi.com --region ap-singapore --to http://127.0.0.1:8080/vod/callback   # keys from the environment`)
	fs.StringVar(&from, "from", "", "the API 3.0 endpoint: http://127.0.0.1:9090 (vodsim serve) or https://vod.tencentcloudapi.com")
	fs.StringVar(&to, "to", "", "the webhook's URL, user:password@ for Basic authorization")
	fs.StringVar(&secretID, "secret-id", "", "SecretId (default: $TENCENTCLOUD_SECRET_ID, else vodsim serve's)")
	fs.StringVar(&secretKey, "secret-key", "", "SecretKey (default: $TENCENTCLOUD_SECRET_KEY, else vodsim serve's)")
	fs.StringVar(&region, "region", DefaultForwardRegion, "the region the calls name")
	fs.StringVar(&format, "format", string(generator.FormatV3), "what is POSTed: v3 (the 3.0 body) or v4 (the 4.0 envelope for CreateImageSpriteComplete, others as pulled)")
	fs.StringVar(&signKey, "sign-key", "", "sign 3.0 bodies as the push callback does: T = now+10m, Sign = md5(key + T)")
	fs.Uint64Var(&count, "count", 0, "stop after forwarding this many events (0 = until interrupted)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("forward: unexpected argument %q (run 'vodsim forward --help')", fs.Arg(0))
	}
	endpoint, scheme, err := parseAPIEndpoint(from)
	if err != nil {
		return err
	}
	if !fs.Changed("to") {
		return usageErrorf("forward: --to is required: the webhook's URL, e.g. http://127.0.0.1:9000/callback")
	}
	if err := checkTarget(to); err != nil {
		return usageErrorf("forward: --to%s", strings.TrimPrefix(err.Error(), "send: --target"))
	}
	f, err := generator.ParseFormat(format)
	if err != nil {
		return usageErrorf("forward: --format: %v", err)
	}
	if fs.Changed("sign-key") {
		if err := generator.CheckSignKey(signKey); err != nil {
			return usageErrorf("forward: --sign-key: %v", err)
		}
		if f != generator.FormatV3 {
			return usageErrorf("forward: --sign-key signs 3.0 bodies; 4.0 carries no signature: drop --format v4")
		}
	}
	if fs.Changed("count") && count == 0 {
		return usageErrorf("forward: --count 0: must be at least 1 (leave it out to run until interrupted)")
	}
	if strings.TrimSpace(region) == "" {
		return usageErrorf("forward: --region is empty, e.g. ap-guangzhou")
	}
	secretID = firstSet(secretID, os.Getenv("TENCENTCLOUD_SECRET_ID"), pullevent.DefaultSecretID)
	secretKey = firstSet(secretKey, os.Getenv("TENCENTCLOUD_SECRET_KEY"), pullevent.DefaultSecretKey)

	cp := profile.NewClientProfile()
	cp.HttpProfile.Endpoint = endpoint
	cp.HttpProfile.Scheme = scheme
	cp.HttpProfile.ReqTimeout = int(forwardPullTimeout / time.Second)
	client := common.NewCommonClient(common.NewCredential(secretID, secretKey), region, cp)

	tr := triggerTransport()
	defer tr.CloseIdleConnections()
	fw := &forwarder{client: client, to: to, format: f, signKey: signKey, tr: tr, out: c}
	fmt.Fprintf(c.io.err, "vodsim forward: pulling from %s://%s, posting to %s (Ctrl-C to stop)\n", strings.ToLower(scheme), endpoint, sender.RedactTarget(to))
	for count == 0 || fw.forwarded < count {
		events, err := fw.pull(ctx)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			fw.summary()
			return fmt.Errorf("forward: PullEvents: %w", err)
		}
		for _, ev := range events {
			if count > 0 && fw.forwarded >= count {
				break // left unconfirmed: delivered again later
			}
			// Each event is confirmed as soon as the webhook accepted it
			// (even if interrupted meanwhile): the confirm window runs from
			// the pull, and one late handle makes the endpoint refuse a
			// whole ConfirmEvents call.
			if err := fw.forward(ctx, ev); err != nil {
				fw.summary()
				return fmt.Errorf("forward: ConfirmEvents: %w", err)
			}
			if ctx.Err() != nil {
				break
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	fw.summary()
	if ctx.Err() == nil && fw.forwarded > fw.acknowledged {
		return fmt.Errorf("%w: forward: %d of %d events not answered 2xx or not confirmed in time (left to be delivered again)", errShortfall, fw.forwarded-fw.acknowledged, fw.forwarded)
	}
	return nil
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseAPIEndpoint reads --from: an http or https URL of a host, served
// at its root, as the SDK's Endpoint and Scheme.
func parseAPIEndpoint(from string) (endpoint, scheme string, err error) {
	bad := func(why string) error {
		return usageErrorf("forward: --from %q: %s, e.g. http://127.0.0.1:9090 (vodsim serve) or https://vod.tencentcloudapi.com", from, why)
	}
	if from == "" {
		return "", "", usageErrorf("forward: --from is required: http://127.0.0.1:9090 (vodsim serve) or https://vod.tencentcloudapi.com")
	}
	if !strings.Contains(from, "://") {
		return "", "", bad("no scheme: the scheme must be http or https")
	}
	u, err := url.Parse(from)
	switch {
	case err != nil:
		return "", "", bad("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", bad("the scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return "", "", bad("no host")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.User != nil:
		return "", "", bad("API 3.0 is served at the host's root: give scheme and host only")
	}
	return u.Host, strings.ToUpper(u.Scheme), nil
}

// forwarder pulls, delivers and confirms; not safe for concurrent use.
type forwarder struct {
	client  *common.Client
	to      string
	format  generator.Format
	signKey string
	tr      http.RoundTripper
	out     *forwardCmd

	forwarded, acknowledged uint64
}

func (fw *forwarder) summary() {
	fmt.Fprintf(fw.out.io.err, "vodsim forward: %d events forwarded, %d answered 2xx and confirmed\n", fw.forwarded, fw.acknowledged)
}

// pull calls PullEvents once and returns the EventSet's members as they
// came (the pull is held while the queue is empty).
func (fw *forwarder) pull(ctx context.Context) ([]gjson.Result, error) {
	req := tchttp.NewCommonRequest("vod", "2018-07-17", "PullEvents")
	req.SetContext(ctx)
	resp := tchttp.NewCommonResponse()
	if err := fw.client.Send(req, resp); err != nil {
		return nil, err
	}
	return gjson.GetBytes(resp.GetBody(), "Response.EventSet").Array(), nil
}

func (fw *forwarder) confirm(handles []string) error {
	for len(handles) > 0 {
		n := min(len(handles), pullevent.DefaultMaxEvents)
		req := tchttp.NewCommonRequest("vod", "2018-07-17", "ConfirmEvents")
		if err := req.SetActionParameters(map[string]any{"EventHandles": handles[:n]}); err != nil {
			return err
		}
		if err := fw.client.Send(req, tchttp.NewCommonResponse()); err != nil {
			return err
		}
		handles = handles[n:]
	}
	return nil
}

// forward POSTs one pulled event, confirms it if it was answered 2xx,
// and prints its line. An event whose confirm window passed before the
// answer is left to be delivered again; err is any other failure of
// ConfirmEvents.
func (fw *forwarder) forward(ctx context.Context, ev gjson.Result) error {
	handle := ev.Get("EventHandle").String()
	eventType := ev.Get("EventType").String()
	body, _ := sjson.DeleteBytes([]byte(ev.Raw), "EventHandle")
	note := ""
	var decoded generator.Event
	if d, _, _, err := generator.Decode(body); err == nil {
		decoded = d
		switch {
		case fw.format != generator.FormatV4:
		case d.Kind == nil:
			// The sprite event: its 4.0 form is made from its fields.
			body = generator.Encoding{Format: generator.FormatV4}.Marshal(&d)
		default:
			// Another type's 4.0 object has other fields than its 3.0
			// member, which vodsim has only as pulled: it goes as it came.
			note = ", sent as 3.0: no 4.0 form of a pulled " + eventType
		}
	} else if fw.format == generator.FormatV4 {
		note = ", sent as 3.0: no 4.0 form"
	}
	if fw.signKey != "" {
		t := time.Now().Add(generator.SignValidity).Unix()
		body, _ = sjson.SetBytes(body, "T", t)
		body, _ = sjson.SetBytes(body, "Sign", generator.Sign(fw.signKey, t))
	}
	rep, err := sender.Run(ctx, sender.Config{
		Target:    fw.to,
		Source:    generator.NewReplay([]generator.Event{decoded}),
		Count:     1,
		Version:   Version(),
		Transport: bodyTransport{rt: fw.tr, body: body},
	})
	fw.forwarded++
	if rep == nil {
		fmt.Fprintf(fw.out.io.out, "%s %s: %v\n", eventType, handle, err)
		return nil
	}
	fate := "left to be delivered again"
	if rep.Acknowledged == 1 {
		if err := fw.confirm([]string{handle}); err == nil {
			fate = "confirmed"
			fw.acknowledged++
		} else if late(err) {
			fate = "not confirmed: its confirm window had passed, left to be delivered again"
		} else {
			return err
		}
	}
	id := decoded.TaskID
	if id == "" {
		id = "handle " + handle
	}
	fmt.Fprintf(fw.out.io.out, "%s %s: %s, %s%s\n", eventType, id, answerText(rep), fate, note)
	return nil
}

// late reports whether err is ConfirmEvents refusing a handle (a parameter
// error): for a handle just pulled, its confirm window passed.
func late(err error) bool {
	var e *tcerr.TencentCloudSDKError
	return errors.As(err, &e) && strings.HasPrefix(e.Code, "InvalidParameter")
}
