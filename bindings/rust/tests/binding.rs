//! The safe layer against the library just built: errors carry the library's
//! message, tensors round-trip, the tokenizer gives Hugging Face's ids and the
//! tiny checkpoint gives Hugging Face's logits, loss and AdamW step.
use std::path::PathBuf;

use attn::{AdamParams, BertModel, Batch, Context, CtxOption, DType, ErrorKind, Optimizer, SafetensorsFile, Tensor,
           Tokenizer};

fn data() -> PathBuf {
    std::env::var("ATTN_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data"))
}

fn tiny(name: &str) -> PathBuf {
    data().join("hf-bert-tiny").join(name)
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn loaded_library_has_the_expected_major_version() {
    let (number, text) = attn::version();
    assert_eq!(number / 10000, attn::EXPECTED_MAJOR);
    assert!(number >= attn::MINIMUM_VERSION);
    let parts: Vec<u32> = text.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(number, parts[0] * 10000 + parts[1] * 100 + parts[2]);
    attn::check_version().unwrap();
}

#[test]
fn context_options_round_trip_and_errors_carry_the_message() {
    let ctx = Context::new().unwrap();
    ctx.set(CtxOption::Threads, 2).unwrap();
    assert_eq!(ctx.get(CtxOption::Threads).unwrap(), 2);
    let err = ctx.set(CtxOption::Threads, 0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArg);
    assert_eq!(err.status(), 1);
    assert_eq!(err.name(), "ATTN_ERR_INVALID_ARG");
    assert!(err.message().contains("outside"), "{err}");
    assert_eq!(err.message(), ctx.last_error());
    assert!(err.to_string().ends_with("[ATTN_ERR_INVALID_ARG]"));
    let err = ctx.set(CtxOption::PeakBytes, 1).unwrap_err();
    assert!(err.message().contains("read-only"), "{err}");
}

#[test]
fn unknown_status_codes_are_kept() {
    assert_eq!(ErrorKind::from_status(999), ErrorKind::Other(999));
}

#[test]
fn tensors_round_trip_and_expose_their_memory() {
    let ctx = Context::new().unwrap();
    let mut t = Tensor::from_slice(&ctx, &[2, 3], &[1f32, 2., 3., 4., 5., 6.]).unwrap();
    assert_eq!(t.shape(), vec![2, 3]);
    assert_eq!(t.dtype(), DType::F32);
    assert_eq!(t.to_vec::<f32>().unwrap(), vec![1., 2., 3., 4., 5., 6.]);
    assert_eq!(t.to_vec::<i64>().unwrap(), vec![1, 2, 3, 4, 5, 6]); // converted by the library
    t.as_mut_slice::<f32>().unwrap()[5] = 60.0;
    assert_eq!(t.as_slice::<f32>().unwrap()[5], 60.0);
    assert!(t.as_slice::<i32>().is_none());
    let err = t.write(&[1f32, 2.]).unwrap_err();
    assert!(!err.message().is_empty());
    assert!(Tensor::zeros(&ctx, &[1, 1, 1, 1, 1], DType::F32).is_err());
}

#[test]
fn tokenizer_gives_hugging_faces_ids() {
    let ctx = Context::new().unwrap();
    let tok = Tokenizer::load(&ctx, data().join("bert-base-uncased/vocab.txt"), true).unwrap();
    assert_eq!(tok.vocab_size(), 30522);
    // bert-base-uncased/tokens.json, written by Hugging Face's BertTokenizer
    let (ids, types) = tok.encode("This is a sample sentence for text classification.", None, 0).unwrap();
    assert_eq!(ids, vec![101, 2023, 2003, 1037, 7099, 6251, 2005, 3793, 5579, 1012, 102]);
    assert_eq!(types, vec![0; 11]);
    assert_eq!(tok.tokenize("Hello, world!").unwrap(), vec![7592, 1010, 2088, 999]);
    assert_eq!(tok.id_to_token(101).as_deref(), Some("[CLS]"));
    assert_eq!(tok.id_to_token(30522), None);
    assert_eq!(tok.token_to_id("[SEP]").unwrap(), 102);
    assert_eq!(tok.token_to_id("no-such-token").unwrap_err().kind(), ErrorKind::NotFound);
    let (_, types) = tok.encode("hello", Some("world"), 0).unwrap();
    assert_eq!(types, vec![0, 0, 0, 1, 1]);

    let mut batch = Batch::new(&ctx).unwrap();
    tok.encode_batch(&mut batch, &["hello world", "hi"], None, 8, 0).unwrap();
    assert_eq!(batch.input_ids().shape(), vec![2, 4]);
    assert_eq!(batch.input_ids().to_vec::<i32>().unwrap(), vec![101, 7592, 2088, 102, 101, 7632, 102, 0]);
    assert_eq!(batch.attention_mask().to_vec::<i32>().unwrap(), vec![1, 1, 1, 1, 1, 1, 1, 0]);

    let err = Tokenizer::load(&ctx, "/nonexistent/vocab.txt", true).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.message().contains("/nonexistent/vocab.txt"), "{err}");
    assert_eq!(tok.encode("a\0b", None, 0).unwrap_err().kind(), ErrorKind::InvalidArg);
}

