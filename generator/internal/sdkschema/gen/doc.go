// Command gen writes schema.go, the API 3.0 event members of Tencent Cloud
// VOD's EventContent as package sdkschema holds them, from
// generator/testdata/sdk-model.json: the model internal/sdkmodel/extract.js
// reads from the pinned Node SDK's type definitions. The SDK's model is
// thus read once, by one script, and both the catalog (which walks
// schema.go to write payloads) and the 3.0 key check (which reads
// sdk-model.json) follow it.
//
// Usage, in generator/internal/sdkschema (go generate runs it there):
//
//	go run ./gen [-model ../../testdata/sdk-model.json] [-o schema.go]
//
// schema.go lists the typed members of EventContent in the SDK's order and
// every type reachable from them, each with its fields (and whether the SDK
// notes that one may be null) in the SDK's order:
// the order of the members in sdk-model.json, which is the order of
// declaration in vod_models.d.ts.
package main
