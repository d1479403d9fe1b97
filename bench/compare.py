#!/usr/bin/env python3
"""libattn side by side with PyTorch and ONNX Runtime, on the same machine and threads.

One command runs, case by case and on one thread count:
  - the BLIS sgemm rate at the case's GEMM shapes (bench/gemm_bench --path layers, the BLIS kernel set libattn runs: BLIS's own),
  - PyTorch (bench/peers/torch_bench.py), inference and training,
  - ONNX Runtime (bench/peers/ort_bench.py on a torch.onnx export, PyPI onnxruntime), inference only,
  - libattn (`attn bench ...`; reported as n/a when the binary has no such command).
Every framework runs each case in its own process (peak RSS per case), `--runs` times,
interleaved so that background load hits all of them alike; the table shows the median
of the per-run medians. Results go to OUT/compare.json and OUT/compare.svg.

FLOPs of one forward pass, counted on real (unpadded) tokens only:
  n = B * Tr real tokens, Tr = T - round(pad * T) (half up) real positions per sequence
  per layer: linears 2 * n * (4 H^2 + 2 H F)   (q, k, v, output; FFN up and down)
             attention 4 * B * Tr^2 * H         (Q K^T and P V over real positions)
  pooler 2 * B * H^2; classifier 2 * B * H * labels (training only)
A training step counts 3x the forward (backward = 2x forward); embeddings, softmax,
LayerNorm, GELU and the optimizer are not counted. libattn GFLOP/s = FLOPs / median time;
its share of sgemm = that rate / the FLOP-weighted sgemm rate of the case's linear shapes
(M = B*T, all tokens, best of the repetitions) measured by gemm_bench in the same run, through
the same thread split the layers use (gemm_bench --path layers).
"""
import argparse
import hashlib
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "libattn-bench")
COMMON = dict(vocab=30522, max_pos=512, type_vocab=2, labels=2)

# reps/warmup per process; --quick cuts them
CASES = [
    dict(name="base-infer", title="BERT-base infer B8 T128", layers=12, hidden=768, heads=12, ffn=3072,
         batch=8, seq=128, pad=0.25, mode="infer", reps=5, warmup=1),
    dict(name="tiny-infer", title="bert-tiny infer B1 T16", layers=2, hidden=128, heads=2, ffn=512,
         batch=1, seq=16, pad=0.0, mode="infer", reps=200, warmup=20),
    dict(name="mini-infer", title="bert-mini infer B32 T64", layers=4, hidden=256, heads=4, ffn=1024,
         batch=32, seq=64, pad=0.25, mode="infer", reps=20, warmup=3),
    dict(name="mini-train", title="bert-mini train B32 T64", layers=4, hidden=256, heads=4, ffn=1024,
         batch=32, seq=64, pad=0.25, mode="train", reps=8, warmup=2),
    dict(name="base-train", title="BERT-base train B8 T128", layers=12, hidden=768, heads=12, ffn=3072,
         batch=8, seq=128, pad=0.25, mode="train", reps=3, warmup=1),
]
FRAMEWORKS = ["libattn", "pytorch", "onnxruntime"]
# BLIS 0.9's arch_t numbers for the kernel sets libattn may choose (lib/compute/blis_arch.c)
BLIS_ARCH_NUMBER = {"skx": "0", "haswell": "3", "sandybridge": "4"}


def real_positions(c):
    return c["seq"] - math.floor(c["pad"] * c["seq"] + 0.5)  # round half up, as attn bench and ort_bench.py do


def case_flops(c):
    """FLOPs of one repetition (forward, or a training step) on real tokens."""
    h, f, tr = c["hidden"], c["ffn"], real_positions(c)
    n = c["batch"] * tr
    per_layer = 2 * n * (4 * h * h + 2 * h * f) + 4 * c["batch"] * tr * tr * h
    fwd = c["layers"] * per_layer + 2 * c["batch"] * h * h
    if c["mode"] == "train":
        fwd += 2 * c["batch"] * h * COMMON["labels"]
        return 3 * fwd
    return fwd


def gemm_shapes(c):
    """(M, N, K) of the linears of one layer, with each one's count."""
    m, h, f = c["batch"] * c["seq"], c["hidden"], c["ffn"]
    return [((m, h, h), 4), ((m, f, h), 1), ((m, h, f), 1)]


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                pass
    return None


