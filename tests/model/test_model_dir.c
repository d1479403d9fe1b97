/* Model folders and the text-level calls, beyond the live parity of
 * tests/parity/hf_models.py: what each file of a folder changes, every
 * refusal with its status, the embed / score options, and the size checks
 * that run before anything is allocated. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_common.h"

static const char *vocab_words[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on",
                                    "mat",   "a",     "dog",   "ran",   "##s",    ".",    ",",   "hello", "world"};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static attn_bert_config tiny(void)
{
    attn_bert_config c;
    attn_bert_config_init(&c);
    c.vocab_size = 32;
    c.hidden_size = 8;
    c.num_layers = 1;
    c.num_heads = 2;
    c.intermediate_size = 16;
    c.max_position_embeddings = 24;
    c.num_labels = 0;
    c.initializer_range = 0.5f;
    return c;
}

/* A Hugging Face folder: config.json, model.safetensors, vocab.txt. */
static const char *make_folder(attn_ctx *ctx, const attn_bert_config *c)
{
    const char *dir = attn_test_tmpdir();
    char path[4096];
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, c, &m));
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    ATTN_ASSERT_OK(ctx, attn_model_save(m, path));
    snprintf(path, sizeof path, "%s/config.json", dir);
    ATTN_ASSERT_OK(ctx, attn_bert_config_save(ctx, c, NULL, path));
    attn_model_destroy(m);
    char vocab[512] = "";
    for (size_t i = 0; i < sizeof vocab_words / sizeof vocab_words[0]; i++) {
        strcat(vocab, vocab_words[i]);
        strcat(vocab, "\n");
    }
    write_file(dir, "vocab.txt", vocab);
    return dir;
}

static const char *texts[] = {"the cat sat on the mat.", "a dog", "hello , world", "the dogs ran on a mat , the cat sat"};

