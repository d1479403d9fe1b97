//! Raw declarations of the C API (include/attn/*.h), written by hand for the
//! functions the safe layer uses. Types follow the headers exactly: handles
//! are opaque, enums are passed as C `int` (`c_int`), statuses are `i32`.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_void};

pub type attn_status = i32;

macro_rules! opaque {
    ($($name:ident),*) => {$(
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
        }
    )*};
}
opaque!(attn_ctx, attn_tensor, attn_tokenizer, attn_batch, attn_model, attn_optim, attn_safetensors);

/// attn_bert_config, version 0.1 (fields are only ever appended).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct attn_bert_config {
    pub struct_size: u32,
    pub vocab_size: i32,
    pub hidden_size: i32,
    pub num_layers: i32,
    pub num_heads: i32,
    pub intermediate_size: i32,
    pub max_position_embeddings: i32,
    pub type_vocab_size: i32,
    pub hidden_act: i32,
    pub layer_norm_eps: f32,
    pub hidden_dropout: f32,
    pub attention_dropout: f32,
    pub classifier_dropout: f32,
    pub initializer_range: f32,
    pub num_labels: i32,
    pub problem_type: i32,
    pub pooling: i32,
    pub norm_position: i32,
    pub pad_token_id: i32,
}

/// attn_optim_opts, version 0.1.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct attn_optim_opts {
    pub struct_size: u32,
    pub kind: i32,
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub nesterov: i32,
    pub amsgrad: i32,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
}

