/* Size limits of the config.json loader (the other loaders' limits are
 * tested by their areas: tests/io, tests/text, tests/data): a config that
 * is too big, too deep or has too many values is refused with
 * ATTN_ERR_LIMIT and a message, before anything large is allocated; sizes
 * a model cannot be built with are refused by validation, not by an
 * overflow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_common.h"

static const char *write_config(const char *dir, const char *text, size_t len)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static void refuse(attn_ctx *ctx, const char *dir, const char *text, size_t len, attn_status want, const char *words)
{
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    attn_bert_config before = cfg;
    ATTN_ASSERT_FAILS(ctx, want, attn_bert_config_load(ctx, write_config(dir, text, len), &cfg));
    ck_assert_msg(strstr(attn_ctx_last_error(ctx), words) != NULL, "message \"%s\" lacks \"%s\"",
                  attn_ctx_last_error(ctx), words);
    ck_assert_msg(memcmp(&cfg, &before, sizeof cfg) == 0, "a refused config changed the caller's struct");
    int64_t in_use = -1, peak = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_PEAK_BYTES, &peak));
    ck_assert_int_eq(in_use, 0);
    ck_assert_int_lt(peak, 64 << 20); /* a refusal never costs more than a few buffers */
}

START_TEST(a_config_beyond_the_loader_limits_is_refused)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();

    /* more than 1 MiB: a config.json is a few hundred bytes */
    size_t n = (1u << 20) + 16;
    char *big = malloc(n);
    ck_assert_ptr_nonnull(big);
    memset(big, ' ', n);
    memcpy(big, "{\"vocab_size\": 100", 18);
    big[n - 1] = '}';
    refuse(ctx, dir, big, n, ATTN_ERR_LIMIT, "config.json");
    free(big);

    /* nesting deeper than 16 */
    char deep[128] = "{\"x\":";
    for (int i = 0; i < 20; i++) strcat(deep, "[");
    for (int i = 0; i < 20; i++) strcat(deep, "]");
    strcat(deep, "}");
    refuse(ctx, dir, deep, strlen(deep), ATTN_ERR_LIMIT, "config.json");

    /* more than 65536 values, in well under 1 MiB */
    size_t cap = 300000, len = 0;
    char *many = malloc(cap);
    ck_assert_ptr_nonnull(many);
    len += (size_t)snprintf(many, cap, "{\"x\":[");
    for (int i = 0; i < 70000; i++) len += (size_t)snprintf(many + len, cap - len, i ? ",0" : "0");
    len += (size_t)snprintf(many + len, cap - len, "]}");
    refuse(ctx, dir, many, len, ATTN_ERR_LIMIT, "config.json");
    free(many);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(sizes_no_model_can_have_are_refused_by_validation)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    static const char *const bad[] = {
        "{\"vocab_size\": 0}",
        "{\"hidden_size\": -64}",
        "{\"num_hidden_layers\": 2147483648}",          /* beyond int32 */
        "{\"hidden_size\": 64, \"num_attention_heads\": 5}", /* heads do not divide hidden */
        "{\"max_position_embeddings\": -1}",
        "{\"layer_norm_eps\": -1e-12}",
        "{\"hidden_dropout_prob\": 1.5}",
        "{\"vocab_size\": 1e400}",                       /* beyond double */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        attn_bert_config cfg;
        attn_bert_config_init(&cfg);
        attn_status st = attn_bert_config_load(ctx, write_config(dir, bad[i], strlen(bad[i])), &cfg);
        ck_assert_msg(st == ATTN_ERR_FORMAT || st == ATTN_ERR_LIMIT, "%s: %s (%s)", bad[i], attn_status_str(st),
                      attn_ctx_last_error(ctx));
        ck_assert_msg(attn_ctx_last_error(ctx)[0] != '\0', "%s: no message", bad[i]);
    }
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, a_config_beyond_the_loader_limits_is_refused);
    tcase_add_test(tc, sizes_no_model_can_have_are_refused_by_validation);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
