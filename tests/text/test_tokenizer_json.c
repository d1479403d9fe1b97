/* tokenizer.json and model folders against the real libraries, live:
 * tests/text/tokenizer_json_ref.py builds tokenizers with `tokenizers`
 * (every BertNormalizer setting, Sequence normalizers, pre-tokenizers,
 * post-processors, added tokens with each flag, truncation), encodes hard
 * texts and Debian fortunes with them, with the real all-MiniLM-L6-v2
 * fast tokenizer and with transformers' BertTokenizer over vocab.txt
 * folders; every id and type id libattn gives must be theirs. Then the
 * refusals: unsupported types named, malformed files with a status. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case_file.h"
#include "io/json.h"
#include "test_common.h"

/* The reference files are read with the library's JSON reader (tested on
 * its own in tests/io): its arena keeps the 27 MB of references from
 * churning the heap, which meson's MALLOC_PERTURB_ makes very slow. */
typedef attn__json ref_value;

static char ref_dir[256]; /* made in main, filled by the first test */
static attn_ctx *json_ctx;  /* the references' own context, not counted by the tests */

static const ref_value *need(const ref_value *obj, const char *key)
{
    const ref_value *v = attn__json_object_get(obj, key);
    ck_assert_msg(v != NULL, "reference JSON lacks \"%s\"", key);
    return v;
}

static size_t count_of(const ref_value *v) { return attn__json_array_size(v); }
static const ref_value *item_at(const ref_value *v, size_t i) { return attn__json_array_at(v, i); }
static const char *str_of(const ref_value *v) { return attn__json_get_string(v, NULL); }
static int32_t int_of(const ref_value *v)
{
    int64_t x = 0;
    ck_assert_msg(attn__json_get_int64(v, &x), "reference JSON: not an integer");
    return (int32_t)x;
}

typedef struct ref_file {
    attn__json_doc *doc;
} ref_file;

static const ref_value *load_case(ref_file *f, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.json", ref_dir, name);
    if (!json_ctx) ck_assert_int_eq(attn_ctx_create(&json_ctx), ATTN_OK);
    attn__json_limits lim = {(size_t)1 << 30, 64, (size_t)1 << 28, 0};
    attn_status st = attn__json_parse_file(json_ctx, path, &lim, &f->doc);
    ck_assert_msg(st == ATTN_OK, "cannot read %s (did the reference script run?): %s", path, attn_ctx_last_error(json_ctx));
    return attn__json_root(f->doc);
}

static void ref_free(ref_file *f) { attn__json_free(f->doc); }

static const ref_value *load_index(ref_file *f)
{
    const ref_value *idx = load_case(f, "index");
    ck_assert_uint_gt(count_of(need(idx, "cases")), 40);
    return idx;
}

/* Encodes one item (a single or a pair) and compares with Hugging Face. */
static void check_item(attn_ctx *ctx, attn_tokenizer *tok, const ref_value *item, int32_t max_len, const char *label)
{
    const ref_value *err = attn__json_object_get(item, "error");
    const char *a_text = str_of(need(item, "a")), *pair = str_of(need(item, "b"));
    static int32_t ids[65536], types[65536];
    int32_t n = -1;
    attn_status st = attn_tokenizer_encode(tok, a_text, pair, max_len, ids, types, 65536, &n);
    if (err) {
        attn_status want = strcmp(str_of(err), "arg") == 0 ? ATTN_ERR_INVALID_ARG : ATTN_ERR_LIMIT;
        ck_assert_msg(st == want, "%s: \"%.80s\" + \"%.80s\": Hugging Face refuses to truncate, libattn gave %s", label,
                      a_text, pair ? pair : "", attn_status_str(st));
        return;
    }
    ck_assert_msg(st == ATTN_OK, "%s: encode(\"%.80s\") failed: %s", label, a_text, attn_ctx_last_error(ctx));
    const ref_value *want_ids = need(item, "ids"), *want_types = need(item, "types");
    ck_assert_msg((size_t)n == count_of(want_ids), "%s: \"%.80s\"%s%.80s: %d ids, Hugging Face has %zu", label, a_text,
                  pair ? " + " : "", pair ? pair : "", (int)n, count_of(want_ids));
    for (int32_t i = 0; i < n; i++) {
        const char *got = attn_tokenizer_id_to_token(tok, ids[i]);
        const char *want = attn_tokenizer_id_to_token(tok, int_of(item_at(want_ids, (size_t)i)));
        ck_assert_msg(ids[i] == int_of(item_at(want_ids, (size_t)i)),
                      "%s: \"%.80s\"%s%.80s: id %d is %d (%s), Hugging Face has %d (%s)", label, a_text,
                      pair ? " + " : "", pair ? pair : "", (int)i, (int)ids[i], got ? got : "?",
                      (int)int_of(item_at(want_ids, (size_t)i)), want ? want : "?");
        ck_assert_msg(types[i] == int_of(item_at(want_types, (size_t)i)), "%s: \"%.80s\": type id %d is %d, Hugging Face has %d",
                      label, a_text, (int)i, (int)types[i], (int)int_of(item_at(want_types, (size_t)i)));
    }
}