START_TEST(sentence_transformers_folder_embeds)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_bert_config c = tiny();
    const char *dir = make_folder(ctx, &c);
    write_file(dir, "modules.json",
               "[{\"idx\": 0, \"name\": \"0\", \"path\": \"\", \"type\": \"sentence_transformers.models.Transformer\"},"
               " {\"idx\": 1, \"name\": \"1\", \"path\": \"1_Pooling\", \"type\": \"sentence_transformers.models.Pooling\"},"
               " {\"idx\": 2, \"name\": \"2\", \"path\": \"2_Normalize\", \"type\": \"sentence_transformers.models.Normalize\"}]");
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/1_Pooling", dir);
    mkdir(sub, 0755);
    write_file(sub, "config.json", "{\"word_embedding_dimension\": 8, \"pooling_mode_mean_tokens\": false, "
                                   "\"pooling_mode_max_tokens\": true}");
    write_file(dir, "sentence_bert_config.json", "{\"max_seq_length\": 6, \"do_lower_case\": false}");
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_model_load_dir(ctx, dir, NULL, &m));
    int64_t v;
    ATTN_ASSERT_OK(ctx, attn_model_get_int(m, ATTN_MODEL_OPT_POOLING, &v));
    ck_assert_int_eq(v, ATTN_POOL_MAX);
    ATTN_ASSERT_OK(ctx, attn_model_get_int(m, ATTN_MODEL_OPT_NORMALIZE, &v));
    ck_assert_int_eq(v, 1);
    ATTN_ASSERT_OK(ctx, attn_model_get_int(m, ATTN_MODEL_OPT_MAX_LENGTH, &v));
    ck_assert_int_eq(v, 6);
    ck_assert_ptr_nonnull(strstr(attn_model_load_notes(m), "BERT's pooler"));
    ck_assert_ptr_nonnull(attn_model_tokenizer(m));
    ck_assert_int_eq(attn_model_embedding_dim(m), 8);
    float all[4 * 8], one[8];
    ATTN_ASSERT_OK(ctx, attn_model_set_int(m, ATTN_MODEL_OPT_BATCH_SIZE, 3));
    ATTN_ASSERT_OK(ctx, attn_model_embed(m, texts, 4, all, 32));
    for (int i = 0; i < 4; i++) {
        double norm = 0.0;
        for (int j = 0; j < 8; j++) norm += (double)all[i * 8 + j] * all[i * 8 + j];
        ck_assert_msg(fabs(norm - 1.0) < 1e-5, "text %d: norm^2 %g", i, norm);
        /* the same bits alone as in a batch, in the caller's order */
        ATTN_ASSERT_OK(ctx, attn_model_embed(m, &texts[i], 1, one, 8));
        ck_assert_int_eq(memcmp(one, all + i * 8, sizeof one), 0);
    }
    /* the context's setting is left as it was */
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_OPT_BATCH_INVARIANT, &v));
    ck_assert_int_eq(v, 0);
    /* zero texts is nothing to do */
    ATTN_ASSERT_OK(ctx, attn_model_embed(m, texts, 0, one, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_model_embed(m, texts, 4, all, 31));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_score_pairs(m, texts, texts, 1, one, 8));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_set_int(m, ATTN_MODEL_OPT_MAX_LENGTH, 25));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_set_int(m, ATTN_MODEL_OPT_BATCH_SIZE, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_set_int(m, ATTN_MODEL_OPT_POOLING, ATTN_POOL_CLS_DENSE));
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(folder_errors_say_what_is_wrong)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_bert_config c = tiny();
    attn_model *m = NULL;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_model_load_dir(ctx, "/nonexistent/folder", NULL, &m));
    ck_assert_ptr_null(m);
    const char *empty = attn_test_tmpdir();
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_model_load_dir(ctx, empty, NULL, &m));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "config.json"));

    /* a pickle checkpoint only: refused with how to convert it */
    const char *dir = make_folder(ctx, &c);
    char path[4096], bin[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    snprintf(bin, sizeof bin, "%s/pytorch_model.bin", dir);
    ck_assert_int_eq(rename(path, bin), 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_model_load_dir(ctx, dir, NULL, &m));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "safe_serialization=True"));

    dir = make_folder(ctx, &c);
    write_file(dir, "modules.json", "[{\"path\": \"\", \"type\": \"sentence_transformers.models.Transformer\"},"
                                    " {\"path\": \"x\", \"type\": \"sentence_transformers.models.LSTM\"}]");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_model_load_dir(ctx, dir, NULL, &m));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "LSTM"));
    write_file(dir, "modules.json", "[{\"path\": \"../elsewhere\", \"type\": \"sentence_transformers.models.Transformer\"}]");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_model_load_dir(ctx, dir, NULL, &m));
    write_file(dir, "modules.json", "[{\"path\": \"\", \"type\": \"sentence_transformers.models.Transformer\"},"
                                    " {\"path\": \"p\", \"type\": \"sentence_transformers.models.Pooling\"}]");
    snprintf(path, sizeof path, "%s/p", dir);
    mkdir(path, 0755);
    write_file(path, "config.json", "{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": true}");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_model_load_dir(ctx, dir, NULL, &m));
    write_file(path, "config.json", "{\"pooling_mode\": \"attention\"}");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_model_load_dir(ctx, dir, NULL, &m));
    write_file(path, "config.json", "{\"pooling_mode\": [\"lasttoken\"]}");
    ATTN_ASSERT_OK(ctx, attn_model_load_dir(ctx, dir, NULL, &m));
    ck_assert_int_eq(attn_model_config(m)->pooling, ATTN_POOL_LAST_TOKEN);
    attn_model_destroy(m);

    /* options: a new head of 4 labels starts from the initialiser, noted */
    attn_model_load_opts o;
    attn_model_load_opts_init(&o);
    o.num_labels = 4;
    o.pooling = ATTN_POOL_MEAN;
    ATTN_ASSERT_OK(ctx, attn_model_load_dir(ctx, dir, &o, &m));
    ck_assert_int_eq(attn_model_config(m)->num_labels, 4);
    ck_assert_int_eq(attn_model_config(m)->pooling, ATTN_POOL_MEAN);
    ck_assert_ptr_nonnull(strstr(attn_model_load_notes(m), "initialised: classifier.*"));
    ck_assert_float_eq(attn_model_config(m)->hidden_dropout, 0.1f); /* the config's */
    attn_model_destroy(m);
    /* another dropout for fine-tuning: every dropout of the model */
    o.dropout = 0.25f;
    ATTN_ASSERT_OK(ctx, attn_model_load_dir(ctx, dir, &o, &m));
    ck_assert_float_eq(attn_model_config(m)->hidden_dropout, 0.25f);
    ck_assert_float_eq(attn_model_config(m)->attention_dropout, 0.25f);
    ck_assert_float_eq(attn_model_config(m)->classifier_dropout, 0.25f);
    attn_model_destroy(m);
    o.dropout = 1.0f;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_load_dir(ctx, dir, &o, &m));
    o.dropout = -1.0f;
    o.pooling = 42;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_load_dir(ctx, dir, &o, &m));
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(the_architecture_decides_the_head)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    attn_bert_config c;
    write_file(dir, "config.json",
               "{\"architectures\": [\"BertModel\"], \"model_type\": \"bert\", \"vocab_size\": 32, "
               "\"hidden_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 16, "
               "\"id2label\": {\"0\": \"LABEL_0\", \"1\": \"LABEL_1\"}}");
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    attn_bert_config_init(&c);
    ATTN_ASSERT_OK(ctx, attn_bert_config_load(ctx, path, &c));
    ck_assert_int_eq(c.num_labels, 0);
    ck_assert_int_eq(c.pooling, ATTN_POOL_CLS_DENSE);
    write_file(dir, "config.json", "{\"architectures\": [\"BertForMaskedLM\"], \"vocab_size\": 32, \"hidden_size\": 8, "
                                   "\"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 16}");
    attn_bert_config_init(&c);
    ATTN_ASSERT_OK(ctx, attn_bert_config_load(ctx, path, &c));
    ck_assert_int_eq(c.num_labels, 0);
    ck_assert_int_eq(c.pooling, ATTN_POOL_CLS); /* BertForMaskedLM has no pooler */
    write_file(dir, "config.json", "{\"architectures\": [\"GPT2LMHeadModel\"]}");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_bert_config_load(ctx, path, &c));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "GPT2LMHeadModel"));
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_tokenizer_given_by_hand_serves_embed)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_bert_config c = tiny();
    c.pooling = ATTN_POOL_MEAN;
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    float out[8];
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_embed(m, texts, 1, out, 8));
    const char *dir = make_folder(ctx, &c);
    char vocab[4096];
    snprintf(vocab, sizeof vocab, "%s/vocab.txt", dir);
    attn_tokenizer *tok;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load(ctx, vocab, ATTN_TOKENIZER_LOWERCASE, &tok));
    ATTN_ASSERT_OK(ctx, attn_model_set_tokenizer(m, tok));
    ck_assert_ptr_eq(attn_model_tokenizer(m), tok);
    ATTN_ASSERT_OK(ctx, attn_model_embed(m, texts, 1, out, 8));
    /* the model's own forward and mean pooling give the same vector */
    int32_t ids[16], n;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, texts[0], NULL, 24, ids, NULL, 16, &n));
    int64_t shape[2] = {1, n};
    attn_tensor *t;
    ATTN_ASSERT_OK(ctx, attn_tensor_wrap(ctx, ATTN_I32, 2, shape, ids, &t));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, t, NULL, NULL));
    const float *pooled = attn_tensor_data_f32(attn_model_output(m, ATTN_OUT_POOLED));
    for (int j = 0; j < 8; j++) ck_assert_float_eq_tol(out[j], pooled[j], 1e-6f);
    attn_tensor_destroy(t);
    ATTN_ASSERT_OK(ctx, attn_model_set_tokenizer(m, NULL));
    ck_assert_ptr_null(attn_model_tokenizer(m));
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(sizes_are_checked_before_allocating)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_bert_config c = tiny();
    attn_model *m;
    /* the count equals what the builder makes */
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    int64_t total = 0;
    for (int32_t i = 0; i < attn_model_param_count(m); i++) {
        attn_tensor *v;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, &v, NULL));
        total += attn_tensor_numel(v);
    }
    ck_assert_int_eq(attn_bert_config_param_count(&c), total);
    attn_model_destroy(m);
    /* a 38 GB model under a 1 GB limit: refused, with its size, before any allocation */
    attn_bert_config big = tiny();
    big.vocab_size = 250000;
    big.hidden_size = 4096;
    big.num_heads = 32;
    big.intermediate_size = 16384;
    big.num_layers = 40;
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 1 << 30));
    int64_t count_before;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &count_before));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOMEM, attn_bert_create(ctx, &big, &m));
    int64_t count_after;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &count_after));
    ck_assert_int_eq(count_after, count_before);
    ck_assert_msg(strstr(attn_ctx_last_error(ctx), "MB") != NULL, "%s", attn_ctx_last_error(ctx));
    ck_assert_int_gt(attn_bert_config_param_count(&big), (int64_t)8 << 30);
    /* layer counts that would overflow a parameter table are refused by the limits */
    big = tiny();
    big.num_layers = 1 << 27;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_bert_create(ctx, &big, &m));
    ck_assert_int_eq(attn_bert_config_param_count(&big), -1);
    big.num_layers = ATTN_BERT_MAX_LAYERS;
    ck_assert_int_gt(attn_bert_config_param_count(&big), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_dir");
    TCase *tc = tcase_create("model_dir");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sentence_transformers_folder_embeds);
    tcase_add_test(tc, folder_errors_say_what_is_wrong);
    tcase_add_test(tc, the_architecture_decides_the_head);
    tcase_add_test(tc, a_tokenizer_given_by_hand_serves_embed);
    tcase_add_test(tc, sizes_are_checked_before_allocating);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
