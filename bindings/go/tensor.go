package attn

/*
#include <attn.h>
*/
import "C"

import "unsafe"

// DType is a tensor's element type (attn_dtype).
type DType int32

const (
	Float32 DType = C.ATTN_F32
	Int32   DType = C.ATTN_I32
	Int64   DType = C.ATTN_I64
)

// Tensor is a libattn tensor. Tensors made by NewTensor and the From*
// functions are owned and must be closed; tensors returned by a model or a
// batch are borrowed from it (Close does nothing) and valid while it is.
type Tensor struct {
	ptr      *C.attn_tensor
	ctx      *Context
	borrowed bool
}

func (t *Tensor) release() {
	if t.ptr != nil && !t.borrowed {
		C.attn_tensor_destroy(t.ptr)
	}
	t.ptr = nil
}

// Close frees an owned tensor. Closing twice, or a borrowed tensor, does nothing.
func (t *Tensor) Close() error {
	if t.ptr != nil && !t.borrowed {
		t.ctx.forget(t)
	}
	t.release()
	return nil
}

func (t *Tensor) raw() (*C.attn_tensor, *C.attn_ctx, error) {
	if t == nil || t.ptr == nil || t.ctx.ptr == nil {
		return nil, nil, invalid("the tensor is closed")
	}
	return t.ptr, t.ctx.ptr, nil
}

// rawOrNil is for optional tensor arguments.
func (t *Tensor) rawOrNil() (*C.attn_tensor, error) {
	if t == nil {
		return nil, nil
	}
	p, _, err := t.raw()
	return p, err
}

func owned(ctx *Context, p *C.attn_tensor) *Tensor {
	t := &Tensor{ptr: p, ctx: ctx}
	ctx.adopt(t)
	return t
}

func borrowed(ctx *Context, p *C.attn_tensor) *Tensor {
	return &Tensor{ptr: p, ctx: ctx, borrowed: true}
}

// NewTensor creates a zero-filled tensor of rank 1..4.
func NewTensor(ctx *Context, shape []int64, dtype DType) (*Tensor, error) {
	c, err := ctx.raw()
	if err != nil {
		return nil, err
	}
	if len(shape) < 1 || len(shape) > C.ATTN_MAX_RANK {
		return nil, invalid("rank must be 1..%d, got shape %v", C.ATTN_MAX_RANK, shape)
	}
	var out *C.attn_tensor
	status := C.attn_tensor_create(c, C.attn_dtype(dtype), C.int32_t(len(shape)),
		(*C.int64_t)(unsafe.Pointer(&shape[0])), &out)
	if err := check(status, c); err != nil {
		return nil, err
	}
	return owned(ctx, out), nil
}

func fromSlice(ctx *Context, shape []int64, dtype DType, data unsafe.Pointer, bytes int) (*Tensor, error) {
	t, err := NewTensor(ctx, shape, dtype)
	if err != nil {
		return nil, err
	}
	if err := t.write(dtype, data, bytes); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// FromFloat32 creates a float32 tensor holding a copy of data (row-major).
func FromFloat32(ctx *Context, shape []int64, data []float32) (*Tensor, error) {
	return fromSlice(ctx, shape, Float32, firstElem(data), 4*len(data))
}

// FromInt32 creates an int32 tensor holding a copy of data.
func FromInt32(ctx *Context, shape []int64, data []int32) (*Tensor, error) {
	return fromSlice(ctx, shape, Int32, firstElem(data), 4*len(data))
}

// FromInt64 creates an int64 tensor holding a copy of data.
func FromInt64(ctx *Context, shape []int64, data []int64) (*Tensor, error) {
	return fromSlice(ctx, shape, Int64, firstElem(data), 8*len(data))
}

// firstElem is the address of s's first element (nil for an empty slice).
func firstElem[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

func (t *Tensor) write(dtype DType, data unsafe.Pointer, bytes int) error {
	p, c, err := t.raw()
	if err != nil {
		return err
	}
	return check(C.attn_tensor_write(p, C.attn_dtype(dtype), data, C.size_t(bytes)), c)
}

func (t *Tensor) read(dtype DType, data unsafe.Pointer, bytes int) error {
	p, c, err := t.raw()
	if err != nil {
		return err
	}
	return check(C.attn_tensor_read(p, C.attn_dtype(dtype), data, C.size_t(bytes)), c)
}

// Shape returns the dims (nil once closed).
func (t *Tensor) Shape() []int64 {
	p, _, err := t.raw()
	if err != nil {
		return nil
	}
	shape := make([]int64, int(C.attn_tensor_rank(p)))
	for i := range shape {
		shape[i] = int64(C.attn_tensor_dim(p, C.int32_t(i)))
	}
	return shape
}

// DType returns the element type.
func (t *Tensor) DType() DType {
	p, _, err := t.raw()
	if err != nil {
		return -1
	}
	return DType(C.attn_tensor_dtype(p))
}

// Len is the number of elements.
func (t *Tensor) Len() int {
	p, _, err := t.raw()
	if err != nil {
		return 0
	}
	return int(C.attn_tensor_numel(p))
}

// Float32s copies the values out as float32 (converted by the library).
func (t *Tensor) Float32s() ([]float32, error) {
	out := make([]float32, t.Len())
	return out, t.read(Float32, firstElem(out), 4*len(out))
}

// Int32s copies the values out as int32.
func (t *Tensor) Int32s() ([]int32, error) {
	out := make([]int32, t.Len())
	return out, t.read(Int32, firstElem(out), 4*len(out))
}

// Int64s copies the values out as int64.
func (t *Tensor) Int64s() ([]int64, error) {
	out := make([]int64, t.Len())
	return out, t.read(Int64, firstElem(out), 8*len(out))
}

// SetFloat32s overwrites the values from data (Len() elements, row-major).
func (t *Tensor) SetFloat32s(data []float32) error {
	return t.write(Float32, firstElem(data), 4*len(data))
}
