//! SafetensorsFile: libattn's validating reader of Hugging Face safetensors
//! files; tensors are read into new owned Tensors.

use std::path::Path;
use std::ptr::NonNull;

use crate::context::Context;
use crate::error::{c_string, path_to_c, to_c, Error, Result};
use crate::sys;
use crate::tensor::{DType, Tensor};

pub struct SafetensorsFile<'c> {
    ptr: NonNull<sys::attn_safetensors>,
    ctx: &'c Context,
}

impl<'c> SafetensorsFile<'c> {
    /// Opens and validates the file (every byte is checked as hostile).
    pub fn open(ctx: &'c Context, path: impl AsRef<Path>) -> Result<SafetensorsFile<'c>> {
        let p = path_to_c(path.as_ref())?;
        let mut out = std::ptr::null_mut();
        // SAFETY: valid context, C string, out pointer.
        ctx.check(unsafe { sys::attn_safetensors_open(ctx.raw(), p.as_ptr(), &mut out) })?;
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(8, "library returned no file"))?;
        Ok(SafetensorsFile { ptr, ctx })
    }

    fn raw(&self) -> *mut sys::attn_safetensors {
        self.ptr.as_ptr()
    }

    /// Tensor names in file order.
    pub fn names(&self) -> Vec<String> {
        // SAFETY: live handle; names are copied, indices in range.
        unsafe {
            (0..sys::attn_safetensors_count(self.raw()))
                .map(|i| c_string(sys::attn_safetensors_name(self.raw(), i)))
                .collect()
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        let c = match to_c(name) {
            Ok(c) => c,
            Err(_) => return false,
        };
        let mut i = 0;
        // SAFETY: live handle, C string, out pointer.
        unsafe { sys::attn_safetensors_find(self.raw(), c.as_ptr(), &mut i) == 0 }
    }

    /// Reads name into a new tensor of dtype (converted as io.h describes).
    pub fn load(&self, name: &str, dtype: DType) -> Result<Tensor<'c>> {
        let c = to_c(name)?;
        let mut out = std::ptr::null_mut();
        // SAFETY: live handle, C string, out pointer.
        let status = unsafe { sys::attn_safetensors_load(self.raw(), c.as_ptr(), dtype as i32, &mut out) };
        Tensor::from_raw(self.ctx, status, out)
    }
}

impl Drop for SafetensorsFile<'_> {
    fn drop(&mut self) {
        // SAFETY: owned handle.
        unsafe { sys::attn_safetensors_close(self.raw()) }
    }
}
