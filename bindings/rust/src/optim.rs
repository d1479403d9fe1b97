//! Optimizer: SGD, Adam, AdamW with torch.optim's rules. It borrows the
//! parameters of the models added to it, so it cannot outlive them ('m).

use std::marker::PhantomData;
use std::ptr::NonNull;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::BertModel;
use crate::sys;

/// Adam/AdamW hyper-parameters; Default is torch.optim.AdamW's.
#[derive(Clone, Copy, Debug)]
pub struct AdamParams {
    pub lr: f64,
    pub betas: (f64, f64),
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
}

impl Default for AdamParams {
    fn default() -> Self {
        AdamParams { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.01, amsgrad: false }
    }
}

pub struct Optimizer<'m> {
    ptr: NonNull<sys::attn_optim>,
    ctx: &'m Context,
    _params: PhantomData<&'m BertModel<'m>>,
}

impl<'m> Optimizer<'m> {
    fn create(ctx: &'m Context, opts: sys::attn_optim_opts) -> Result<Optimizer<'m>> {
        let mut out = std::ptr::null_mut();
        // SAFETY: valid context, a complete versioned struct, out pointer.
        ctx.check(unsafe { sys::attn_optim_create(ctx.raw(), &opts, &mut out) })?;
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(8, "library returned no optimizer"))?;
        Ok(Optimizer { ptr, ctx, _params: PhantomData })
    }

    fn opts(kind: i32, lr: f64) -> sys::attn_optim_opts {
        sys::attn_optim_opts {
            struct_size: std::mem::size_of::<sys::attn_optim_opts>() as u32,
            kind,
            lr,
            ..Default::default()
        }
    }

    /// SGD with momentum (0 = plain), PyTorch's dampening 0, no Nesterov.
    pub fn sgd(ctx: &'m Context, lr: f64, momentum: f64, weight_decay: f64) -> Result<Optimizer<'m>> {
        Optimizer::create(ctx, sys::attn_optim_opts { momentum, weight_decay, ..Optimizer::opts(0, lr) })
    }

    pub fn adam(ctx: &'m Context, p: AdamParams) -> Result<Optimizer<'m>> {
        Optimizer::create(ctx, Optimizer::adam_opts(1, p))
    }

    pub fn adamw(ctx: &'m Context, p: AdamParams) -> Result<Optimizer<'m>> {
        Optimizer::create(ctx, Optimizer::adam_opts(2, p))
    }

    fn adam_opts(kind: i32, p: AdamParams) -> sys::attn_optim_opts {
        sys::attn_optim_opts {
            beta1: p.betas.0,
            beta2: p.betas.1,
            eps: p.eps,
            weight_decay: p.weight_decay,
            amsgrad: p.amsgrad as i32,
            ..Optimizer::opts(kind, p.lr)
        }
    }

    /// Adds every parameter of model to group 0 (decay everything, as
    /// torch.optim.AdamW(model.parameters()) does).
    pub fn add_model(&mut self, model: &'m BertModel<'_>) -> Result<()> {
        if !std::ptr::eq(model.context(), self.ctx) {
            return Err(Error::new(1, "the model belongs to another context"));
        }
        // SAFETY: live handles of the same context.
        self.ctx.check(unsafe { sys::attn_model_add_to_optim(model.raw(), self.raw(), 0, 0) })
    }

    fn raw(&self) -> *mut sys::attn_optim {
        self.ptr.as_ptr()
    }

    pub fn param_count(&self) -> i32 {
        // SAFETY: live handle.
        unsafe { sys::attn_optim_param_count(self.raw()) }
    }

    /// One update of every parameter from its gradient.
    pub fn step(&mut self) -> Result<()> {
        // SAFETY: live handle; the borrowed parameters outlive it ('m).
        self.ctx.check(unsafe { sys::attn_optim_step(self.raw()) })
    }

    pub fn zero_grad(&mut self) -> Result<()> {
        // SAFETY: live handle.
        self.ctx.check(unsafe { sys::attn_optim_zero_grad(self.raw()) })
    }

    /// Steps taken so far.
    pub fn steps(&self) -> Result<i64> {
        let mut s = 0;
        // SAFETY: live handle, out pointer.
        self.ctx.check(unsafe { sys::attn_optim_get_step(self.raw(), &mut s) })?;
        Ok(s)
    }
}

impl Drop for Optimizer<'_> {
    fn drop(&mut self) {
        // SAFETY: owned handle.
        unsafe { sys::attn_optim_destroy(self.raw()) }
    }
}
