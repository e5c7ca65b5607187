package protocol

import (
	"errors"
	"fmt"

	"github.com/ringfence/ringfence/internal/spec"
	"github.com/ringfence/ringfence/internal/store"
)

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
		return &Error{spec.CodeStorageFull, "the disk is full; nothing was stored: " + err.Error()}
	case errors.Is(err, store.ErrInvalid):
		return &Error{spec.CodeBadRequest, err.Error()}
	case errors.Is(err, store.ErrTooLarge):
		return &Error{spec.CodeTooLarge, err.Error()}
	case errors.Is(err, store.ErrSizeMismatch):
		return &Error{spec.CodeSizeMismatch, err.Error()}
	case errors.Is(err, store.ErrChecksum):
		return &Error{spec.CodeChecksumMismatch, err.Error()}
	case errors.Is(err, store.ErrOutOfOrder):
		return &Error{spec.CodeOutOfOrder, err.Error()}
	case errors.Is(err, store.ErrUnknownSnapshot):
		return &Error{spec.CodeUnknownSnapshot, err.Error()}
	case errors.Is(err, store.ErrArtifactExists):
		return &Error{spec.CodeArtifactExists, err.Error()}
	case errors.Is(err, store.ErrNotAmendable):
		return &Error{spec.CodeNotAmendable, err.Error()}
	case errors.Is(err, store.ErrCaptureMismatch):
		return &Error{spec.CodeCaptureMismatch, err.Error()}
	case errors.Is(err, store.ErrClosed):
		return &Error{spec.CodeUnknownUpload, err.Error()}
	}
	return &Error{spec.CodeStorageError, "nothing was stored: " + err.Error()}
}
