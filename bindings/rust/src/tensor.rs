//! Tensors: `Tensor` owns an attn_tensor; `TensorRef` is one borrowed from
//! its owner (a model parameter, a batch field) and only reads or writes
//! through copies, because the owner's later calls may change the memory.

use std::marker::PhantomData;
use std::os::raw::c_void;
use std::ptr::NonNull;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::sys;

/// Element types (attn_dtype; values fixed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum DType {
    F32 = 0,
    I32 = 1,
    I64 = 2,
}

impl DType {
    fn from_raw(v: i32) -> DType {
        match v {
            0 => DType::F32,
            1 => DType::I32,
            _ => DType::I64,
        }
    }
}

/// A Rust element type with a libattn dtype.
pub trait Element: Copy + Default + 'static {
    const DTYPE: DType;
}
impl Element for f32 {
    const DTYPE: DType = DType::F32;
}
impl Element for i32 {
    const DTYPE: DType = DType::I32;
}
impl Element for i64 {
    const DTYPE: DType = DType::I64;
}

const MAX_RANK: usize = 4;

fn shape_of(ptr: *const sys::attn_tensor) -> Vec<i64> {
    // SAFETY: ptr is a live tensor handle for the duration of the call.
    unsafe { (0..sys::attn_tensor_rank(ptr)).map(|i| sys::attn_tensor_dim(ptr, i)).collect() }
}

fn read_vec<T: Element>(ptr: *const sys::attn_tensor, ctx: &Context) -> Result<Vec<T>> {
    // SAFETY: live handle; the buffer holds numel elements of T, converted by the library.
    unsafe {
        let n = sys::attn_tensor_numel(ptr).max(0) as usize;
        let mut v = vec![T::default(); n];
        ctx.check(sys::attn_tensor_read(ptr, T::DTYPE as i32, v.as_mut_ptr() as *mut c_void,
                                        n * std::mem::size_of::<T>()))?;
        Ok(v)
    }
}

fn write_slice<T: Element>(ptr: *mut sys::attn_tensor, ctx: &Context, data: &[T]) -> Result<()> {
    // SAFETY: live handle; the library checks the byte count against numel.
    unsafe {
        ctx.check(sys::attn_tensor_write(ptr, T::DTYPE as i32, data.as_ptr() as *const c_void,
                                         std::mem::size_of_val(data)))
    }
}

/// A tensor owned by Rust: destroyed on drop.
pub struct Tensor<'c> {
    ptr: NonNull<sys::attn_tensor>,
    ctx: &'c Context,
}

impl<'c> Tensor<'c> {
    pub(crate) fn from_raw(ctx: &'c Context, status: i32, ptr: *mut sys::attn_tensor) -> Result<Tensor<'c>> {
        ctx.check(status)?;
        let ptr = NonNull::new(ptr).ok_or_else(|| Error::new(8, "library returned no tensor"))?;
        Ok(Tensor { ptr, ctx })
    }

    /// A zero-filled tensor of rank 1..4.
    pub fn zeros(ctx: &'c Context, shape: &[i64], dtype: DType) -> Result<Tensor<'c>> {
        if shape.is_empty() || shape.len() > MAX_RANK {
            return Err(Error::new(1, format!("rank must be 1..{MAX_RANK}, got shape {shape:?}")));
        }
        let mut out = std::ptr::null_mut();
        // SAFETY: shape holds rank dims; out receives the handle.
        let status = unsafe {
            sys::attn_tensor_create(ctx.raw(), dtype as i32, shape.len() as i32, shape.as_ptr(), &mut out)
        };
        Tensor::from_raw(ctx, status, out)
    }

    /// A tensor of the given shape holding a copy of data (row-major).
    pub fn from_slice<T: Element>(ctx: &'c Context, shape: &[i64], data: &[T]) -> Result<Tensor<'c>> {
        let t = Tensor::zeros(ctx, shape, T::DTYPE)?;
        write_slice(t.ptr.as_ptr(), ctx, data)?;
        Ok(t)
    }

    pub(crate) fn raw(&self) -> *mut sys::attn_tensor {
        self.ptr.as_ptr()
    }

    pub fn shape(&self) -> Vec<i64> {
        shape_of(self.raw())
    }

    pub fn dtype(&self) -> DType {
        // SAFETY: live handle.
        DType::from_raw(unsafe { sys::attn_tensor_dtype(self.raw()) })
    }

    pub fn numel(&self) -> i64 {
        // SAFETY: live handle.
        unsafe { sys::attn_tensor_numel(self.raw()) }
    }

    /// The values, converted to T, in row-major order.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        read_vec(self.raw(), self.ctx)
    }

    /// Overwrites the values from data (numel elements of T, row-major).
    pub fn write<T: Element>(&mut self, data: &[T]) -> Result<()> {
        write_slice(self.raw(), self.ctx, data)
    }

    /// The tensor's memory, when it is contiguous and holds T.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        self.data_ptr::<T>().map(|(p, n)| {
            // SAFETY: the storage is owned by this tensor and lives as long as &self;
            // nothing writes it while the shared borrow lasts.
            unsafe { std::slice::from_raw_parts(p, n) }
        })
    }

    /// The tensor's memory, writable, when it is contiguous and holds T.
    pub fn as_mut_slice<T: Element>(&mut self) -> Option<&mut [T]> {
        self.data_ptr::<T>().map(|(p, n)| {
            // SAFETY: as above, with the exclusive borrow.
            unsafe { std::slice::from_raw_parts_mut(p as *mut T, n) }
        })
    }

    fn data_ptr<T: Element>(&self) -> Option<(*const T, usize)> {
        // SAFETY: live handle.
        unsafe {
            if self.dtype() != T::DTYPE || sys::attn_tensor_is_contiguous(self.raw()) == 0 {
                return None;
            }
            let n = self.numel().max(0) as usize;
            let p = sys::attn_tensor_data(self.raw()) as *const T;
            if n == 0 {
                Some((NonNull::dangling().as_ptr(), 0))
            } else {
                Some((p, n))
            }
        }
    }
}

impl Drop for Tensor<'_> {
    fn drop(&mut self) {
        // SAFETY: owned handle, destroyed once.
        unsafe { sys::attn_tensor_destroy(self.raw()) }
    }
}

/// A tensor borrowed from the object that owns it (valid while 'a lasts).
pub struct TensorRef<'a> {
    ptr: NonNull<sys::attn_tensor>,
    ctx: &'a Context,
    _owner: PhantomData<&'a ()>,
}

impl<'a> TensorRef<'a> {
    pub(crate) fn new(ctx: &'a Context, ptr: *mut sys::attn_tensor) -> Result<TensorRef<'a>> {
        let ptr = NonNull::new(ptr).ok_or_else(|| Error::new(12, "no such tensor"))?;
        Ok(TensorRef { ptr, ctx, _owner: PhantomData })
    }

    pub(crate) fn raw(&self) -> *mut sys::attn_tensor {
        self.ptr.as_ptr()
    }

    pub fn shape(&self) -> Vec<i64> {
        shape_of(self.raw())
    }

    pub fn dtype(&self) -> DType {
        // SAFETY: live handle.
        DType::from_raw(unsafe { sys::attn_tensor_dtype(self.raw()) })
    }

    /// A copy of the values, converted to T.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        read_vec(self.raw(), self.ctx)
    }

    /// Overwrites the values (e.g. to set a parameter).
    pub fn write<T: Element>(&self, data: &[T]) -> Result<()> {
        write_slice(self.raw(), self.ctx, data)
    }
}
