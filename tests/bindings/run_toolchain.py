"""Runs a compiled binding's own tests with its toolchain, then its example,
against the library of this build (found through pkg-config: meson passes
PKG_CONFIG_PATH pointing at the build tree's libattn.pc).

  run_toolchain.py rust SOURCE_DIR WORK_DIR DATA_DIR   cargo test --offline; cargo run --example tiny_bert
  run_toolchain.py go   SOURCE_DIR WORK_DIR DATA_DIR   go test; go run ./examples/tiny_bert

Exit 77 (meson: skipped) only when the toolchain is not installed at all.
Caches live under WORK_DIR (in the build tree), never in the source tree:
the Rust crate is mirrored there first, because cargo writes Cargo.lock next
to Cargo.toml."""
import os
import shutil
import subprocess
import sys

SKIP = 77


def find_tool(name, extra):
    found = shutil.which(name)
    if found:
        return found
    for path in extra:
        path = os.path.expanduser(path)
        if os.access(path, os.X_OK):
            return path
    return None


def mirror(src, dst):
    """Copies src to dst keeping modification times (so cargo rebuilds only what changed)."""
    for root, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d != "target"]
        rel = os.path.relpath(root, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for f in files:
            if f == "Cargo.lock":
                continue
            s, d = os.path.join(root, f), os.path.join(dst, rel, f)
            if not os.path.exists(d) or os.path.getmtime(d) != os.path.getmtime(s):
                shutil.copy2(s, d)
    for root, _, files in os.walk(dst):  # files deleted from the source
        rel = os.path.relpath(root, dst)
        for f in files:
            if f != "Cargo.lock" and not os.path.exists(os.path.join(src, rel, f)):
                os.remove(os.path.join(root, f))


def run(cmd, cwd, env):
    print("$ " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(proc.stdout, flush=True)
    return proc


def example_ok(proc):
    lines = proc.stdout.strip().splitlines()
    return proc.returncode == 0 and lines and lines[-1] == "ok"


def rust(src, work, data):
    cargo = find_tool("cargo", ["~/.cargo/bin/cargo", "/usr/local/cargo/bin/cargo"])
    if cargo is None:
        print("SKIP: no cargo on this machine (PATH, ~/.cargo/bin, /usr/local/cargo/bin); "
              "install Debian's `cargo` or rustup to test the Rust binding")
        return SKIP
    crate = os.path.join(work, "rust-src")
    mirror(src, crate)
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(work, "rust-target"), CARGO_NET_OFFLINE="true",
               ATTN_TEST_DATA=data, PATH=os.path.dirname(cargo) + os.pathsep + os.environ.get("PATH", ""))
    run([cargo, "--version"], crate, env)
    if run([cargo, "test", "--offline"], crate, env).returncode != 0:
        return 1
    return 0 if example_ok(run([cargo, "run", "--offline", "--example", "tiny_bert", "--", data], crate, env)) else 1


def go(src, work, data):
    gobin = find_tool("go", ["/usr/lib/go/bin/go", "/usr/local/go/bin/go"])
    if gobin is None:
        print("SKIP: no go on this machine; install Debian's `golang-go` to test the Go binding")
        return SKIP
    env = dict(os.environ, GOFLAGS="-mod=mod", GOCACHE=os.path.join(work, "go-cache"),
               GOPATH=os.path.join(work, "go-path"), GOPROXY="off", GO111MODULE="on", CGO_ENABLED="1",
               ATTN_TEST_DATA=data)
    run([gobin, "version"], src, env)
    if run([gobin, "test", "-count=1", "-v", "./..."], src, env).returncode != 0:
        return 1
    return 0 if example_ok(run([gobin, "run", "./examples/tiny_bert", data], src, env)) else 1


def main():
    lang, src, work, data = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    return {"rust": rust, "go": go}[lang](os.path.abspath(src), os.path.abspath(work), os.path.abspath(data))


if __name__ == "__main__":
    sys.exit(main())
