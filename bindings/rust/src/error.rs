//! Error: a failed call's status code and the library's detailed message
//! (attn_ctx_last_error), read right after the call.

use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::c_char;
use std::path::Path;

use crate::sys;

/// What kind of failure a status code is. Codes are fixed forever and only
/// ever appended (include/attn/core.h), so a newer library may return a code
/// this binding does not know: `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidArg,
    NoMem,
    Shape,
    Dtype,
    Io,
    Format,
    Range,
    State,
    Numeric,
    Limit,
    Unsupported,
    NotFound,
    Overflow,
    Other(i32),
}

impl ErrorKind {
    pub fn from_status(status: i32) -> ErrorKind {
        match status {
            1 => ErrorKind::InvalidArg,
            2 => ErrorKind::NoMem,
            3 => ErrorKind::Shape,
            4 => ErrorKind::Dtype,
            5 => ErrorKind::Io,
            6 => ErrorKind::Format,
            7 => ErrorKind::Range,
            8 => ErrorKind::State,
            9 => ErrorKind::Numeric,
            10 => ErrorKind::Limit,
            11 => ErrorKind::Unsupported,
            12 => ErrorKind::NotFound,
            13 => ErrorKind::Overflow,
            other => ErrorKind::Other(other),
        }
    }
}

/// A libattn error: the status code and the detailed message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    status: i32,
    message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn new(status: i32, message: impl Into<String>) -> Error {
        Error { status, message: message.into() }
    }

    /// The error of a failed call on ctx, with the context's message.
    pub(crate) fn from_ctx(status: i32, ctx: *const sys::attn_ctx) -> Error {
        // SAFETY: attn_ctx_last_error never returns NULL and accepts any ctx (even NULL).
        let message = unsafe { c_string(sys::attn_ctx_last_error(ctx)) };
        Error { status, message }
    }

    /// The attn_status code.
    pub fn status(&self) -> i32 {
        self.status
    }

    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_status(self.status)
    }

    /// The library's detailed message (which tensor, which shape, which file).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The status name, e.g. "ATTN_ERR_SHAPE".
    pub fn name(&self) -> String {
        // SAFETY: attn_status_str returns a static string for every code.
        let full = unsafe { c_string(sys::attn_status_str(self.status)) };
        full.split(':').next().unwrap_or("").to_owned()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.name())
    }
}

impl std::error::Error for Error {}

/// Copies a C string (NULL gives "").
///
/// # Safety
/// p must be NULL or point to a NUL-terminated string.
pub(crate) unsafe fn c_string(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// A Rust string as a C string; an inner NUL byte is an invalid argument.
pub(crate) fn to_c(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::new(1, format!("string contains a NUL byte: {s:?}")))
}

pub(crate) fn path_to_c(p: &Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(p.as_os_str().as_bytes())
        .map_err(|_| Error::new(1, format!("path contains a NUL byte: {}", p.display())))
}
