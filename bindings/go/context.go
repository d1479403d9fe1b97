package attn

/*
#include <attn.h>
*/
import "C"

// Option is an integer setting or read-only statistic of a context.
type Option int32

const (
	OptThreads     Option = C.ATTN_OPT_THREADS
	OptSeed        Option = C.ATTN_OPT_SEED
	OptMemoryLimit Option = C.ATTN_OPT_MEMORY_LIMIT
	OptCheckFinite Option = C.ATTN_OPT_CHECK_FINITE
	OptRNGCounter  Option = C.ATTN_OPT_RNG_COUNTER
	InfoBytesInUse Option = C.ATTN_INFO_BYTES_IN_USE
	InfoPeakBytes  Option = C.ATTN_INFO_PEAK_BYTES
	InfoAllocCount Option = C.ATTN_INFO_ALLOC_COUNT
)

// releaser is an object of a context that Context.Close may have to free.
type releaser interface{ release() }

// Context owns an attn_ctx and tracks the objects made from it.
type Context struct {
	ptr  *C.attn_ctx
	open []releaser // in creation order
}

// NewContext checks the library's version and creates a context with
// default settings (1 thread, seed 0).
func NewContext() (*Context, error) {
	if err := CheckVersion(); err != nil {
		return nil, err
	}
	var out *C.attn_ctx
	if err := check(C.attn_ctx_create(&out), nil); err != nil {
		return nil, err
	}
	return &Context{ptr: out}, nil
}

func (c *Context) raw() (*C.attn_ctx, error) {
	if c == nil || c.ptr == nil {
		return nil, invalid("the context is closed")
	}
	return c.ptr, nil
}

func (c *Context) adopt(r releaser) { c.open = append(c.open, r) }

func (c *Context) forget(r releaser) {
	for i, o := range c.open {
		if o == r {
			c.open = append(c.open[:i], c.open[i+1:]...)
			return
		}
	}
}

// Set changes an integer option.
func (c *Context) Set(opt Option, value int64) error {
	p, err := c.raw()
	if err != nil {
		return err
	}
	return check(C.attn_ctx_set_int(p, C.attn_ctx_option(opt), C.int64_t(value)), p)
}

// Get reads an integer option or statistic.
func (c *Context) Get(opt Option) (int64, error) {
	p, err := c.raw()
	if err != nil {
		return 0, err
	}
	var v C.int64_t
	if err := check(C.attn_ctx_get_int(p, C.attn_ctx_option(opt), &v), p); err != nil {
		return 0, err
	}
	return int64(v), nil
}

// LastError is the detailed message of the context's last error ("" if none).
func (c *Context) LastError() string {
	if c == nil || c.ptr == nil {
		return ""
	}
	return C.GoString(C.attn_ctx_last_error(c.ptr))
}

// Close frees every object still open on the context (newest first), then
// the context. Closing twice is harmless.
func (c *Context) Close() error {
	if c == nil || c.ptr == nil {
		return nil
	}
	for i := len(c.open) - 1; i >= 0; i-- {
		c.open[i].release()
	}
	c.open = nil
	C.attn_ctx_destroy(c.ptr)
	c.ptr = nil
	return nil
}
