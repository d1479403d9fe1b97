package attn

/*
#include <attn.h>
*/
import "C"

import "fmt"

// Status is an attn_status code. Values are fixed forever and only ever
// appended; a newer library may return one this binding does not name.
type Status int32

// The status codes of include/attn/core.h.
const (
	ErrInvalidArg  Status = 1
	ErrNoMem       Status = 2
	ErrShape       Status = 3
	ErrDtype       Status = 4
	ErrIO          Status = 5
	ErrFormat      Status = 6
	ErrRange       Status = 7
	ErrState       Status = 8
	ErrNumeric     Status = 9
	ErrLimit       Status = 10
	ErrUnsupported Status = 11
	ErrNotFound    Status = 12
	ErrOverflow    Status = 13
)

// Name is the code's name, e.g. "ATTN_ERR_SHAPE".
func (s Status) Name() string {
	full := C.GoString(C.attn_status_str(C.attn_status(s)))
	for i := 0; i < len(full); i++ {
		if full[i] == ':' {
			return full[:i]
		}
	}
	return full
}

// Error makes a Status usable as a sentinel: errors.Is(err, attn.ErrShape).
func (s Status) Error() string { return C.GoString(C.attn_status_str(C.attn_status(s))) }

// Error is a failed libattn call: its status and the context's detailed
// message (attn_ctx_last_error) read right after the call.
type Error struct {
	Status  Status
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s [%s]", e.Message, e.Status.Name()) }

// Is reports whether target is this error's Status.
func (e *Error) Is(target error) bool {
	s, ok := target.(Status)
	return ok && s == e.Status
}

// check turns a status into an *Error with ctx's message (nil for ATTN_OK).
func check(status C.attn_status, ctx *C.attn_ctx) error {
	if status == C.ATTN_OK {
		return nil
	}
	return &Error{Status: Status(status), Message: C.GoString(C.attn_ctx_last_error(ctx))}
}

func invalid(format string, args ...interface{}) error {
	return &Error{Status: ErrInvalidArg, Message: fmt.Sprintf(format, args...)}
}
