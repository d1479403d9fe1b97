//! BertModel: a BERT encoder with pooler and classification head, loaded
//! from Hugging Face safetensors + config.json.
//!
//! Methods take `&self` although the C calls change the model's state
//! (outputs, gradients): an Optimizer borrows the model's parameters while
//! training runs. That is sound because no Rust reference ever points into
//! the model's memory: outputs are returned as copies, parameters as
//! `TensorRef`s that only read and write through copies, and the model is
//! neither Send nor Sync.

use std::path::Path;
use std::ptr::NonNull;

use crate::context::Context;
use crate::error::{c_string, path_to_c, to_c, Error, Result};
use crate::optim::Optimizer;
use crate::sys;
use crate::tensor::{Tensor, TensorRef};
use crate::tokenizer::Batch;

pub type BertConfig = sys::attn_bert_config;

/// A copied output: shape and row-major values.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    pub shape: Vec<i64>,
    pub data: Vec<f32>,
}

/// Copies of the outputs of one forward pass.
#[derive(Clone, Debug)]
pub struct ModelOutput {
    /// [B, T, H]; padded rows are zero unless padding is computed.
    pub last_hidden_state: Array,
    /// [B, H]
    pub pooler_output: Array,
    /// [B, num_labels], None without a classification head.
    pub logits: Option<Array>,
}

pub struct BertModel<'c> {
    ptr: NonNull<sys::attn_model>,
    ctx: &'c Context,
}

impl<'c> BertModel<'c> {
    /// Builds the model from config.json and loads the safetensors weights.
    pub fn load(ctx: &'c Context, weights: impl AsRef<Path>, config: impl AsRef<Path>) -> Result<BertModel<'c>> {
        let (w, c) = (path_to_c(weights.as_ref())?, path_to_c(config.as_ref())?);
        let mut out = std::ptr::null_mut();
        // SAFETY: valid context, C strings, out pointer.
        ctx.check(unsafe { sys::attn_bert_load(ctx.raw(), w.as_ptr(), c.as_ptr(), &mut out) })?;
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(8, "library returned no model"))?;
        Ok(BertModel { ptr, ctx })
    }

    pub(crate) fn raw(&self) -> *mut sys::attn_model {
        self.ptr.as_ptr()
    }

