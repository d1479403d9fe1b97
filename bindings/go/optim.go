package attn

/*
#include <attn.h>
*/
import "C"

import "unsafe"

// AdamParams are Adam/AdamW hyper-parameters (torch.optim's meaning).
type AdamParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	AMSGrad                            bool
}

// DefaultAdamW is torch.optim.AdamW's defaults.
var DefaultAdamW = AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}

// Optimizer updates the parameters of the models added to it, in place.
// Close it before the models.
type Optimizer struct {
	ptr *C.attn_optim
	ctx *Context
}

func newOptimizer(ctx *Context, opts C.attn_optim_opts) (*Optimizer, error) {
	c, err := ctx.raw()
	if err != nil {
		return nil, err
	}
	opts.struct_size = C.uint32_t(unsafe.Sizeof(opts))
	var out *C.attn_optim
	if err := check(C.attn_optim_create(c, &opts, &out), c); err != nil {
		return nil, err
	}
	o := &Optimizer{ptr: out, ctx: ctx}
	ctx.adopt(o)
	return o, nil
}

// NewSGD creates SGD with momentum (0 = plain) and weight decay.
func NewSGD(ctx *Context, lr, momentum, weightDecay float64) (*Optimizer, error) {
	return newOptimizer(ctx, C.attn_optim_opts{kind: C.ATTN_OPTIM_SGD, lr: C.double(lr),
		momentum: C.double(momentum), weight_decay: C.double(weightDecay)})
}

func adamOpts(kind C.int32_t, p AdamParams) C.attn_optim_opts {
	ams := C.int32_t(0)
	if p.AMSGrad {
		ams = 1
	}
	return C.attn_optim_opts{kind: kind, lr: C.double(p.LR), beta1: C.double(p.Beta1), beta2: C.double(p.Beta2),
		eps: C.double(p.Eps), weight_decay: C.double(p.WeightDecay), amsgrad: ams}
}

// NewAdam creates Adam (weight decay as an L2 term).
func NewAdam(ctx *Context, p AdamParams) (*Optimizer, error) {
	return newOptimizer(ctx, adamOpts(C.ATTN_OPTIM_ADAM, p))
}

// NewAdamW creates AdamW (decoupled weight decay).
func NewAdamW(ctx *Context, p AdamParams) (*Optimizer, error) {
	return newOptimizer(ctx, adamOpts(C.ATTN_OPTIM_ADAMW, p))
}

func (o *Optimizer) release() {
	if o.ptr != nil {
		C.attn_optim_destroy(o.ptr)
		o.ptr = nil
	}
}

// Close frees the optimizer and its state.
func (o *Optimizer) Close() error {
	if o.ptr != nil {
		o.ctx.forget(o)
	}
	o.release()
	return nil
}

func (o *Optimizer) raw() (*C.attn_optim, *C.attn_ctx, error) {
	if o == nil || o.ptr == nil || o.ctx.ptr == nil {
		return nil, nil, invalid("the optimizer is closed")
	}
	return o.ptr, o.ctx.ptr, nil
}

// AddModel adds every parameter of m to group 0 (decay everything, as
// torch.optim.AdamW(model.parameters()) does).
func (o *Optimizer) AddModel(m *BertModel) error {
	p, c, err := o.raw()
	if err != nil {
		return err
	}
	mp, _, err := m.raw()
	if err != nil {
		return err
	}
	if m.ctx != o.ctx {
		return invalid("the model belongs to another context")
	}
	return check(C.attn_model_add_to_optim(mp, p, 0, 0), c)
}

// ParamCount is the number of parameters the optimizer updates.
func (o *Optimizer) ParamCount() int {
	p, _, err := o.raw()
	if err != nil {
		return 0
	}
	return int(C.attn_optim_param_count(p))
}

// Step updates every parameter from its gradient.
func (o *Optimizer) Step() error {
	p, c, err := o.raw()
	if err != nil {
		return err
	}
	return check(C.attn_optim_step(p), c)
}

// ZeroGrad sets every gradient to zero.
func (o *Optimizer) ZeroGrad() error {
	p, c, err := o.raw()
	if err != nil {
		return err
	}
	return check(C.attn_optim_zero_grad(p), c)
}

// Steps is the number of steps taken.
func (o *Optimizer) Steps() (int64, error) {
	p, c, err := o.raw()
	if err != nil {
		return 0, err
	}
	var s C.int64_t
	return int64(s), check(C.attn_optim_get_step(p, &s), c)
}
