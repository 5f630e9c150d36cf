// Package sdkschema holds the shape of Tencent Cloud VOD's API 3.0 event
// members as the official SDK's model defines them (schema.go, generated
// by gen.py): every key at every depth, in the SDK's order.
package sdkschema
