// Runs Tencent's official Node SDKs, unchanged, against a running vodsim
// serve. Driven by cmd/vodsim/node_sdk_test.go, which starts the servers and
// sets the environment:
//   VODSIM_ENDPOINT            host:port of a serve with a long confirm window
//   VODSIM_REDELIVER_ENDPOINT  host:port of a serve with a short window and 3 events
//   VODSIM_SECRET_ID, VODSIM_SECRET_KEY
// Usage: node conform.js api3|legacy
// Prints "ok - NAME" or "not ok - NAME: WHY" per check, then
// "N passed, N failed"; exits 1 if any check failed.
"use strict";

const endpoint = process.env.VODSIM_ENDPOINT;
const redeliverEndpoint = process.env.VODSIM_REDELIVER_ENDPOINT;
const secretId = process.env.VODSIM_SECRET_ID;
const secretKey = process.env.VODSIM_SECRET_KEY;

let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log("ok - " + name);
  } catch (e) {
    failed++;
    console.log("not ok - " + name + ": " + (e && e.stack ? e.stack : e));
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// --- API 3.0: tencentcloud-sdk-nodejs-vod, typed client vod.v20180717.Client ---

const tencentcloud = require("tencentcloud-sdk-nodejs-vod");
const VodClient = tencentcloud.vod.v20180717.Client;

function vodClient(ep, opts) {
  opts = opts || {};
  return new VodClient({
    credential: { secretId: opts.secretId || secretId, secretKey: opts.secretKey || secretKey },
    region: "ap-guangzhou",
    profile: {
      signMethod: opts.signMethod,
      httpProfile: { endpoint: ep, protocol: "http://", reqMethod: opts.reqMethod || "POST", reqTimeout: 30 },
    },
  });
}

async function expectError(promise, code) {
  let err = null;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert(err, "succeeded, want error " + code);
  assert(err.code === code, "error " + err.code + " (" + err.message + "), want " + code);
}

function checkEventSet(set) {
  assert(Array.isArray(set), "EventSet is not an array: " + JSON.stringify(set));
  for (const e of set) {
    assert(typeof e.EventHandle === "string" && e.EventHandle !== "", "no EventHandle: " + JSON.stringify(e));
    assert(e.EventType === "CreateImageSpriteComplete", "EventType " + e.EventType);
    const ev = e.CreateImageSpriteCompleteEvent;
    assert(ev && typeof ev.FileId === "string" && typeof ev.TaskId === "string", "no CreateImageSpriteCompleteEvent: " + JSON.stringify(e));
  }
}

async function api3() {
  const methods = ["TC3-HMAC-SHA256", "HmacSHA1", "HmacSHA256"];
  for (const signMethod of methods) {
    for (const reqMethod of ["POST", "GET"]) {
      await check(`${signMethod} ${reqMethod}: DescribeEventsState, PullEvents, ConfirmEvents`, async () => {
        const c = vodClient(endpoint, { signMethod, reqMethod });
        const before = await c.DescribeEventsState({});
        assert(Number.isInteger(before.CountOfEventsToPull) && before.CountOfEventsToPull > 0, "CountOfEventsToPull " + JSON.stringify(before));
        const pulled = await c.PullEvents({});
        checkEventSet(pulled.EventSet);
        assert(pulled.EventSet.length > 0, "no events pulled");
        assert(typeof pulled.RequestId === "string" && pulled.RequestId !== "", "no RequestId");
        const confirmed = await c.ConfirmEvents({ EventHandles: pulled.EventSet.map((e) => e.EventHandle) });
        assert(typeof confirmed.RequestId === "string", "ConfirmEvents answered " + JSON.stringify(confirmed));
        const after = await c.DescribeEventsState({});
        assert(after.CountOfEventsToPull < before.CountOfEventsToPull, `CountOfEventsToPull ${before.CountOfEventsToPull} before the pull, ${after.CountOfEventsToPull} after`);
      });
      await check(`${signMethod} ${reqMethod}: a wrong key is refused`, () =>
        expectError(vodClient(endpoint, { signMethod, reqMethod, secretKey: "forged" + secretKey }).PullEvents({}), "AuthFailure.SignatureFailure"));
    }
    await check(`${signMethod}: an unknown SecretId is refused`, () =>
      expectError(vodClient(endpoint, { signMethod, secretId: "AKIDunknown" }).PullEvents({}), "AuthFailure.SecretIdNotFound"));
  }

  await check("redelivery after the confirm window: new handles, the old ones refused", async () => {
    const c = vodClient(redeliverEndpoint, {});
    const first = await c.PullEvents({});
    checkEventSet(first.EventSet);
    assert(first.EventSet.length === 3, "first pull: " + first.EventSet.length + " events, want 3");
    // A held pull returns when the unconfirmed events come back; a few
    // tries cover a slow machine.
    let again = [];
    for (let i = 0; i < 10 && again.length < 3; i++) {
      again = again.concat((await c.PullEvents({})).EventSet);
    }
    checkEventSet(again);
    const ids = (set) => set.map((e) => e.CreateImageSpriteCompleteEvent.TaskId).sort().join(",");
    assert(ids(again) === ids(first.EventSet), "redelivered " + ids(again) + ", want " + ids(first.EventSet));
    const old = new Set(first.EventSet.map((e) => e.EventHandle));
    for (const e of again) assert(!old.has(e.EventHandle), "handle " + e.EventHandle + " reused on redelivery");
    await expectError(c.ConfirmEvents({ EventHandles: [...old] }), "InvalidParameterValue");
  });
}

// --- legacy API: qcloudapi-sdk, Tencent's legacy Node SDK ---

async function legacy() {
  const QcloudApi = require("qcloudapi-sdk");
  const api = (key) =>
    new QcloudApi({ SecretId: secretId, SecretKey: key || secretKey, serviceType: "vod", host: endpoint, protocol: "http", path: "/v2/index.php", Region: "gz" });
  const call = (client, data, opts) =>
    new Promise((resolve, reject) =>
      client.request(data, Object.assign({ host: endpoint, protocol: "http", path: "/v2/index.php" }, opts), (err, body) => (err ? reject(err) : resolve(body))));

  for (const method of ["GET", "POST"]) {
    for (const signatureMethod of ["sha1", "sha256"]) {
      for (const naming of ["msgHandle_N", "msgHandle.N"]) {
        await check(`${method} ${signatureMethod}: PullEvent, ConfirmEvent with ${naming}`, async () => {
          const c = api();
          const opts = { method, signatureMethod };
          const pulled = await call(c, { Action: "PullEvent" }, opts);
          assert(pulled.code === 0, "PullEvent: " + JSON.stringify(pulled));
          assert(Array.isArray(pulled.eventList) && pulled.eventList.length > 0, "eventList: " + JSON.stringify(pulled));
          for (const e of pulled.eventList) {
            assert(typeof e.msgHandle === "string" && e.eventContent && e.eventContent.eventType === "CreateImageSpriteComplete", "event " + JSON.stringify(e));
          }
          const handles = pulled.eventList.map((e) => e.msgHandle);
          const data = { Action: "ConfirmEvent" };
          if (naming === "msgHandle_N") {
            // Sent as msgHandle_N; the SDK signs the names as msgHandle.N.
            handles.forEach((h, i) => (data["msgHandle_" + i] = h));
          } else {
            // An array: the SDK flattens it to msgHandle.0, msgHandle.1, ...
            data.msgHandle = handles;
          }
          const confirmed = await call(c, data, opts);
          assert(confirmed.code === 0, "ConfirmEvent: " + JSON.stringify(confirmed));
        });
      }
      await check(`${method} ${signatureMethod}: a wrong key is refused`, async () => {
        const r = await call(api("forged" + secretKey), { Action: "PullEvent" }, { method, signatureMethod });
        assert(r.code === 4100, "answered " + JSON.stringify(r) + ", want code 4100");
      });
    }
  }
}

(async () => {
  const which = process.argv[2];
  if (which === "api3") await api3();
  else if (which === "legacy") await legacy();
  else {
    console.error("usage: node conform.js api3|legacy");
    process.exit(2);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
})();
