"""Shared test set-up: the package path, the reference data directory."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
sys.path.insert(0, PACKAGE_ROOT)

# tests/meson.build exports ATTN_TEST_DATA; by hand, the data sits next to the repo
DATA = os.environ.get("ATTN_TEST_DATA") or os.path.join(PACKAGE_ROOT, "..", "..", "tests", "data")
VOCAB = os.path.join(DATA, "bert-base-uncased", "vocab.txt")
TOKENS_JSON = os.path.join(DATA, "bert-base-uncased", "tokens.json")
TINY = os.path.join(DATA, "hf-bert-tiny")
TINY_WEIGHTS = os.path.join(TINY, "tiny_a.safetensors")
TINY_CONFIG = os.path.join(TINY, "tiny_a.config.json")
TINY_EXPECTED = os.path.join(TINY, "tiny_a.expected.safetensors")