/* The same items through attn_tokenizer_encode_batch, eight at a time. */
static void check_batch(attn_ctx *ctx, attn_tokenizer *tok, const ref_value *items, int32_t max_len, const char *label)
{
    attn_batch *batch;
    ATTN_ASSERT_OK(ctx, attn_batch_create(ctx, &batch));
    for (size_t first = 0; first < count_of(items); first += 8) {
        const char *texts[8], *pairs[8];
        int32_t n = 0;
        for (size_t i = first; i < count_of(items) && n < 8; i++, n++) {
            texts[n] = str_of(need(item_at(items, i), "a"));
            pairs[n] = str_of(need(item_at(items, i), "b"));
        }
        ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, batch, texts, pairs, n, max_len, 0));
        attn_tensor *t_ids = attn_batch_tensor(batch, ATTN_BATCH_INPUT_IDS);
        attn_tensor *t_types = attn_batch_tensor(batch, ATTN_BATCH_TOKEN_TYPE_IDS);
        attn_tensor *t_mask = attn_batch_tensor(batch, ATTN_BATCH_ATTENTION_MASK);
        int64_t width = attn_tensor_dim(t_ids, 1);
        const int32_t *ids = attn_tensor_data(t_ids), *types = attn_tensor_data(t_types), *mask = attn_tensor_data(t_mask);
        for (int32_t r = 0; r < n; r++) {
            const ref_value *want_ids = need(item_at(items, first + (size_t)r), "ids");
            const ref_value *want_types = need(item_at(items, first + (size_t)r), "types");
            ck_assert_int_le((int64_t)count_of(want_ids), width);
            for (int64_t j = 0; j < width; j++) {
                int real = (size_t)j < count_of(want_ids);
                ck_assert_msg(mask[r * width + j] == real, "%s: batch row %d column %d: mask %d", label, (int)r, (int)j,
                              (int)mask[r * width + j]);
                if (!real) continue;
                ck_assert_msg(ids[r * width + j] == int_of(item_at(want_ids, (size_t)j)) &&
                                  types[r * width + j] == int_of(item_at(want_types, (size_t)j)),
                              "%s: batch row %d (\"%.60s\") column %d differs from Hugging Face", label, (int)r, texts[r],
                              (int)j);
            }
        }
    }
    attn_batch_destroy(batch);
}

static int starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static void assert_no_bytes_in_use(attn_ctx *ctx)
{
    int64_t in_use = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
}

/* ---- live references ------------------------------------------------------- */

START_TEST(the_reference_stack_writes_the_reference_encodings)
{
    char args[512];
    snprintf(args, sizeof args, "'%s'", ref_dir);
    attn_case_run_python("tests/text/tokenizer_json_ref.py", args);
    ref_file f;
    load_index(&f);
    ref_free(&f);
}
END_TEST

/* Every how-many-th item to check: 1, or ATTN_TEST_SWEEP_STRIDE (valgrind's
 * test setup sets 8: each item is a full pipeline run, many times slower there). */
static size_t item_stride(void)
{
    const char *v = getenv("ATTN_TEST_SWEEP_STRIDE");
    long s = v ? strtol(v, NULL, 10) : 1;
    return s > 1 ? (size_t)s : 1;
}

/* Checks every reference case whose name starts with prefix (or, with
 * prefix NULL, the tokenizers-built ones): the tokenizer from its
 * "tokenizer" file or "dir" folder, its max length, every item. */