    pub(crate) fn context(&self) -> &'c Context {
        self.ctx
    }

    /// A copy of the configuration.
    pub fn config(&self) -> BertConfig {
        // SAFETY: the library returns a pointer to the model's config, at least
        // as large as the 0.1 struct this binding mirrors.
        unsafe { *sys::attn_model_config(self.raw()) }
    }

    /// Runs the model on a padded batch: input_ids [B, T] (int32 or int64),
    /// token types and mask [B, T] or None.
    pub fn forward(&self, input_ids: &Tensor<'_>, token_type_ids: Option<&Tensor<'_>>,
                   attention_mask: Option<&Tensor<'_>>) -> Result<ModelOutput> {
        let raw = |t: Option<&Tensor<'_>>| t.map_or(std::ptr::null(), |t| t.raw() as *const _);
        self.forward_raw(input_ids.raw(), raw(token_type_ids), raw(attention_mask))
    }

    /// Runs the model on a tokenizer batch.
    pub fn forward_batch(&self, batch: &Batch<'_>) -> Result<ModelOutput> {
        self.forward_raw(batch.input_ids().raw(), batch.token_type_ids().raw(), batch.attention_mask().raw())
    }

    fn forward_raw(&self, ids: *const sys::attn_tensor, types: *const sys::attn_tensor,
                   mask: *const sys::attn_tensor) -> Result<ModelOutput> {
        // SAFETY: live handles (or NULL where allowed).
        self.ctx.check(unsafe { sys::attn_model_forward(self.raw(), ids, types, mask) })?;
        let missing = || Error::new(8, "forward produced no output");
        Ok(ModelOutput {
            last_hidden_state: self.output(0)?.ok_or_else(missing)?,
            pooler_output: self.output(1)?.ok_or_else(missing)?,
            logits: self.output(2)?,
        })
    }

    fn output(&self, kind: i32) -> Result<Option<Array>> {
        // SAFETY: live handle; the output is read (copied) at once.
        let p = unsafe { sys::attn_model_output(self.raw(), kind) };
        if p.is_null() {
            return Ok(None);
        }
        let t = TensorRef::new(self.ctx, p)?;
        Ok(Some(Array { shape: t.shape(), data: t.to_vec()? }))
    }

    /// Loss of the last forward pass against labels (no backward).
    pub fn loss(&self, labels: &Tensor<'_>) -> Result<f32> {
        let mut loss = 0f32;
        // SAFETY: live handles and out pointer.
        self.ctx.check(unsafe { sys::attn_model_loss(self.raw(), labels.raw(), &mut loss) })?;
        Ok(loss)
    }

    /// Loss of the last forward pass; its gradients accumulate into every parameter.
    pub fn loss_backward(&self, labels: &Tensor<'_>) -> Result<f32> {
        let mut loss = 0f32;
        // SAFETY: live handles and out pointer.
        self.ctx.check(unsafe { sys::attn_model_loss_backward(self.raw(), labels.raw(), &mut loss) })?;
        Ok(loss)
    }

    pub fn zero_grad(&self) -> Result<()> {
        // SAFETY: live handle.
        self.ctx.check(unsafe { sys::attn_model_zero_grad(self.raw()) })
    }

    /// true = training mode (dropout active), false = eval (the default).
    pub fn set_training(&self, training: bool) -> Result<()> {
        // SAFETY: live handle.
        self.ctx.check(unsafe { sys::attn_model_set_training(self.raw(), training as i32) })
    }

    /// One step: zero the gradients, forward, loss and backward, optimizer
    /// step. Returns the loss before the step.
    pub fn train_step(&self, opt: &mut Optimizer<'_>, labels: &Tensor<'_>, input_ids: &Tensor<'_>,
                      token_type_ids: Option<&Tensor<'_>>, attention_mask: Option<&Tensor<'_>>) -> Result<f32> {
        self.zero_grad()?;
        self.forward(input_ids, token_type_ids, attention_mask)?;
        let loss = self.loss_backward(labels)?;
        opt.step()?;
        Ok(loss)
    }

    /// Saves the parameters as a Hugging Face safetensors file, atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let p = path_to_c(path.as_ref())?;
        // SAFETY: live handle, C string.
        self.ctx.check(unsafe { sys::attn_model_save(self.raw(), p.as_ptr()) })
    }

    /// The parameters' Hugging Face names, in the model's order.
    pub fn param_names(&self) -> Result<Vec<String>> {
        // SAFETY: live handle.
        let n = unsafe { sys::attn_model_param_count(self.raw()) };
        (0..n)
            .map(|i| {
                let mut name = std::ptr::null();
                // SAFETY: i in range; NULL out pointers are allowed.
                self.ctx.check(unsafe {
                    sys::attn_model_param(self.raw(), i, &mut name, std::ptr::null_mut(), std::ptr::null_mut())
                })?;
                // SAFETY: the name is a C string owned by the model, copied here.
                Ok(unsafe { c_string(name) })
            })
            .collect()
    }

    /// A parameter's value by name (with or without "bert.").
    pub fn param(&self, name: &str) -> Result<TensorRef<'_>> {
        self.find(name, true)
    }

    /// A parameter's gradient by name.
    pub fn grad(&self, name: &str) -> Result<TensorRef<'_>> {
        self.find(name, false)
    }

    fn find(&self, name: &str, value: bool) -> Result<TensorRef<'_>> {
        let c = to_c(name)?;
        let (mut v, mut g) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: live handle, C string, out pointers.
        self.ctx.check(unsafe { sys::attn_model_find_param(self.raw(), c.as_ptr(), &mut v, &mut g) })?;
        TensorRef::new(self.ctx, if value { v } else { g })
    }
}

impl Drop for BertModel<'_> {
    fn drop(&mut self) {
        // SAFETY: owned handle; optimizers borrowing it were dropped first (borrowck).
        unsafe { sys::attn_model_destroy(self.raw()) }
    }
}
