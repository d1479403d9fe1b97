"""Every command runs with the same context defaults: the cores this
process may run on (affinity-aware) and a memory limit of 3/4 of the
memory it may use; --threads and --memory-limit override them and are
checked with messages that name the option. Usage: test_cli_context.py ATTN_EXE"""
import json
import os
import resource
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from cli_common import SMALL, SMALL_ANY_THREADS, VOCAB, Checker, last_json, texts, write_tsv  # noqa: E402

c = Checker(sys.argv[1])

cores = len(os.sched_getaffinity(0))
one_core = lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # noqa: E731

info = json.loads(c.run(["info", "--json"]).stdout)
c.expect(info["threads"] == cores and info["default_threads"] == cores,
         f"info: threads {info['threads']}, expected the {cores} cores of sched_getaffinity")
c.expect(info["library_default_threads"] == 1, f"the library's own default must stay 1: {info}")
pinned = json.loads(c.run(["info", "--json"], preexec_fn=one_core).stdout)
c.expect(pinned["threads"] == 1, f"info under a one-core affinity mask: {pinned['threads']} threads")

# the memory default: 3/4 of the smallest of physical memory and the address-space limit
phys = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
limit = phys
cg = None
for line in open("/proc/self/cgroup"):
    if line.startswith("0::"):
        path = "/sys/fs/cgroup" + line[3:].strip().rstrip("/") + "/memory.max"
        if os.path.exists(path):
            v = open(path).read().strip()
            cg = None if v == "max" else int(v)
if cg:
    limit = min(limit, cg)
c.expect(info["memory_limit_bytes"] == limit // 4 * 3,
         f"default memory limit {info['memory_limit_bytes']}, expected 3/4 of {limit} = {limit // 4 * 3}")
aslimit = 3 << 30
p = c.run(["info", "--json"], preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (aslimit, aslimit)))
c.expect(p.returncode == 0 and json.loads(p.stdout)["memory_limit_bytes"] == min(limit, aslimit) // 4 * 3,
         f"under RLIMIT_AS {aslimit}: {p.stdout} {p.stderr}")
c.expect(json.loads(c.run(["info", "--json", "--memory-limit", "2G"]).stdout)["memory_limit_bytes"] == 2 << 30,
         "--memory-limit 2G")

bench = ["bench", "--layers", "1", "--hidden", "32", "--heads", "2", "--ffn", "64", "--batch", "2", "--seq", "8",
         "--reps", "1"]
b = c.run(bench, preexec_fn=one_core)
c.expect(b.returncode == 0 and last_json(b.stdout)["threads"] == 1, f"bench under one core: {b.stdout} {b.stderr}")
b = c.run(bench)
c.expect(b.returncode == 0 and last_json(b.stdout)["threads"] == cores, f"bench default threads: {b.stdout}")

with tempfile.TemporaryDirectory() as tmp:
    tsv = write_tsv(tmp + "/d.tsv", texts(60))
    t = c.run(["train", "--tsv", tsv, "--out", tmp + "/r", "--epochs", "1"] + SMALL_ANY_THREADS)
    c.expect(t.returncode == 0 and last_json(t.stdout)["threads"] == cores, f"train default threads: {t.stderr[-300:]}")

    # every command checks --threads by name, and honours the memory limit
    model, cfg = (os.environ.get("ATTN_TEST_DATA", "tests/data") + "/hf-bert-tiny/tiny_a." + x
                  for x in ("safetensors", "config.json"))
    for cmd in (["info"], ["bench"], ["train", "--tsv", tsv, "--out", tmp + "/x"], ["predict", "--model", model],
                ["eval", "--model", model, "--tsv", tsv], ["forward", "--model", model, "--config", cfg, "--inputs", model,
                                                         "--out", tmp + "/o"]):
        p = c.run(cmd + ["--threads", "0"], input="")
        c.expect(p.returncode != 0 and "--threads 0: must be between 1 and 1024" in p.stderr,
                 f"{cmd[0]} --threads 0: {p.stderr!r}")
        p = c.run(cmd + ["--memory-limit", "lots"], input="")
        c.expect(p.returncode != 0 and "--memory-limit lots:" in p.stderr, f"{cmd[0]} --memory-limit lots: {p.stderr!r}")
    for cmd in (bench, ["train", "--tsv", tsv, "--out", tmp + "/m"] + SMALL,
                ["predict", "--model", tmp + "/r", "--vocab", VOCAB], ["eval", "--model", tmp + "/r", "--tsv", tsv,
                                                                          "--vocab", VOCAB]):
        p = c.run(cmd + ["--memory-limit", "1"], input="a text\n")
        c.expect(p.returncode == 1 and "memory limit" in p.stderr and ("1048576" in p.stderr or "1.0 MB" in p.stderr),
                 f"{cmd[0]} --memory-limit 1 (MB): exit {p.returncode}, {p.stderr[-300:]!r}")
c.finish()