extern "C" {
    // core.h
    pub fn attn_status_str(status: attn_status) -> *const c_char;
    pub fn attn_version_number() -> u32;
    pub fn attn_version_string() -> *const c_char;
    pub fn attn_ctx_create(out: *mut *mut attn_ctx) -> attn_status;
    pub fn attn_ctx_destroy(ctx: *mut attn_ctx);
    pub fn attn_ctx_last_error(ctx: *const attn_ctx) -> *const c_char;
    pub fn attn_ctx_set_int(ctx: *mut attn_ctx, key: c_int, value: i64) -> attn_status;
    pub fn attn_ctx_get_int(ctx: *const attn_ctx, key: c_int, value: *mut i64) -> attn_status;

    // tensor.h
    pub fn attn_tensor_create(ctx: *mut attn_ctx, dtype: c_int, rank: i32, shape: *const i64,
                              out: *mut *mut attn_tensor) -> attn_status;
    pub fn attn_tensor_destroy(t: *mut attn_tensor);
    pub fn attn_tensor_dtype(t: *const attn_tensor) -> c_int;
    pub fn attn_tensor_rank(t: *const attn_tensor) -> i32;
    pub fn attn_tensor_dim(t: *const attn_tensor, axis: i32) -> i64;
    pub fn attn_tensor_numel(t: *const attn_tensor) -> i64;
    pub fn attn_tensor_is_contiguous(t: *const attn_tensor) -> i32;
    pub fn attn_tensor_data(t: *mut attn_tensor) -> *mut c_void;
    pub fn attn_tensor_read(t: *const attn_tensor, dtype: c_int, dst: *mut c_void, bytes: usize) -> attn_status;
    pub fn attn_tensor_write(t: *mut attn_tensor, dtype: c_int, src: *const c_void, bytes: usize) -> attn_status;

    // tokenizer.h
    pub fn attn_tokenizer_load(ctx: *mut attn_ctx, vocab_path: *const c_char, flags: u32,
                               out: *mut *mut attn_tokenizer) -> attn_status;
    pub fn attn_tokenizer_destroy(tok: *mut attn_tokenizer);
    pub fn attn_tokenizer_vocab_size(tok: *const attn_tokenizer) -> i32;
    pub fn attn_tokenizer_token_to_id(tok: *const attn_tokenizer, token: *const c_char, id: *mut i32)
        -> attn_status;
    pub fn attn_tokenizer_id_to_token(tok: *const attn_tokenizer, id: i32) -> *const c_char;
    pub fn attn_tokenizer_tokenize(tok: *mut attn_tokenizer, text: *const c_char, ids: *mut i32, capacity: i32,
                                   n_out: *mut i32) -> attn_status;
    pub fn attn_tokenizer_encode(tok: *mut attn_tokenizer, text: *const c_char, pair: *const c_char, max_len: i32,
                                 ids: *mut i32, type_ids: *mut i32, capacity: i32, n_out: *mut i32) -> attn_status;
    pub fn attn_batch_create(ctx: *mut attn_ctx, out: *mut *mut attn_batch) -> attn_status;
    pub fn attn_batch_destroy(b: *mut attn_batch);
    pub fn attn_tokenizer_encode_batch(tok: *mut attn_tokenizer, batch: *mut attn_batch,
                                       texts: *const *const c_char, pairs: *const *const c_char, n: i32,
                                       max_len: i32, pad_to: i32) -> attn_status;
    pub fn attn_batch_tensor(b: *mut attn_batch, field: c_int) -> *mut attn_tensor;

    // io.h
    pub fn attn_safetensors_open(ctx: *mut attn_ctx, path: *const c_char, out: *mut *mut attn_safetensors)
        -> attn_status;
    pub fn attn_safetensors_close(st: *mut attn_safetensors);
    pub fn attn_safetensors_count(st: *const attn_safetensors) -> i32;
    pub fn attn_safetensors_name(st: *const attn_safetensors, i: i32) -> *const c_char;
    pub fn attn_safetensors_find(st: *const attn_safetensors, name: *const c_char, index: *mut i32) -> attn_status;
    pub fn attn_safetensors_load(st: *mut attn_safetensors, name: *const c_char, dtype: c_int,
                                 out: *mut *mut attn_tensor) -> attn_status;

    // model.h
    pub fn attn_bert_load(ctx: *mut attn_ctx, weights_path: *const c_char, config_path: *const c_char,
                          out: *mut *mut attn_model) -> attn_status;
    pub fn attn_model_destroy(model: *mut attn_model);
    pub fn attn_model_config(model: *const attn_model) -> *const attn_bert_config;
    pub fn attn_model_save(model: *mut attn_model, path: *const c_char) -> attn_status;
    pub fn attn_model_param_count(model: *const attn_model) -> i32;
    pub fn attn_model_param(model: *mut attn_model, i: i32, name: *mut *const c_char, value: *mut *mut attn_tensor,
                            grad: *mut *mut attn_tensor) -> attn_status;
    pub fn attn_model_find_param(model: *mut attn_model, name: *const c_char, value: *mut *mut attn_tensor,
                                 grad: *mut *mut attn_tensor) -> attn_status;
    pub fn attn_model_zero_grad(model: *mut attn_model) -> attn_status;
    pub fn attn_model_set_training(model: *mut attn_model, training: i32) -> attn_status;
    pub fn attn_model_forward(model: *mut attn_model, input_ids: *const attn_tensor,
                              token_type_ids: *const attn_tensor, attention_mask: *const attn_tensor)
        -> attn_status;
    pub fn attn_model_output(model: *mut attn_model, kind: c_int) -> *mut attn_tensor;
    pub fn attn_model_loss_backward(model: *mut attn_model, labels: *const attn_tensor, loss: *mut f32)
        -> attn_status;
    pub fn attn_model_loss(model: *mut attn_model, labels: *const attn_tensor, loss: *mut f32) -> attn_status;
    pub fn attn_model_add_to_optim(model: *mut attn_model, opt: *mut attn_optim, decay_group: i32,
                                   no_decay_group: i32) -> attn_status;

    // optim.h
    pub fn attn_optim_create(ctx: *mut attn_ctx, opts: *const attn_optim_opts, out: *mut *mut attn_optim)
        -> attn_status;
    pub fn attn_optim_destroy(opt: *mut attn_optim);
    pub fn attn_optim_param_count(opt: *const attn_optim) -> i32;
    pub fn attn_optim_step(opt: *mut attn_optim) -> attn_status;
    pub fn attn_optim_zero_grad(opt: *mut attn_optim) -> attn_status;
    pub fn attn_optim_get_step(opt: *const attn_optim, step: *mut i64) -> attn_status;
}
