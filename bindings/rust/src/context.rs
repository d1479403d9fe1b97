//! Context: owns an attn_ctx; every other object borrows it, so the borrow
//! checker destroys objects before their context.
//!
//! Threads (libattn's rule: a context and its objects are used by one
//! thread at a time): `Context` is `Send` but not `Sync`. Objects borrow
//! `&Context`, which is therefore not `Send` either, so a context and its
//! objects stay on one thread; move the `Context` to a thread and create the
//! objects there, or use one context per thread.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

use crate::error::{c_string, Error, Result};
use crate::sys;
use crate::{EXPECTED_MAJOR, MINIMUM_VERSION};

/// Integer settings and read-only statistics of a context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum CtxOption {
    Threads = 1,
    Seed = 2,
    MemoryLimit = 3,
    CheckFinite = 4,
    RngCounter = 5,
    BytesInUse = 100,
    PeakBytes = 101,
    AllocCount = 102,
}

pub struct Context {
    ptr: NonNull<sys::attn_ctx>,
    // Cell<()> is Send but not Sync: the context may move, not be shared
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: libattn allows a context to be used from any thread, one at a time;
// Context is not Sync, and objects borrowing it cannot leave its thread.
unsafe impl Send for Context {}

/// The loaded library's version: (ATTN_VERSION_NUMBER, "MAJOR.MINOR.PATCH").
pub fn version() -> (u32, String) {
    // SAFETY: no arguments; the string is static.
    unsafe { (sys::attn_version_number(), c_string(sys::attn_version_string())) }
}

/// Fails unless the loaded library has the major version this binding was
/// written for and is at least MINIMUM_VERSION.
pub fn check_version() -> Result<()> {
    let (number, text) = version();
    if number / 10000 != EXPECTED_MAJOR || number < MINIMUM_VERSION {
        return Err(Error::new(
            11,
            format!(
                "loaded libattn {text} ({number}); this binding needs major version {EXPECTED_MAJOR}, \
                 at least {MINIMUM_VERSION}"
            ),
        ));
    }
    Ok(())
}

impl Context {
    /// A context with default settings (1 thread, seed 0), after checking
    /// the library's version.
    pub fn new() -> Result<Context> {
        check_version()?;
        let mut out = std::ptr::null_mut();
        // SAFETY: out is a valid pointer to receive the handle.
        let status = unsafe { sys::attn_ctx_create(&mut out) };
        match NonNull::new(out) {
            Some(ptr) if status == 0 => Ok(Context { ptr, _not_sync: PhantomData }),
            _ => Err(Error::from_ctx(status, std::ptr::null())),
        }
    }

    pub(crate) fn raw(&self) -> *mut sys::attn_ctx {
        self.ptr.as_ptr()
    }

    /// Ok(()) for status 0, else the error with this context's message.
    pub(crate) fn check(&self, status: i32) -> Result<()> {
        if status == 0 {
            Ok(())
        } else {
            Err(Error::from_ctx(status, self.raw()))
        }
    }

    pub fn set(&self, option: CtxOption, value: i64) -> Result<()> {
        // SAFETY: valid handle; the library validates key and value.
        self.check(unsafe { sys::attn_ctx_set_int(self.raw(), option as i32, value) })
    }

    pub fn get(&self, option: CtxOption) -> Result<i64> {
        let mut v = 0i64;
        // SAFETY: valid handle and out pointer.
        self.check(unsafe { sys::attn_ctx_get_int(self.raw(), option as i32, &mut v) })?;
        Ok(v)
    }

    /// The detailed message of the last error on this context ("" if none).
    pub fn last_error(&self) -> String {
        // SAFETY: valid handle; the string is copied at once.
        unsafe { c_string(sys::attn_ctx_last_error(self.raw())) }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: every object borrowing the context has been dropped (borrowck).
        unsafe { sys::attn_ctx_destroy(self.raw()) }
    }
}
