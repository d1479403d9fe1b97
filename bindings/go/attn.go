// Package attn is the Go binding of libattn: build, train and run
// BERT-style transformer encoders on the CPU.
//
// Every object belongs to a Context and must be closed (Close) before it;
// Context.Close closes the objects still open, newest first. There are no
// finalizers: a finalizer runs on another goroutine and could touch a
// context while the program uses it, which libattn forbids. A Context and
// its objects may be used by one goroutine at a time (any OS thread); use
// one Context per goroutine that works concurrently.
//
// Failures are *Error values carrying the status and the library's
// message; test them with errors.Is(err, attn.ErrShape) and friends.
package attn

/*
#cgo pkg-config: libattn
#include <attn.h>
*/
import "C"

import "fmt"

// ExpectedMajor is the libattn major version this binding is written for;
// MinimumVersion the oldest release it needs (ATTN_VERSION_NUMBER).
const (
	ExpectedMajor  = 0
	MinimumVersion = 100
)

// Version returns the loaded library's ATTN_VERSION_NUMBER and its string.
func Version() (uint32, string) {
	return uint32(C.attn_version_number()), C.GoString(C.attn_version_string())
}

// CheckVersion fails unless the loaded library has major ExpectedMajor and
// is at least MinimumVersion. NewContext calls it.
func CheckVersion() error {
	number, text := Version()
	if number/10000 != ExpectedMajor || number < MinimumVersion {
		return &Error{Status: ErrUnsupported, Message: fmt.Sprintf(
			"loaded libattn %s (%d); this binding needs major version %d, at least %d",
			text, number, ExpectedMajor, MinimumVersion)}
	}
	return nil
}
