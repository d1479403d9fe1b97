//! Tokenizer (Hugging Face BertTokenizer rules over a vocab.txt) and Batch,
//! the padded model input it fills.

use std::os::raw::c_char;
use std::path::Path;
use std::ptr::NonNull;

use crate::context::Context;
use crate::error::{c_string, path_to_c, to_c, Error, Result};
use crate::sys;
use crate::tensor::TensorRef;

const LOWERCASE: u32 = 1;

pub struct Tokenizer<'c> {
    ptr: NonNull<sys::attn_tokenizer>,
    ctx: &'c Context,
}

impl<'c> Tokenizer<'c> {
    /// Loads a vocab.txt; lowercase = true for uncased BERT models.
    pub fn load(ctx: &'c Context, vocab: impl AsRef<Path>, lowercase: bool) -> Result<Tokenizer<'c>> {
        let path = path_to_c(vocab.as_ref())?;
        let mut out = std::ptr::null_mut();
        let flags = if lowercase { LOWERCASE } else { 0 };
        // SAFETY: valid context, NUL-terminated path, out pointer.
        ctx.check(unsafe { sys::attn_tokenizer_load(ctx.raw(), path.as_ptr(), flags, &mut out) })?;
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(8, "library returned no tokenizer"))?;
        Ok(Tokenizer { ptr, ctx })
    }

    fn raw(&self) -> *mut sys::attn_tokenizer {
        self.ptr.as_ptr()
    }

    pub fn vocab_size(&self) -> i32 {
        // SAFETY: live handle.
        unsafe { sys::attn_tokenizer_vocab_size(self.raw()) }
    }

    pub fn token_to_id(&self, token: &str) -> Result<i32> {
        let token = to_c(token)?;
        let mut id = 0;
        // SAFETY: live handle, C string, out pointer.
        self.ctx.check(unsafe { sys::attn_tokenizer_token_to_id(self.raw(), token.as_ptr(), &mut id) })?;
        Ok(id)
    }

    /// The vocab line of id, or None outside the vocab.
    pub fn id_to_token(&self, id: i32) -> Option<String> {
        // SAFETY: live handle; the string lives as long as the tokenizer and is copied.
        let p = unsafe { sys::attn_tokenizer_id_to_token(self.raw(), id) };
        if p.is_null() {
            None
        } else {
            // SAFETY: non-NULL C string from the library.
            Some(unsafe { c_string(p) })
        }
    }

    /// WordPiece ids of text, without [CLS]/[SEP].
    pub fn tokenize(&self, text: &str) -> Result<Vec<i32>> {
        let text = to_c(text)?;
        let mut n = 0;
        // SAFETY: capacity 0 with NULL ids only asks for the count.
        self.ctx.check(unsafe {
            sys::attn_tokenizer_tokenize(self.raw(), text.as_ptr(), std::ptr::null_mut(), 0, &mut n)
        })?;
        let mut ids = vec![0i32; n as usize];
        // SAFETY: ids holds n elements.
        self.ctx.check(unsafe { sys::attn_tokenizer_tokenize(self.raw(), text.as_ptr(), ids.as_mut_ptr(), n, &mut n) })?;
        Ok(ids)
    }

    /// (input ids, token type ids) of "[CLS] text [SEP]" or, with a pair,
    /// "[CLS] text [SEP] pair [SEP]"; max_len > 0 truncates.
    pub fn encode(&self, text: &str, pair: Option<&str>, max_len: i32) -> Result<(Vec<i32>, Vec<i32>)> {
        let text = to_c(text)?;
        let pair = pair.map(to_c).transpose()?;
        let pair_ptr = pair.as_ref().map_or(std::ptr::null(), |p| p.as_ptr());
        let null = std::ptr::null_mut();
        let mut n = 0;
        // SAFETY: the count query (capacity 0, NULL buffers).
        self.ctx.check(unsafe {
            sys::attn_tokenizer_encode(self.raw(), text.as_ptr(), pair_ptr, max_len, null, null, 0, &mut n)
        })?;
        let (mut ids, mut types) = (vec![0i32; n as usize], vec![0i32; n as usize]);
        // SAFETY: both buffers hold n elements.
        self.ctx.check(unsafe {
            sys::attn_tokenizer_encode(self.raw(), text.as_ptr(), pair_ptr, max_len, ids.as_mut_ptr(),
                                       types.as_mut_ptr(), n, &mut n)
        })?;
        Ok((ids, types))
    }

    /// Encodes texts (with pairs[i] when given) into batch, padded to pad_to
    /// or to the longest sequence (pad_to = 0).
    pub fn encode_batch(&self, batch: &mut Batch<'_>, texts: &[&str], pairs: Option<&[Option<&str>]>,
                        max_len: i32, pad_to: i32) -> Result<()> {
        let owned: Vec<_> = texts.iter().map(|t| to_c(t)).collect::<Result<_>>()?;
        let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        let pair_owned: Option<Vec<Option<std::ffi::CString>>> = match pairs {
            Some(p) if p.len() != texts.len() => {
                return Err(Error::new(1, format!("{} pairs for {} texts", p.len(), texts.len())))
            }
            Some(p) => Some(p.iter().map(|x| x.map(to_c).transpose()).collect::<Result<_>>()?),
            None => None,
        };
        let pair_ptrs: Option<Vec<*const c_char>> = pair_owned
            .as_ref()
            .map(|v| v.iter().map(|x| x.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())).collect());
        // SAFETY: arrays of n C strings (pairs may hold NULLs) that outlive the call.
        self.ctx.check(unsafe {
            sys::attn_tokenizer_encode_batch(self.raw(), batch.raw(), ptrs.as_ptr(),
                                             pair_ptrs.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()),
                                             texts.len() as i32, max_len, pad_to)
        })
    }
}

impl Drop for Tokenizer<'_> {
    fn drop(&mut self) {
        // SAFETY: owned handle.
        unsafe { sys::attn_tokenizer_destroy(self.raw()) }
    }
}

/// Three int32 [B, T] tensors filled by Tokenizer::encode_batch.
pub struct Batch<'c> {
    ptr: NonNull<sys::attn_batch>,
    ctx: &'c Context,
}

impl<'c> Batch<'c> {
    pub fn new(ctx: &'c Context) -> Result<Batch<'c>> {
        let mut out = std::ptr::null_mut();
        // SAFETY: valid context and out pointer.
        ctx.check(unsafe { sys::attn_batch_create(ctx.raw(), &mut out) })?;
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(8, "library returned no batch"))?;
        Ok(Batch { ptr, ctx })
    }

    pub(crate) fn raw(&self) -> *mut sys::attn_batch {
        self.ptr.as_ptr()
    }

    fn field(&self, f: i32) -> TensorRef<'_> {
        // SAFETY: live handle and a known field: never NULL.
        TensorRef::new(self.ctx, unsafe { sys::attn_batch_tensor(self.raw(), f) }).expect("batch field")
    }

    pub fn input_ids(&self) -> TensorRef<'_> {
        self.field(0)
    }

    pub fn token_type_ids(&self) -> TensorRef<'_> {
        self.field(1)
    }

    pub fn attention_mask(&self) -> TensorRef<'_> {
        self.field(2)
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        // SAFETY: owned handle.
        unsafe { sys::attn_batch_destroy(self.raw()) }
    }
}