#[test]
fn tiny_bert_matches_hugging_face_forward_and_adamw_step() {
    let ctx = Context::new().unwrap();
    let model = BertModel::load(&ctx, tiny("tiny_a.safetensors"), tiny("tiny_a.config.json")).unwrap();
    let cfg = model.config();
    assert_eq!((cfg.hidden_size, cfg.num_layers, cfg.num_heads, cfg.num_labels), (64, 2, 4, 3));
    let reference = SafetensorsFile::open(&ctx, tiny("tiny_a.expected.safetensors")).unwrap();
    let load = |name: &str, dtype| reference.load(name, dtype).unwrap();
    let (ids, types, mask) = (load("input_ids", DType::I64), load("token_type_ids", DType::I64),
                              load("attention_mask", DType::I64));
    let labels = load("labels", DType::I64);

    let out = model.forward(&ids, Some(&types), Some(&mask)).unwrap();
    let expected: Vec<f32> = load("logits", DType::F32).to_vec().unwrap();
    let logits = out.logits.unwrap();
    assert_eq!(logits.shape, vec![4, 3]);
    let scale = expected.iter().fold(0f32, |m, x| m.max(x.abs()));
    assert!(max_abs_diff(&logits.data, &expected) <= 1e-4 * scale);
    let pooled: Vec<f32> = load("pooler_output", DType::F32).to_vec().unwrap();
    assert!(max_abs_diff(&out.pooler_output.data, &pooled) <= 1e-4);
    let expected_loss = load("loss", DType::F32).to_vec::<f32>().unwrap()[0];
    assert!((model.loss(&labels).unwrap() - expected_loss).abs() <= 1e-5);

    let mut opt = Optimizer::adamw(&ctx, AdamParams { lr: 1e-3, eps: 1e-6, weight_decay: 0.01, ..Default::default() })
        .unwrap();
    opt.add_model(&model).unwrap();
    let names = model.param_names().unwrap();
    assert_eq!(opt.param_count() as usize, names.len());
    let loss = model.train_step(&mut opt, &labels, &ids, Some(&types), Some(&mask)).unwrap();
    assert!((loss - expected_loss).abs() <= 1e-5, "{loss} vs {expected_loss}");
    assert_eq!(opt.steps().unwrap(), 1);
    let mut compared = 0;
    for name in &names {
        let key = format!("adamw1.{name}");
        if reference.contains(&key) {
            let after: Vec<f32> = model.param(name).unwrap().to_vec().unwrap();
            let want: Vec<f32> = reference.load(&key, DType::F32).unwrap().to_vec().unwrap();
            assert!(max_abs_diff(&after, &want) <= 5e-5, "{name}");
            compared += 1;
        }
    }
    assert!(compared >= 30);
    assert!(model.grad("classifier.weight").unwrap().to_vec::<f32>().unwrap().iter().any(|g| *g != 0.0));

    let dir = std::env::temp_dir().join(format!("attn-rust-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("saved.safetensors");
    model.save(&saved).unwrap();
    let again = BertModel::load(&ctx, &saved, tiny("tiny_a.config.json")).unwrap();
    let logits_after = model.forward(&ids, Some(&types), Some(&mask)).unwrap().logits.unwrap();
    assert_eq!(again.forward(&ids, Some(&types), Some(&mask)).unwrap().logits.unwrap(), logits_after);
    std::fs::remove_dir_all(&dir).unwrap();

    let err = BertModel::load(&ctx, "/nonexistent/model.safetensors", tiny("tiny_a.config.json")).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.message().contains("/nonexistent/model.safetensors"), "{err}");
    let short = Tensor::from_slice(&ctx, &[1, 2], &[101i64, 102]).unwrap();
    assert_eq!(model.forward(&ids, Some(&short), None).unwrap_err().kind(), ErrorKind::Shape);
}

#[test]
fn a_context_moves_to_another_thread_and_works_there() {
    let ctx = Context::new().unwrap();
    let sum = std::thread::spawn(move || {
        let t = Tensor::from_slice(&ctx, &[3], &[1f32, 2., 3.]).unwrap();
        t.to_vec::<f32>().unwrap().iter().sum::<f32>()
    })
    .join()
    .unwrap();
    assert_eq!(sum, 6.0);
}
