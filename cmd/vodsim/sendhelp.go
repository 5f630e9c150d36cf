package main

// sendHelp is the text of vodsim send --help, before the flags.
const sendHelp = `
Usage: vodsim send [--target URL] [flags]

POSTs VOD events (CreateImageSpriteComplete unless --event-type, a
scenario or --input says otherwise) to a callback receiver as Tencent
Cloud VOD does: one POST per event, Content-Type application/json, a 5 s
timeout, at most 3 attempts, only timeouts retried, the answer's status
otherwise ignored. Events are sent on an open-model schedule: latency is
measured from each event's send time, so a slow receiver cannot hide
behind a slow sender.

Without --target, send starts a receiver of its own on 127.0.0.1 that
answers 200 {} and checks every payload, and the report says what it saw.
A user:password in --target is sent as Basic authorization (a --header
'Authorization: ...' wins), and the report shows the target with the
password masked.

The report goes to stdout (--report-json FILE for machines). Exit status:
0 every event acknowledged and every threshold met; 1 events not
acknowledged (beyond --max-failed) or a threshold breached; 2 bad flags;
130 interrupted (the report and the journal are still complete). The
report names the scenario, the vodsim version and the start time, and
gives each threshold's verdict (pass or FAIL). --min-rate is judged over
the schedule's span: a run whose events' send times span under 1s is too
short to measure a rate and passes it.

Every event ends in one state: acknowledged (answered 2xx), other status
(answered otherwise), failed (no answer: timeout or connection error),
interrupted (an attempt was started, then the run stopped before its
answer: the receiver may have got it) or not sent (no attempt was ever
started; the report says why: run stopped, schedule ended, drain ended).

A run ends when its schedule does (--count events sent, or --duration)
plus the delivery of the events still in flight: at most --timeout x
--attempts, the waits between attempts (--backoff, up to --max-backoff
each) and any --delay-max. An event whose send time has come but that
still waits for an in-flight slot when the schedule ends is not sent
(schedule ended). --drain D cuts the events in flight D after the
schedule's end: they are counted interrupted.

--report-json is written to a temporary file beside FILE and renamed
when complete; a FILE from an earlier run is removed when the run starts.
--journal is written in whole lines, at least every 100 ms, so a killed
run leaves whole lines.

--input FILE (or - for standard input) sends NDJSON payloads instead of
generated events, one JSON body a line, each as it is, with send's
pacing, retries, faults, journal and report; --count N sends the first N
(default all). A line that is not JSON is named by its line number and
nothing is sent. The format is 3.0 when the first payload has an
EventType (--format overrides it); --sign-key signs 3.0 bodies.

--shard K/N sends one of N interleaved parts of the run: the events
whose index is K modulo N, with the same seed and fault decisions, each
at its send time in the whole run (1/N of the rate of every phase).
--count stays the whole run's count: the N shards together send the
run's events, each once. The report and every journal line name the
shard; 'vodsim report' merges the shards' --report-json files.

The examples with --target expect a receiver on 127.0.0.1:9000, such as
'vodsim receive' running in another terminal.`

// sendExamples are the examples of vodsim send --help, after the flags.
const sendExamples = `
  vodsim send                                        # 1000 events at 200/s to the embedded receiver
  vodsim send --duration 3s --rate 500
  vodsim send --target http://127.0.0.1:9000/ --count 3000 --rate 1000
  vodsim send --target http://127.0.0.1:9000/ --rate 0 --count 50000 --connections 50
  vodsim send --target http://127.0.0.1:9000/ --retry-on timeout,5xx,429,conn --backoff 200ms --attempts 5
  vodsim send --target http://127.0.0.1:9000/ --header 'Authorization: Bearer t0k3n' --header 'X-Env: ci'
  vodsim send --target http://ci:s3cret@127.0.0.1:9000/   # Basic authorization
  vodsim send --target https://localhost:8443/hook --insecure   # a self-signed certificate
  vodsim send --format v3 --sign-key abc123              # 3.0 bodies with T and Sign
  vodsim send --duplicate 0.05 --reorder 0.1 --malformed 0.01 --delay-max 200ms
  vodsim send --scenario chaos --quiet                   # a built-in scenario's faults and retries
  vodsim send --target http://127.0.0.1:9000/ --journal attempts.ndjson --report-json report.json --quiet
  vodsim send --target http://127.0.0.1:9000/ --duration 60s --rate 100 --max-failed 0 --max-p99 250ms --min-rate 0.99
  vodsim gen --count 20 | vodsim send --input - --rate 10  # payloads from a pipe, sent as they are
  vodsim send --target http://127.0.0.1:9000/ --count 4000 --rate 400 --shard 0/4 --report-json shard-0.json`
