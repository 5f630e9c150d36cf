// Command vodsim stands in for Tencent Cloud VOD's event notifications:
// it generates events of every VOD event type (CreateImageSpriteComplete by
// default), delivers them to a webhook as the real service would, and serves
// a fake PullEvent endpoint.
//
// Run "vodsim help" for the subcommands.
package main
