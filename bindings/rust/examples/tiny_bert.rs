//! libattn from Rust, end to end on the tiny Hugging Face checkpoint:
//! tokenize a sentence, run the model on the batch stored with the reference
//! outputs, compare its logits with Hugging Face's, take one AdamW step and
//! compare the loss. Exits with status 1 if a check fails.
//!
//! cargo run --example tiny_bert -- [DATA_DIR]   (default $ATTN_TEST_DATA or tests/data)
use std::path::PathBuf;
use std::process::ExitCode;

use attn::{AdamParams, BertModel, Context, DType, Optimizer, SafetensorsFile, Tokenizer};

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn run(data: PathBuf) -> attn::Result<bool> {
    let ctx = Context::new()?;
    println!("libattn {}", attn::version().1);

    let tok = Tokenizer::load(&ctx, data.join("bert-base-uncased/vocab.txt"), true)?;
    let (ids, _) = tok.encode("This is a sample sentence for text classification.", None, 0)?;
    let tokens: Vec<String> = ids.iter().map(|&i| tok.id_to_token(i).unwrap_or_default()).collect();
    println!("tokens: {}", tokens.join(" "));
    println!("ids: {ids:?}");

    let tiny = data.join("hf-bert-tiny");
    let model = BertModel::load(&ctx, tiny.join("tiny_a.safetensors"), tiny.join("tiny_a.config.json"))?;
    let reference = SafetensorsFile::open(&ctx, tiny.join("tiny_a.expected.safetensors"))?;
    let input_ids = reference.load("input_ids", DType::I64)?;
    let token_types = reference.load("token_type_ids", DType::I64)?;
    let mask = reference.load("attention_mask", DType::I64)?;
    let labels = reference.load("labels", DType::I64)?;
    let expected_logits: Vec<f32> = reference.load("logits", DType::F32)?.to_vec()?;
    let expected_loss: f32 = reference.load("loss", DType::F32)?.to_vec::<f32>()?[0];

    let out = model.forward(&input_ids, Some(&token_types), Some(&mask))?;
    let logits = out.logits.expect("the checkpoint has a classification head");
    let diff = max_abs_diff(&logits.data, &expected_logits);
    let scale = expected_logits.iter().fold(0f32, |m, x| m.max(x.abs()));
    println!("logits {:?}: max |diff| vs Hugging Face = {diff:.3e} (max |logit| {scale:.3})", logits.shape);
    let mut ok = diff <= 1e-4 * scale;

    let mut opt = Optimizer::adamw(&ctx, AdamParams { lr: 1e-3, eps: 1e-6, weight_decay: 0.01, ..Default::default() })?;
    opt.add_model(&model)?;
    let names = model.param_names()?;
    let before: Vec<Vec<f32>> = names.iter().map(|n| model.param(n)?.to_vec()).collect::<attn::Result<_>>()?;
    let loss = model.train_step(&mut opt, &labels, &input_ids, Some(&token_types), Some(&mask))?;
    let mut changed = 0;
    for (name, old) in names.iter().zip(&before) {
        changed += (model.param(name)?.to_vec::<f32>()? != *old) as usize;
    }
    println!("one AdamW step: loss {loss:.6} (Hugging Face {expected_loss:.6}), {changed} of {} parameters changed",
             names.len());
    ok &= (loss - expected_loss).abs() <= 1e-4 * expected_loss.abs().max(1.0) && changed == names.len();
    Ok(ok)
}

fn main() -> ExitCode {
    let data = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("ATTN_TEST_DATA").ok())
        .unwrap_or_else(|| "tests/data".into());
    match run(PathBuf::from(data)) {
        Ok(true) => {
            println!("ok");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            println!("FAILED");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