static int check_cases(attn_ctx *ctx, const char *prefix)
{
    ref_file fi;
    const ref_value *cases = need(load_index(&fi), "cases");
    int checked = 0;
    for (size_t c = 0; c < count_of(cases); c++) {
        const char *name = str_of(item_at(cases, c));
        int built = !starts_with(name, "minilm") && !starts_with(name, "vocab_dir");
        if (prefix ? !starts_with(name, prefix) : !built) continue;
        ref_file f;
        const ref_value *cs = load_case(&f, name);
        attn_tokenizer *tok = NULL;
        const ref_value *file = attn__json_object_get(cs, "tokenizer");
        if (file) ATTN_ASSERT_OK(ctx, attn_tokenizer_load_json(ctx, str_of(file), &tok));
        else ATTN_ASSERT_OK(ctx, attn_tokenizer_load_dir(ctx, str_of(need(cs, "dir")), &tok));
        int32_t max_len = int_of(need(cs, "max_len"));
        ck_assert_int_eq(attn_tokenizer_max_length(tok), max_len); /* the file's truncation or model_max_length */
        const ref_value *items = need(cs, "items");
        ck_assert_uint_gt(count_of(items), 10);
        for (size_t i = 0; i < count_of(items); i += item_stride()) check_item(ctx, tok, item_at(items, i), max_len, name);
        attn_tokenizer_destroy(tok);
        ref_free(&f);
        checked++;
    }
    ref_free(&fi);
    return checked;
}

