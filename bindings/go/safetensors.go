package attn

/*
#include <stdlib.h>
#include <attn.h>
*/
import "C"

import "unsafe"

// SafetensorsFile is libattn's validating reader of safetensors files.
type SafetensorsFile struct {
	ptr *C.attn_safetensors
	ctx *Context
}

// OpenSafetensors opens and validates a file.
func OpenSafetensors(ctx *Context, path string) (*SafetensorsFile, error) {
	c, err := ctx.raw()
	if err != nil {
		return nil, err
	}
	s := C.CString(path)
	defer C.free(unsafe.Pointer(s))
	var out *C.attn_safetensors
	if err := check(C.attn_safetensors_open(c, s, &out), c); err != nil {
		return nil, err
	}
	f := &SafetensorsFile{ptr: out, ctx: ctx}
	ctx.adopt(f)
	return f, nil
}

func (f *SafetensorsFile) release() {
	if f.ptr != nil {
		C.attn_safetensors_close(f.ptr)
		f.ptr = nil
	}
}

// Close closes the file.
func (f *SafetensorsFile) Close() error {
	if f.ptr != nil {
		f.ctx.forget(f)
	}
	f.release()
	return nil
}

func (f *SafetensorsFile) raw() (*C.attn_safetensors, *C.attn_ctx, error) {
	if f == nil || f.ptr == nil || f.ctx.ptr == nil {
		return nil, nil, invalid("the file is closed")
	}
	return f.ptr, f.ctx.ptr, nil
}

// Names lists the tensors in file order.
func (f *SafetensorsFile) Names() []string {
	p, _, err := f.raw()
	if err != nil {
		return nil
	}
	names := make([]string, int(C.attn_safetensors_count(p)))
	for i := range names {
		names[i] = C.GoString(C.attn_safetensors_name(p, C.int32_t(i)))
	}
	return names
}

// Has reports whether the file holds a tensor called name.
func (f *SafetensorsFile) Has(name string) bool {
	p, _, err := f.raw()
	if err != nil {
		return false
	}
	s := C.CString(name)
	defer C.free(unsafe.Pointer(s))
	var i C.int32_t
	return C.attn_safetensors_find(p, s, &i) == C.ATTN_OK
}

// Load reads name into a new owned tensor of dtype (converted as io.h says).
func (f *SafetensorsFile) Load(name string, dtype DType) (*Tensor, error) {
	p, c, err := f.raw()
	if err != nil {
		return nil, err
	}
	s := C.CString(name)
	defer C.free(unsafe.Pointer(s))
	var out *C.attn_tensor
	if err := check(C.attn_safetensors_load(p, s, C.attn_dtype(dtype), &out), c); err != nil {
		return nil, err
	}
	return owned(f.ctx, out), nil
}
