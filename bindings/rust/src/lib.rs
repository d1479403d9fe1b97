//! libattn for Rust: BERT-style transformer encoders on the CPU.
//!
//! ```no_run
//! use attn::{Context, Tokenizer, BertModel, Batch};
//! # fn main() -> attn::Result<()> {
//! let ctx = Context::new()?;                       // checks the library's version
//! let tok = Tokenizer::load(&ctx, "vocab.txt", true)?;
//! let model = BertModel::load(&ctx, "model.safetensors", "config.json")?;
//! let mut batch = Batch::new(&ctx)?;
//! tok.encode_batch(&mut batch, &["a sentence", "another one"], None, 128, 0)?;
//! let out = model.forward_batch(&batch)?;
//! println!("{:?}", out.logits.unwrap().data);
//! # Ok(()) }
//! ```
//!
//! Every object borrows its `Context` (dropped first, by the borrow
//! checker); failures are `Error`s carrying the status and the library's
//! message. A context and its objects live on one thread (`Context` is
//! `Send`, not `Sync`; the objects are neither). The raw declarations are in
//! `sys`, written by hand against include/attn/*.h.
//!
//! What the compiler enforces (each block below must fail to compile, with the
//! error code named; stable rustdoc does not check the codes, they were checked
//! by hand):
//!
//! A context cannot be shared between threads:
//! ```compile_fail,E0277
//! fn shared<T: Sync>() {}
//! shared::<attn::Context>();
//! ```
//! An object cannot leave its context's thread:
//! ```compile_fail,E0277
//! fn movable<T: Send>() {}
//! movable::<attn::Tensor<'static>>();
//! ```
//! An object cannot outlive its context:
//! ```compile_fail,E0597
//! let t = {
//!     let ctx = attn::Context::new().unwrap();
//!     attn::Tensor::zeros(&ctx, &[2], attn::DType::F32).unwrap()
//! };
//! ```
//! A batch's tensors cannot be used after the batch is refilled:
//! ```compile_fail,E0502
//! # fn f(tok: &attn::Tokenizer<'_>, batch: &mut attn::Batch<'_>) -> attn::Result<()> {
//! let ids = batch.input_ids();
//! tok.encode_batch(batch, &["new text"], None, 0, 0)?;
//! ids.to_vec::<i32>()?;
//! # Ok(()) }
//! ```
//! But a context can move to another thread (with nothing borrowing it):
//! ```
//! fn movable<T: Send>() {}
//! movable::<attn::Context>();
//! ```

pub mod sys;

mod context;
mod error;
mod model;
mod optim;
mod safetensors;
mod tensor;
mod tokenizer;

pub use context::{check_version, version, Context, CtxOption};
pub use error::{Error, ErrorKind, Result};
pub use model::{Array, BertConfig, BertModel, ModelOutput};
pub use optim::{AdamParams, Optimizer};
pub use safetensors::SafetensorsFile;
pub use tensor::{DType, Element, Tensor, TensorRef};
pub use tokenizer::{Batch, Tokenizer};

/// The major version of libattn this binding is written for.
pub const EXPECTED_MAJOR: u32 = 0;
/// The oldest release it needs (ATTN_VERSION_NUMBER of 0.1.0).
pub const MINIMUM_VERSION: u32 = 100;
