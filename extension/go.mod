// Keeps Go tooling (go list ./..., vet, test) out of this folder and its node_modules:
// it holds no Go code of ours.
module github.com/ringfence/ringfence/extension

go 1.26.8
