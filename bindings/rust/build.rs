//! Finds libattn for linking: the `pkg-config` command first (an installed
//! library, or any libattn.pc on PKG_CONFIG_PATH), and when pkg-config does
//! not know libattn, the LIBATTN_LIB_DIR environment variable (a build
//! tree's lib/ directory). No crates: the pkg-config program is run directly.
use std::env;
use std::path::Path;
use std::process::Command;

fn pkg_config_dirs() -> Option<Vec<String>> {
    let out = Command::new("pkg-config").args(["--libs-only-L", "libattn"]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.split_whitespace().filter_map(|f| f.strip_prefix("-L")).map(str::to_owned).collect())
}

fn main() {
    println!("cargo:rerun-if-env-changed=LIBATTN_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_LIBDIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_SYSROOT_DIR");

    let dirs = match (pkg_config_dirs(), env::var("LIBATTN_LIB_DIR")) {
        (Some(dirs), _) => dirs,
        (None, Ok(dir)) if !dir.is_empty() => vec![dir],
        _ => panic!(
            "libattn not found: install it (pkg-config --libs libattn must work) \
             or set LIBATTN_LIB_DIR to the directory holding libattn.so"
        ),
    };
    for dir in &dirs {
        if !Path::new(dir).join("libattn.so").exists() {
            println!("cargo:warning=no libattn.so in {dir}");
        }
        println!("cargo:rustc-link-search=native={dir}");
        // run from a non-system directory without LD_LIBRARY_PATH
        if !dir.starts_with("/usr/lib") && !dir.starts_with("/lib") {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
    println!("cargo:rustc-link-lib=dylib=attn");
}