class ForeignLoad:
    """CPU time that processes outside this benchmark used over an interval,
    in cores: the machine's busy time (/proc/stat) less our own and our
    waited-for children's. Other work on the machine slows every framework,
    and multi-threaded BLAS collapses when its threads are preempted."""

    def __init__(self):
        self.t0, self.busy0, self.own0 = time.monotonic(), self.machine_busy(), self.own()

    @staticmethod
    def machine_busy():
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        # user nice system idle iowait irq softirq steal ...
        return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def own():
        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

    def cores(self):
        busy = self.machine_busy()
        wall = time.monotonic() - self.t0
        if busy is None or self.busy0 is None or wall <= 0:
            return None
        return max(0.0, (busy - self.busy0) - (self.own() - self.own0)) / wall


def wait_until_quiet(limit_s, threshold=0.1):
    """Waits (up to limit_s) for a second in which other processes use under
    threshold CPUs; returns the seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        probe = ForeignLoad()
        time.sleep(1.0)
        busy = probe.cores()
        if busy is None or busy < threshold:
            break
    return time.monotonic() - t0


def run_json(cmd, env=None, timeout=1800):
    """Runs cmd; returns (parsed last JSON line or None, error text). The
    result gains "foreign_cores": other processes' CPU use meanwhile."""
    load = ForeignLoad()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    out = last_json_line(p.stdout) if p.returncode == 0 else None
    if out is None:
        err = (p.stderr.strip() or p.stdout.strip()).splitlines()
        return None, f"exit {p.returncode}: {err[-1] if err else 'no output'}"
    foreign = load.cores()
    if foreign is not None:
        out["foreign_cores"] = round(foreign, 3)
    return out, ""


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class Runner:
    def __init__(self, args):
        self.a = args
        self.python = args.python
        self.notes = []
        self.gemm_info = {}
        self.attn_ok = None

    # ---------- environments ----------
    def torch_env(self):
        """PyTorch's BLAS, threaded like the others and on the kernels this CPU runs best."""
        env = dict(os.environ)
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            env.pop(k, None)
        n = str(self.a.threads)
        # libgomp's threads spin after each parallel region and then fight the BLAS's own
        # pthreads for the cores; measured here: bert-mini inference 690 ms -> 89 ms median.
        env.update(OMP_NUM_THREADS=n, OMP_WAIT_POLICY="PASSIVE", OPENBLAS_NUM_THREADS=n, BLIS_NUM_THREADS=n)
        blas = self.a.torch_blas
        ob_dir = self.a.openblas_dir
        if blas == "auto":
            blas = "openblas" if os.path.exists(os.path.join(ob_dir, "libblas.so.3")) else "system"
        if blas == "openblas":
            env["LD_LIBRARY_PATH"] = ob_dir + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
            # OpenBLAS 0.3.21 does not know newer CPU models and falls back to its SSE3
            # "Prescott" kernels (measured 65 vs 300 GFLOP/s here): name the kernel set the CPU runs.
            flags = cpu_flags()
            if {"avx512f", "avx512dq", "avx512bw", "avx512vl"} <= flags:
                env["OPENBLAS_CORETYPE"] = "SkylakeX"
            elif {"avx2", "fma"} <= flags:
                env["OPENBLAS_CORETYPE"] = "Haswell"
        elif "BLIS_ARCH_TYPE" not in env:
            # if the system BLAS is BLIS, give torch the kernel set libattn runs on
            arch = self.gemm_info.get("blis_arch")
            if arch in BLIS_ARCH_NUMBER:
                env["BLIS_ARCH_TYPE"] = BLIS_ARCH_NUMBER[arch]
        self.torch_blas_used = blas
        return env

    def plain_env(self):
        env = dict(os.environ)
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            env.pop(k, None)
        return env

    # ---------- the sides ----------
    def reps(self, c):
        if self.a.quick:
            return max(1, c["reps"] // 4), min(c["warmup"], 1 if c["reps"] < 10 else 5)
        return c["reps"], c["warmup"]

    def torch_args(self, c):
        return ["--layers", c["layers"], "--hidden", c["hidden"], "--heads", c["heads"], "--ffn", c["ffn"],
                "--batch", c["batch"], "--seq", c["seq"], "--pad", c["pad"]]

    def run_pytorch(self, c):
        reps, warmup = self.reps(c)
        cmd = [self.python, os.path.join(HERE, "peers", "torch_bench.py"), *self.torch_args(c),
               "--mode", c["mode"], "--threads", self.a.threads, "--reps", reps, "--warmup", warmup]
        return run_json([str(x) for x in cmd], env=self.torch_env())

    def onnx_model(self, c):
        src = open(os.path.join(HERE, "peers", "torch_bench.py"), "rb").read()
        tag = hashlib.sha256(src).hexdigest()[:10]
        name = "bert-L{layers}-H{hidden}-A{heads}-F{ffn}-B{batch}-T{seq}".format(**c) + f"-{tag}.onnx"
        path = os.path.join(self.a.onnx_cache, name)
        if os.path.exists(path):
            return path, ""
        os.makedirs(self.a.onnx_cache, exist_ok=True)
        cmd = [self.python, os.path.join(HERE, "peers", "torch_bench.py"), *self.torch_args(c),
               "--export-onnx", path]
        out, err = run_json([str(x) for x in cmd], env=self.plain_env())
        return (path, "") if out else (None, "export failed: " + err)

    def run_onnxruntime(self, c):
        if c["mode"] != "infer":
            return None, "inference only"
        probe = subprocess.run([self.python, "-c", "import onnxruntime"], capture_output=True)
        if probe.returncode != 0:
            return None, f"onnxruntime is not importable by {self.python} (scripts/bench.sh installs it)"
        model, err = self.onnx_model(c)
        if not model:
            return None, err
        reps, warmup = self.reps(c)
        cmd = [self.python, os.path.join(HERE, "peers", "ort_bench.py"), "--model", model,
               "--batch", c["batch"], "--seq", c["seq"], "--pad", c["pad"], "--threads", self.a.threads,
               "--reps", reps, "--warmup", warmup]
        return run_json([str(x) for x in cmd], env=self.plain_env())

    def attn_has_bench(self):
        if self.attn_ok is None:
            self.attn_ok = False
            if self.a.attn and os.access(self.a.attn, os.X_OK):
                try:
                    p = subprocess.run([self.a.attn, "bench", "--help"], capture_output=True, text=True, timeout=60)
                    self.attn_ok = p.returncode == 0
                except (OSError, subprocess.TimeoutExpired):
                    pass
        return self.attn_ok

    def run_libattn(self, c):
        if not self.attn_has_bench():
            return None, f"{self.a.attn or 'attn'} has no 'bench' command"
        reps, warmup = self.reps(c)
        cmd = [self.a.attn, "bench", "--layers", c["layers"], "--hidden", c["hidden"], "--heads", c["heads"],
               "--ffn", c["ffn"], "--batch", c["batch"], "--seq", c["seq"], "--threads", self.a.threads,
               "--mode", c["mode"], "--reps", reps, "--pad", c["pad"]]  # attn bench's own default pad is 0.25
        out, err = run_json([str(x) for x in cmd], env=self.plain_env())
        if out and not all(k in out for k in ("median_ms", "min_ms")):
            return None, "attn bench printed no median_ms/min_ms"
        return out, err

    def run_gemm(self, cases):
        """libattn's sgemm rate at every linear shape of the cases, in one child process."""
        shapes = sorted({s for c in cases for s, _ in gemm_shapes(c)})
        exe = self.a.gemm_bench
        if not exe or not os.access(exe, os.X_OK):
            self.notes.append(f"gemm_bench not found at {exe}: no sgemm rates")
            return {}
        # libattn runs BLIS's own kernel set (it sets no BLIS_ARCH_TYPE) at its best ISA level
        cmd = [exe, "--select", "blis", "--path", "layers", "--threads", str(self.a.threads),
               "--reps", "5" if self.a.quick else "11"]
        for m, n, k in shapes:
            cmd += ["--shape", f"{m}x{n}x{k}"]
        out, err = run_json(cmd)
        if not out:
            self.notes.append(f"gemm_bench failed: {err}")
            return {}
        self.gemm_info = {k: out.get(k) for k in ("blis", "blis_arch", "blis_choice")}
        # the best repetition: what BLIS attains at that shape; a median is easily dragged
        # down by other load, which hits many small multi-threaded GEMMs far harder than a model
        best_isa = out["results"][0]["isa"] if out["results"] else None
        return {(r["m"], r["n"], r["k"]): r["blis_best_gflops"] for r in out["results"] if r["isa"] == best_isa}

    def case_gemm_rate(self, c, rates):
        """FLOP-weighted (harmonic) sgemm rate over the case's linear shapes."""
        total = secs = 0.0
        for (m, n, k), count in gemm_shapes(c):
            if (m, n, k) not in rates or rates[(m, n, k)] <= 0:
                return None
            flop = 2.0 * m * n * k * count
            total += flop
            secs += flop / (rates[(m, n, k)] * 1e9)
        return total / secs / 1e9


def summarize(samples):
    """Median of per-run medians, min of mins, max of peaks over the successful runs."""
    ok = [s for s in samples if s]
    if not ok:
        return None
    out = {"median_ms": statistics.median(s["median_ms"] for s in ok),
           "min_ms": min(s["min_ms"] for s in ok),
           "runs": len(ok),
           "run_medians_ms": [s["median_ms"] for s in ok]}
    foreign = [s["foreign_cores"] for s in ok if "foreign_cores" in s]
    if foreign:
        out["foreign_cores_max"] = max(foreign)
    rss = [s.get("peak_rss_mb") for s in ok if s.get("peak_rss_mb") is not None]
    if rss:
        out["peak_rss_mb"] = max(rss)
    for k in ("version", "blas", "gflops"):
        if k in ok[-1]:
            out[k] = ok[-1][k]
    return out


def fmt_ms(v):
    if v is None:
        return "n/a"
    return f"{v:.3f}" if v < 10 else f"{v:.1f}" if v < 1000 else f"{v:.0f}"


def print_table(report):
    rows = report["cases"]
    print()
    print(f"threads {report['threads']}, {report['runs']} run(s) per framework and case; "
          f"median of per-run medians, ms (lower is better)")
    hdr = (f"{'case':<26}{'libattn':>10}{'pytorch':>10}{'ORT':>10}{'attn/torch':>11}{'attn/ORT':>9}"
           f"{'GFLOP/s':>9}{'sgemm':>8}{'share':>7}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        ms = {fw: (r["results"][fw] or {}).get("median_ms") for fw in FRAMEWORKS}
        ratio = lambda p: f"{ms['libattn'] / ms[p]:.2f}" if ms["libattn"] and ms[p] else "n/a"
        g = r.get("libattn_gflops")
        rate = r.get("sgemm_gflops")
        share = f"{100 * r['libattn_sgemm_share']:.0f}%" if r.get("libattn_sgemm_share") else "n/a"
        print(f"{r['title']:<26}{fmt_ms(ms['libattn']):>10}{fmt_ms(ms['pytorch']):>10}"
              f"{fmt_ms(ms['onnxruntime']):>10}{ratio('pytorch'):>11}{ratio('onnxruntime'):>9}"
              f"{(f'{g:.1f}' if g else 'n/a'):>9} {(f'{rate:.1f}' if rate else 'n/a'):>7} {share:>6}")
    print()
    print("best single repetition, ms (least disturbed by other load)")
    for r in rows:
        cells = [f"{fw} {fmt_ms((r['results'][fw] or {}).get('min_ms'))}" for fw in FRAMEWORKS]
        print(f"  {r['title']:<26}" + "   ".join(cells))
    print()
    print("peak RSS, MiB")
    for r in rows:
        cells = []
        for fw in FRAMEWORKS:
            res = r["results"][fw]
            cells.append(f"{fw} {res['peak_rss_mb']:.0f}" if res and "peak_rss_mb" in res else f"{fw} n/a")
        print(f"  {r['title']:<26}" + "   ".join(cells))
    skipped = [(r["title"], fw, r["errors"][fw]) for r in rows for fw in FRAMEWORKS if r["errors"].get(fw)]
    if skipped:
        print("\nnot measured:")
        for title, fw, why in skipped:
            print(f"  {title} / {fw}: {why}")
    for n in report["notes"]:
        print("note:", n)
    busy = report["machine"].get("foreign_cores")
    if busy is not None and busy > 0.05:
        print(f"warning: other processes kept {busy:.2f} of {report['machine']['cpus']} CPUs busy on average "
              f"during the run (worst single measurement {report['machine']['foreign_cores_worst']:.2f}); "
              f"multi-threaded BLAS slows down sharply when its threads are preempted, so the numbers "
              f"understate every framework")


def write_svg(report, path):
    """One panel per case, its own scale: a bar per framework, labelled in ms."""
    colors = {"libattn": "#1f77b4", "pytorch": "#ee7733", "onnxruntime": "#2ca02c"}
    width, label_w, bar_h, gap, bar_max = 760, 190, 16, 22, 430
    rows = report["cases"]
    height = 60 + len(rows) * (len(FRAMEWORKS) * bar_h + gap) + 30
    esc = lambda s: str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{esc(report["title"])}</text>',
           f'<text x="10" y="40" fill="#555">median ms per case, {report["threads"]} threads, '
           f'each case on its own scale (shorter is faster)</text>']
    y = 60
    for r in rows:
        vals = {fw: (r["results"][fw] or {}).get("median_ms") for fw in FRAMEWORKS}
        top = max([v for v in vals.values() if v] or [1.0])
        out.append(f'<text x="10" y="{y + bar_h * 1.5 + 4}" font-weight="bold">{esc(r["title"])}</text>')
        ratios = [f"{r[f'libattn_over_{p}']:.2f}× {short}" for p, short in (("pytorch", "torch"), ("onnxruntime", "ORT"))
                  if r.get(f"libattn_over_{p}")]
        if ratios:
            out.append(f'<text x="10" y="{y + bar_h * 2.5 + 4}" fill="#555" font-size="10">libattn = '
                       f'{esc(", ".join(ratios))}</text>')
        for i, fw in enumerate(FRAMEWORKS):
            by = y + i * bar_h
            v = vals[fw]
            if v:
                w = max(1.0, bar_max * v / top)
                out.append(f'<rect x="{label_w}" y="{by + 2}" width="{w:.1f}" height="{bar_h - 4}" fill="{colors[fw]}"/>')
                out.append(f'<text x="{label_w + w + 5:.1f}" y="{by + bar_h - 4}">{esc(fw)} {fmt_ms(v)} ms</text>')
            else:
                why = "n/a (training)" if fw == "onnxruntime" and r["mode"] == "train" else "n/a"
                out.append(f'<text x="{label_w}" y="{by + bar_h - 4}" fill="#888">{esc(fw)} {why}</text>')
        y += len(FRAMEWORKS) * bar_h + gap
    out.append(f'<text x="10" y="{height - 10}" fill="#555" font-size="10">{esc(report["machine"]["cpu"])}; '
               f'{esc(report["when"])}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def find_build_file(build, rel):
    p = os.path.join(ROOT, build, rel) if not os.path.isabs(build) else os.path.join(build, rel)
    return p if os.access(p, os.X_OK) else None


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cases", default="all", help="comma-separated names: " + ", ".join(c["name"] for c in CASES))
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS), help="subset of libattn,pytorch,onnxruntime")
    p.add_argument("--runs", type=int, default=3, help="processes per framework and case (median taken)")
    p.add_argument("--quick", action="store_true", help="one run, a quarter of the repetitions")
    p.add_argument("--wait-quiet", dest="wait_quiet", type=float, default=0, metavar="S",
                   help="before each measurement wait up to S seconds for other processes to leave the CPUs idle")
    p.add_argument("--out", default=os.path.join(HERE, "results"), help="directory for compare.json/.svg")
    p.add_argument("--build", default="build-bench", help="meson build dir (relative to the repo) for attn and gemm_bench")
    p.add_argument("--attn", help="the attn CLI (default BUILD/tools/attn)")
    p.add_argument("--gemm-bench", dest="gemm_bench", help="default BUILD/bench/gemm_bench")
    p.add_argument("--python", default=os.path.join(os.path.dirname(HERE), ".venv-ref", "bin", "python"),
                   help="a Python with torch and onnxruntime (default: the reference environment, scripts/setup.sh)")
    p.add_argument("--onnx-cache", dest="onnx_cache", default=os.path.join(CACHE, "onnx"))
    p.add_argument("--torch-blas", dest="torch_blas", choices=["auto", "openblas", "system"], default="auto",
                   help="openblas: Debian's OpenBLAS unpacked in --openblas-dir; system: libblas.so.3 as installed; "
                        "auto: openblas if unpacked")
    p.add_argument("--openblas-dir", dest="openblas_dir",
                   default=os.path.join(CACHE, "openblas", "usr", "lib", "x86_64-linux-gnu", "openblas-pthread"))
    a = p.parse_args(argv)
    if a.quick:
        a.runs = 1
    a.attn = a.attn or find_build_file(a.build, "tools/attn")
    a.gemm_bench = a.gemm_bench or find_build_file(a.build, "bench/gemm_bench")
    names = [c["name"] for c in CASES] if a.cases == "all" else a.cases.split(",")
    unknown = [n for n in names if n not in {c["name"] for c in CASES}]
    fws = a.frameworks.split(",")
    if unknown or any(f not in FRAMEWORKS for f in fws) or a.threads < 1 or a.runs < 1:
        p.error(f"unknown case or framework, or bad --threads/--runs ({', '.join(unknown)})")
    cases = [dict(c, **COMMON) for c in CASES if c["name"] in names]

    r = Runner(a)
    t_start = time.time()
    load_before = os.getloadavg()
    whole_run = ForeignLoad()
    if a.wait_quiet:
        wait_until_quiet(a.wait_quiet)
    print(f"sgemm rates at the cases' linear shapes ({a.threads} threads) ...", file=sys.stderr)
    rates = r.run_gemm(cases)
    report = {
        "title": f"libattn vs PyTorch vs ONNX Runtime ({a.threads} threads)",
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "threads": a.threads, "runs": a.runs, "quick": a.quick,
        "machine": {"cpu": cpu_model(), "cpus": os.cpu_count(), "load_before": [round(x, 2) for x in load_before]},
        "blis": r.gemm_info, "flop_formula": __doc__.split("FLOPs of one forward pass")[1].strip(),
        "cases": [], "notes": r.notes,
    }
    for c in cases:
        samples = {fw: [] for fw in FRAMEWORKS}
        errors = {}
        for run in range(a.runs):
            for fw in fws:  # interleaved: background load falls on every framework alike
                if fw in errors:
                    continue
                if a.wait_quiet:
                    waited = wait_until_quiet(a.wait_quiet)
                    if waited > 1.5:
                        print(f"  waited {waited:.0f} s for other processes to quieten", file=sys.stderr)
                print(f"{c['name']} run {run + 1}/{a.runs}: {fw} ...", file=sys.stderr)
                out, err = getattr(r, "run_" + fw)(c)
                if out:
                    samples[fw].append(out)
                else:
                    errors[fw] = err
        res = {fw: summarize(samples[fw]) for fw in FRAMEWORKS}
        for fw in FRAMEWORKS:
            if fw not in fws:
                errors[fw] = "not selected"
        row = {k: c[k] for k in ("name", "title", "layers", "hidden", "heads", "ffn", "batch", "seq", "pad", "mode")}
        row.update(results=res, errors=errors, gflop=case_flops(c) / 1e9)
        rate = r.case_gemm_rate(c, rates)
        row["sgemm_gflops"] = rate
        if res["libattn"]:
            row["libattn_gflops"] = case_flops(c) / (res["libattn"]["median_ms"] * 1e-3) / 1e9
            row["libattn_sgemm_share"] = row["libattn_gflops"] / rate if rate else None
        for fw in ("pytorch", "onnxruntime"):
            if res["libattn"] and res[fw]:
                row[f"libattn_over_{fw}"] = res["libattn"]["median_ms"] / res[fw]["median_ms"]
        report["cases"].append(row)
    if "pytorch" in fws:
        report["torch_blas"] = next((c["results"]["pytorch"]["blas"] for c in report["cases"]
                                     if c["results"]["pytorch"] and "blas" in c["results"]["pytorch"]), None)
        report["torch_env"] = {k: v for k, v in r.torch_env().items()
                               if k.startswith(("OMP_", "OPENBLAS_", "BLIS_")) or k == "LD_LIBRARY_PATH"}
    report["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    foreign = whole_run.cores()
    report["machine"]["foreign_cores"] = round(foreign, 3) if foreign is not None else None
    report["machine"]["foreign_cores_worst"] = max(
        [res["foreign_cores_max"] for c in report["cases"] for res in c["results"].values()
         if res and "foreign_cores_max" in res] or [0.0])
    report["seconds"] = round(time.time() - t_start, 1)

    print_table(report)
    if report.get("torch_blas"):
        print(f"PyTorch BLAS: {report['torch_blas']}")
    if r.gemm_info:
        print(f"libattn BLIS: {r.gemm_info.get('blis')} kernels {r.gemm_info.get('blis_arch')}")
    print(f"load average before {report['machine']['load_before']}, after {report['machine']['load_after']}; "
          f"{report['seconds']} s")
    os.makedirs(a.out, exist_ok=True)
    jpath, spath = os.path.join(a.out, "compare.json"), os.path.join(a.out, "compare.svg")
    with open(jpath, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    write_svg(report, spath)
    print(f"wrote {jpath} and {spath}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