START_TEST(tokenizers_own_files_give_hugging_faces_ids_and_type_ids)
{
    attn_ctx *ctx = attn_test_ctx();
    ck_assert_int_ge(check_cases(ctx, NULL), 40);
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(all_minilm_tokenizer_json_matches_the_fast_tokenizer_on_fortunes)
{
    attn_ctx *ctx = attn_test_ctx();
    static const char *const names[] = {"minilm_fortunes", "minilm_fortune_pairs_64"};
    for (int k = 0; k < 2; k++) {
        ref_file f;
        const ref_value *cs = load_case(&f, names[k]);
        attn_tokenizer *tok = NULL;
        ATTN_ASSERT_OK(ctx, attn_tokenizer_load_json(ctx, str_of(need(cs, "tokenizer")), &tok));
        ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 30522);
        ck_assert_int_eq(attn_tokenizer_max_length(tok), 128); /* its truncation section */
        int32_t max_len = int_of(need(cs, "max_len"));
        const ref_value *items = need(cs, "items");
        ck_assert_uint_ge(count_of(items), 500);
        for (size_t i = 0; i < count_of(items); i += item_stride()) check_item(ctx, tok, item_at(items, i), max_len, names[k]);
        check_batch(ctx, tok, items, max_len, names[k]);
        attn_tokenizer_destroy(tok);
        ref_free(&f);
    }
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(all_minilm_folder_loads_its_tokenizer_json_and_model_max_length)
{
    attn_ctx *ctx = attn_test_ctx();
    ref_file f;
    const ref_value *cs = load_case(&f, "minilm_dir_fortunes_128");
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_dir(ctx, str_of(need(cs, "dir")), &tok));
    ck_assert_int_eq(attn_tokenizer_max_length(tok), 512); /* tokenizer_config.json's, over the file's 128 */
    const ref_value *items = need(cs, "items");
    ck_assert_uint_gt(count_of(items), 300);
    for (size_t i = 0; i < count_of(items); i += item_stride()) check_item(ctx, tok, item_at(items, i), 128, "minilm folder");
    check_batch(ctx, tok, items, 128, "minilm folder");
    attn_tokenizer_destroy(tok);
    ref_free(&f);
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(vocab_txt_folders_match_transformers_bert_tokenizer)
{
    attn_ctx *ctx = attn_test_ctx();
    ck_assert_int_eq(check_cases(ctx, "vocab_dir"), 4);
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

static attn_status load_text(attn_ctx *ctx, const char *json, attn_tokenizer **tok)
{
    return attn_tokenizer_load_json_buffer(ctx, json, strlen(json), tok);
}

#define WP_MODEL "\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\", " \
                 "\"max_input_chars_per_word\": 100, \"vocab\": {\"[UNK]\": 0, \"[CLS]\": 1, \"[SEP]\": 2, \"a\": 3, \"##b\": 4}}"

START_TEST(unsupported_types_are_refused_by_name)
{
    attn_ctx *ctx = attn_test_ctx();
    static const struct { const char *json, *name; } cases[] = {
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}", "BPE"},
        {"{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}", "Unigram"},
        {"{\"normalizer\": {\"type\": \"Precompiled\"}, " WP_MODEL "}", "Precompiled"},
        {"{\"normalizer\": {\"type\": \"Replace\", \"pattern\": {\"Regex\": \"a+\"}, \"content\": \"b\"}, " WP_MODEL "}", "Regex"},
        {"{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, " WP_MODEL "}", "ByteLevel"},
        {"{\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Metaspace\"}]}, " WP_MODEL "}", "Metaspace"},
        {"{\"post_processor\": {\"type\": \"RobertaProcessing\"}, " WP_MODEL "}", "RobertaProcessing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        attn_tokenizer *tok = (attn_tokenizer *)1;
        ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, load_text(ctx, cases[i].json, &tok));
        ck_assert_ptr_null(tok);
        ck_assert_msg(strstr(attn_ctx_last_error(ctx), cases[i].name), "message \"%s\" does not name %s",
                      attn_ctx_last_error(ctx), cases[i].name);
    }
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(malformed_files_fail_with_a_status_and_the_offset)
{
    attn_ctx *ctx = attn_test_ctx();
    static const struct { const char *json; attn_status st; const char *says; } cases[] = {
        {"", ATTN_ERR_FORMAT, "offset"},
        {"[]", ATTN_ERR_FORMAT, "not an object"},
        {"{}", ATTN_ERR_FORMAT, "model"},
        {"{\"version\": \"2.0\", " WP_MODEL "}", ATTN_ERR_UNSUPPORTED, "version"},
        {"{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}", ATTN_ERR_FORMAT, "unk_token"},
        {"{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\", "
         "\"vocab\": {\"a\": 1, \"b\": 1}}}", ATTN_ERR_FORMAT, "share the id"},
        {"{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\", "
         "\"vocab\": {\"a\": 900000000}}}", ATTN_ERR_FORMAT, "900000000"},
        {"{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\", "
         "\"vocab\": {\"a\": -1}}}", ATTN_ERR_FORMAT, "-1"},
        {"{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\", "
         "\"max_input_chars_per_word\": 1e9, \"vocab\": {\"a\": 0}}}", ATTN_ERR_FORMAT, "max_input_chars_per_word"},
        {"{\"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"[X]\", "
         "\"type_id\": 0}}], \"pair\": [], \"special_tokens\": {}}, " WP_MODEL "}", ATTN_ERR_FORMAT, "[X]"},
        {"{\"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"Sequence\": {\"id\": \"B\", "
         "\"type_id\": 0}}], \"pair\": [], \"special_tokens\": {}}, " WP_MODEL "}", ATTN_ERR_FORMAT, "sequence B"},
        {"{\"added_tokens\": [{\"content\": 5}], " WP_MODEL "}", ATTN_ERR_FORMAT, "content"},
        {"{\"added_tokens\": [{\"content\": \"x\", \"lstrip\": \"yes\"}], " WP_MODEL "}", ATTN_ERR_FORMAT, "lstrip"},
        {"{\"truncation\": {\"max_length\": -3, \"strategy\": \"LongestFirst\"}, " WP_MODEL "}", ATTN_ERR_FORMAT, "max_length"},
        {"{\"truncation\": {\"max_length\": 8, \"strategy\": \"Sideways\"}, " WP_MODEL "}", ATTN_ERR_FORMAT, "strategy"},
        {"{\"padding\": {\"direction\": \"Up\"}, " WP_MODEL "}", ATTN_ERR_FORMAT, "direction"},
        {"{\"normalizer\": {\"type\": \"Replace\", \"pattern\": {\"String\": \"\"}, \"content\": \"b\"}, " WP_MODEL "}",
         ATTN_ERR_FORMAT, "empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        attn_tokenizer *tok = (attn_tokenizer *)1;
        attn_status st = load_text(ctx, cases[i].json, &tok);
        ck_assert_msg(st == cases[i].st, "case %zu: %s, expected %s (%s)", i, attn_status_str(st),
                      attn_status_str(cases[i].st), attn_ctx_last_error(ctx));
        ck_assert_ptr_null(tok);
        ck_assert_msg(strstr(attn_ctx_last_error(ctx), cases[i].says), "case %zu: message \"%s\" lacks \"%s\"", i,
                      attn_ctx_last_error(ctx), cases[i].says);
    }
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_minimal_file_encodes_and_its_accessors_answer)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_OK(ctx, load_text(ctx, "{" WP_MODEL ", \"added_tokens\": [{\"content\": \"<x>\", \"special\": true}]}", &tok));
    ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 6); /* <x> gets the next free id */
    ck_assert_str_eq(attn_tokenizer_id_to_token(tok, 5), "<x>");
    int32_t id = -1;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_token_to_id(tok, "<x>", &id));
    ck_assert_int_eq(id, 5);
    ck_assert_int_eq(attn_tokenizer_max_length(tok), 0);
    int32_t ids[16], types[16], n = -1;
    /* no normalizer, pre-tokenizer or post-processor: the text is one word */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, "ab<x>a", "c", 0, ids, types, 16, &n));
    ck_assert_int_eq(n, 5);
    int32_t want[5] = {3, 4, 5, 3, 0}, want_types[5] = {0, 0, 0, 0, 1};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(ids[i], want[i]);
        ck_assert_int_eq(types[i], want_types[i]);
    }
    attn_tokenizer_destroy(tok);
    ck_assert_int_eq(attn_tokenizer_max_length(NULL), 0);
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(a_folder_without_a_tokenizer_or_with_a_fifo_fails_without_hanging)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    attn_tokenizer *tok = (attn_tokenizer *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_tokenizer_load_dir(ctx, dir, &tok));
    ck_assert_ptr_null(tok);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "vocab.txt"));
    char path[512];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_tokenizer_load_dir(ctx, dir, &tok));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "regular file"));
    unlink(path);
    write_text(dir, "tokenizer_config.json", "{\"do_lower_case\": \"yes\"}");
    write_text(dir, "vocab.txt", "[UNK]\n[CLS]\n[SEP]\na\n");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_tokenizer_load_dir(ctx, dir, &tok));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "do_lower_case"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load_dir(ctx, NULL, &tok));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load_json(ctx, NULL, &tok));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_tokenizer_load_json(ctx, "/nonexistent/tokenizer.json", &tok));
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(sentence_transformers_do_lower_case_lowercases_the_input)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    /* "οδος" and "σας" end with a final sigma, as Python's str.lower() writes them */
    write_text(dir, "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nHello\n\xce\xbf\xce\xb4\xce\xbf\xcf\x82\n"
                                 "\xcf\x83\xce\xb1\xcf\x82\n");
    write_text(dir, "tokenizer_config.json", "{\"do_lower_case\": false}");
    attn_tokenizer *tok = NULL;
    int32_t ids[8], n = -1;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_dir(ctx, dir, &tok));
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "Hello", ids, 8, &n));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(ids[0], 5); /* cased */
    attn_tokenizer_destroy(tok);
    write_text(dir, "sentence_bert_config.json", "{\"max_seq_length\": 128, \"do_lower_case\": true}");
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_dir(ctx, dir, &tok));
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "Hello [CLS]", ids, 8, &n));
    ck_assert_int_eq(n, 4); /* "hello", then "[cls]" is no longer the special token: [ cls ] -> [UNK]... */
    ck_assert_int_eq(ids[0], 4);
    /* "ΟΔΟΣ ΣΑΣ": the last sigma of each word becomes the final form */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "\xce\x9f\xce\x94\xce\x9f\xce\xa3 \xce\xa3\xce\x91\xce\xa3", ids, 8, &n));
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(ids[0], 6);
    ck_assert_int_eq(ids[1], 7);
    attn_tokenizer_destroy(tok);
    assert_no_bytes_in_use(ctx);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    const char *tmp = attn_test_tmpdir();
    snprintf(ref_dir, sizeof ref_dir, "%s", tmp);
    Suite *s = suite_create("tokenizer_json");
    TCase *live = tcase_create("live");
    tcase_set_timeout(live, 600);
    tcase_add_test(live, the_reference_stack_writes_the_reference_encodings);
    tcase_add_test(live, tokenizers_own_files_give_hugging_faces_ids_and_type_ids);
    tcase_add_test(live, all_minilm_tokenizer_json_matches_the_fast_tokenizer_on_fortunes);
    tcase_add_test(live, all_minilm_folder_loads_its_tokenizer_json_and_model_max_length);
    tcase_add_test(live, vocab_txt_folders_match_transformers_bert_tokenizer);
    suite_add_tcase(s, live);
    TCase *bad = tcase_create("refusals");
    tcase_add_test(bad, unsupported_types_are_refused_by_name);
    tcase_add_test(bad, malformed_files_fail_with_a_status_and_the_offset);
    tcase_add_test(bad, a_minimal_file_encodes_and_its_accessors_answer);
    tcase_add_test(bad, a_folder_without_a_tokenizer_or_with_a_fifo_fails_without_hanging);
    tcase_add_test(bad, sentence_transformers_do_lower_case_lowercases_the_input);
    suite_add_tcase(s, bad);
    return attn_test_run(s);
}
