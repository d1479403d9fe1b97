#!/usr/bin/env node
// ONNX Runtime peer for compare.py: times one inference case of a BERT model
// exported by torch_bench.py --export-onnx and prints one JSON line.
//
// ONNX Runtime's CPU library comes from the npm package onnxruntime-node,
// installed outside the repository (scripts/bench.sh puts it in
// ~/.cache/libattn-bench/ort); --ort-dir names that directory.
// Session: intraOpNumThreads = --threads, interOpNumThreads = 1, sequential
// execution, graph optimisation level "all". Inputs match torch_bench.py:
// random ids, token types 0, the last round(pad * T) positions of each
// sequence with attention_mask 0. Run one case per process: maxRSS is the
// process's peak.
'use strict';

const path = require('path');
const os = require('os');

function usage() {
  return 'usage: ort_bench.js --model FILE.onnx --batch B --seq T [--pad P] [--threads N]\n' +
         '                    [--reps R] [--warmup W] [--vocab V] [--ort-dir DIR]';
}

function parseArgs(argv) {
  const o = {pad: 0, threads: 1, reps: 10, warmup: 2, vocab: 30522,
             ortDir: path.join(os.homedir(), '.cache', 'libattn-bench', 'ort')};
  const numeric = {'--batch': 'batch', '--seq': 'seq', '--pad': 'pad', '--threads': 'threads',
                   '--reps': 'reps', '--warmup': 'warmup', '--vocab': 'vocab'};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === '--help' || a === '-h') { console.log(usage()); process.exit(0); }
    if (v === undefined) throw new Error(`option ${a} needs a value\n${usage()}`);
    if (a === '--model') o.model = v;
    else if (a === '--ort-dir') o.ortDir = v;
    else if (a in numeric) {
      o[numeric[a]] = Number(v);
      if (!Number.isFinite(o[numeric[a]])) throw new Error(`bad number for ${a}: '${v}'`);
    } else throw new Error(`unknown option '${a}'\n${usage()}`);
    i++;
  }
  if (!o.model || !(o.batch > 0) || !(o.seq > 0) || !(o.pad >= 0 && o.pad < 1) || !(o.reps >= 1) ||
      !(o.threads >= 1))
    throw new Error(`need --model, --batch > 0, --seq > 0, 0 <= pad < 1, reps >= 1, threads >= 1\n${usage()}`);
  return o;
}

// A small deterministic generator (xorshift32) so runs feed the same ids.
function makeIds(count, vocab) {
  const ids = new BigInt64Array(count);
  let s = 2463534242;
  for (let i = 0; i < count; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    ids[i] = BigInt(s % vocab);
  }
  return ids;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const ort = require(path.join(o.ortDir, 'node_modules', 'onnxruntime-node'));
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  const session = await ort.InferenceSession.create(o.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: o.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const n = o.batch * o.seq, pad = Math.round(o.pad * o.seq);
  const mask = new BigInt64Array(n);
  for (let b = 0; b < o.batch; b++)
    for (let t = 0; t < o.seq - pad; t++) mask[b * o.seq + t] = 1n;
  const dims = [o.batch, o.seq];
  const feeds = {
    input_ids: new ort.Tensor('int64', makeIds(n, o.vocab), dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(n), dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
  };
  const times = [];
  let out;
  for (let i = 0; i < o.warmup + o.reps; i++) {
    const t0 = process.hrtime.bigint();
    out = await session.run(feeds);
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= o.warmup) times.push(dt);
  }
  const hidden = out.last_hidden_state.data;
  for (let i = 0; i < hidden.length; i++)
    if (!Number.isFinite(hidden[i])) throw new Error('last_hidden_state has a non-finite value');
  times.sort((a, b) => a - b);
  const m = times.length;
  const median = m % 2 ? times[(m - 1) / 2] : 0.5 * (times[m / 2 - 1] + times[m / 2]);
  const version = (ort.env.versions && ort.env.versions.node) || 'unknown';
  console.log(JSON.stringify({
    framework: 'onnxruntime', version, mode: 'infer', batch: o.batch, seq: o.seq, pad: o.pad,
    threads: o.threads, reps: o.reps, warmup: o.warmup,
    median_ms: +median.toFixed(3), min_ms: +times[0].toFixed(3),
    peak_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
    rss_before_model_mb: +rssBefore.toFixed(1), model: o.model,
  }));
  await session.release();
}

main().catch((e) => {
  console.error(`ort_bench: ${e.message}`);
  process.exit(1);
});
