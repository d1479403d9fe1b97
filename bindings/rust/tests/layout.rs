//! The hand-written mirrors of the public option structs (src/sys.rs) have
//! the C layout: the C compiler prints sizeof and each field's offsetof from
//! the headers pkg-config names, and they must equal Rust's.
use std::collections::HashMap;
use std::mem::{size_of, MaybeUninit};
use std::process::Command;
use std::ptr::addr_of;

use attn::sys::{attn_bert_config, attn_optim_opts};

macro_rules! offsets {
    ($t:ty; $($f:ident),*) => {{
        let u = MaybeUninit::<$t>::uninit();
        let base = u.as_ptr() as usize;
        // SAFETY: addr_of! computes field addresses without reading the uninitialised value.
        vec![$((stringify!($f), unsafe { addr_of!((*u.as_ptr()).$f) } as usize - base)),*]
    }};
}

fn c_layout(fields: &[(&str, Vec<(&str, usize)>)]) -> HashMap<String, usize> {
    let cflags = Command::new("pkg-config").args(["--cflags", "libattn"]).output().expect("pkg-config");
    assert!(cflags.status.success(), "pkg-config does not know libattn");
    let mut body = String::new();
    for (name, fs) in fields {
        body += &format!("printf(\"{name}.sizeof %zu\\n\", sizeof({name}));\n");
        for (f, _) in fs {
            body += &format!("printf(\"{name}.{f} %zu\\n\", offsetof({name}, {f}));\n");
        }
    }
    let dir = std::env::temp_dir().join(format!("attn-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (src, exe) = (dir.join("layout.c"), dir.join("layout"));
    std::fs::write(&src, format!("#include <stddef.h>\n#include <stdio.h>\n#include <attn.h>\nint main(void) {{\n{body}return 0;\n}}\n"))
        .unwrap();
    let flags = String::from_utf8(cflags.stdout).unwrap();
    let status = Command::new("cc").arg(&src).arg("-o").arg(&exe).args(flags.split_whitespace()).status().expect("cc");
    assert!(status.success());
    let out = String::from_utf8(Command::new(&exe).output().unwrap().stdout).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    out.lines()
        .map(|l| {
            let mut it = l.split_whitespace();
            (it.next().unwrap().to_owned(), it.next().unwrap().parse().unwrap())
        })
        .collect()
}

#[test]
fn option_struct_mirrors_have_the_c_offsets_and_size() {
    let structs = vec![
        ("attn_bert_config", offsets!(attn_bert_config; struct_size, vocab_size, hidden_size, num_layers, num_heads,
            intermediate_size, max_position_embeddings, type_vocab_size, hidden_act, layer_norm_eps, hidden_dropout,
            attention_dropout, classifier_dropout, initializer_range, num_labels, problem_type, pooling,
            norm_position, pad_token_id)),
        ("attn_optim_opts", offsets!(attn_optim_opts; struct_size, kind, lr, momentum, dampening, nesterov, amsgrad,
            beta1, beta2, eps, weight_decay)),
    ];
    let c = c_layout(&structs);
    assert_eq!(c["attn_bert_config.sizeof"], size_of::<attn_bert_config>());
    assert_eq!(c["attn_optim_opts.sizeof"], size_of::<attn_optim_opts>());
    for (name, fields) in &structs {
        for (f, off) in fields {
            assert_eq!(c[&format!("{name}.{f}")], *off, "{name}.{f}");
        }
    }
}
