// Package spec holds what internal/specgen generates from spec/: message
// types, request and reply bodies, limits, error codes, the vocabulary, the
// settings.json artifact and the sites. Edit spec/, then run `make generate`;
// the *_gen.go files are never edited by hand. It imports nothing of ours, so
// every package may use it.
package spec
