package protocol

import (
	"errors"
	"fmt"

	"github.com/ringfence/ringfence/internal/store"
)

// Error codes: stable strings, documented in docs/protocol.md. Never rename
// or reuse one; add new ones at the end.
const (
	CodeBadJSON          = "bad_json"
	CodeBadRequest       = "bad_request"
	CodeUnknownType      = "unknown_type"
	CodeTooLarge         = "too_large"
	CodeReplyTooLarge    = "reply_too_large"
	CodeForbiddenCaller  = "forbidden_caller"
	CodeUnknownUpload    = "unknown_upload"
	CodeOutOfOrder       = "out_of_order"
	CodeSizeMismatch     = "size_mismatch"
	CodeChecksumMismatch = "checksum_mismatch"
	CodeStorageFull      = "storage_full"
	CodeStorageError     = "storage_error"
	CodeInternal         = "internal"
)

// Codes lists every code, in documentation order.
var Codes = []string{CodeBadJSON, CodeBadRequest, CodeUnknownType, CodeTooLarge, CodeReplyTooLarge,
	CodeForbiddenCaller, CodeUnknownUpload, CodeOutOfOrder, CodeSizeMismatch, CodeChecksumMismatch,
	CodeStorageFull, CodeStorageError, CodeInternal}

// Error is the error half of a reply.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// toError maps a handler's error onto a stable code.
func toError(err error) *Error {
	var pe *Error
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.Is(err, store.ErrStorageFull):
		return &Error{CodeStorageFull, "the disk is full; nothing was stored: " + err.Error()}
	case errors.Is(err, store.ErrInvalid):
		return &Error{CodeBadRequest, err.Error()}
	case errors.Is(err, store.ErrTooLarge):
		return &Error{CodeTooLarge, err.Error()}
	case errors.Is(err, store.ErrSizeMismatch):
		return &Error{CodeSizeMismatch, err.Error()}
	case errors.Is(err, store.ErrChecksum):
		return &Error{CodeChecksumMismatch, err.Error()}
	case errors.Is(err, store.ErrOutOfOrder):
		return &Error{CodeOutOfOrder, err.Error()}
	case errors.Is(err, store.ErrClosed):
		return &Error{CodeUnknownUpload, err.Error()}
	}
	return &Error{CodeStorageError, "nothing was stored: " + err.Error()}
}
