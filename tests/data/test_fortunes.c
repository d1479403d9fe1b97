/* The real fortunes task (Debian's `fortunes` package, installed by
 * scripts/setup.sh): the loader's examples, labels, splits and counters
 * against bench/reference/fortunes_data.py, an independent Python
 * implementation (tests/data/check_fortunes.py compares them and recounts
 * the entries its own way), and the split's determinism. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "case_file.h"
#include "test_common.h"

static const char *const task[] = {"computers", "politics", "science", "songs-poems"};

static void require_fortunes(void)
{
    char path[512];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", ATTN_DATASET_FORTUNES_DIR, task[i]);
        ck_assert_msg(access(path, R_OK) == 0, "%s is missing: install Debian's fortunes package (scripts/setup.sh)",
                      path);
    }
}

static attn_dataset *load_task(attn_ctx *ctx, int32_t strip, const char *const *cats)
{
    attn_dataset_opts o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.strip_attribution = strip;
    attn_dataset *ds = NULL;
    ATTN_ASSERT_OK(ctx, attn_dataset_load_fortunes(ctx, NULL, cats, cats ? 4 : 0, &o, &ds));
    return ds;
}

/* Dump: "#labels" and "#stats" lines, then split<TAB>label<TAB>text with
 * backslash, LF and TAB escaped. */
static void dump(const attn_dataset *ds, const char *path)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("#labels", f);
    for (int32_t l = 0; l < attn_dataset_num_labels(ds); l++) fprintf(f, "\t%s", attn_dataset_label_name(ds, l));
    fputs("\n#stats", f);
    for (int s = 0; s <= ATTN_DATASET_STAT_RECORDS; s++)
        fprintf(f, "\t%lld", (long long)attn_dataset_stat_get(ds, (attn_dataset_stat)s));
    fputc('\n', f);
    for (int64_t i = 0; i < attn_dataset_size(ds); i++) {
        fprintf(f, "%d\t%d\t", (int)attn_dataset_split(ds, i), (int)attn_dataset_label(ds, i));
        for (const char *p = attn_dataset_text(ds, i); *p; p++) {
            if (*p == '\\') fputs("\\\\", f);
            else if (*p == '\n') fputs("\\n", f);
            else if (*p == '\t') fputs("\\t", f);
            else fputc(*p, f);
        }
        fputc('\n', f);
    }
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(default_task_matches_the_python_reference_example_by_example)
{
    require_fortunes();
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char kept[512], stripped[512], args[1200];
    snprintf(kept, sizeof kept, "%s/kept.tsv", dir);
    snprintf(stripped, sizeof stripped, "%s/stripped.tsv", dir);
    attn_dataset *a = load_task(ctx, 0, NULL), *b = load_task(ctx, 1, NULL);
    dump(a, kept);
    dump(b, stripped);
    snprintf(args, sizeof args, "--kept '%s' --stripped '%s'", kept, stripped);
    attn_case_run_python("tests/data/check_fortunes.py", args);
    remove(kept);
    remove(stripped);
    rmdir(dir);
    attn_dataset_destroy(a);
    attn_dataset_destroy(b);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(split_and_order_do_not_depend_on_the_category_order_or_the_run)
{
    require_fortunes();
    attn_ctx *ctx = attn_test_ctx();
    const char *shuffled[] = {"songs-poems", "computers", "science", "politics"};
    attn_dataset *a = load_task(ctx, 0, NULL), *b = load_task(ctx, 0, shuffled), *c = load_task(ctx, 0, task);
    ck_assert_int_gt(attn_dataset_size(a), 3000);
    ck_assert_int_eq(attn_dataset_size(a), attn_dataset_size(b));
    ck_assert_int_eq(attn_dataset_size(a), attn_dataset_size(c));
    for (int32_t l = 0; l < 4; l++) ck_assert_str_eq(attn_dataset_label_name(b, l), task[l]);
    for (int64_t i = 0; i < attn_dataset_size(a); i++) {
        ck_assert_str_eq(attn_dataset_text(a, i), attn_dataset_text(b, i));
        ck_assert_str_eq(attn_dataset_text(a, i), attn_dataset_text(c, i));
        ck_assert_int_eq(attn_dataset_label(a, i), attn_dataset_label(b, i));
        ck_assert_int_eq(attn_dataset_split(a, i), attn_dataset_split(b, i));
        ck_assert_int_eq(attn_dataset_split(a, i), attn_dataset_split(c, i));
    }
    attn_dataset_destroy(a);
    attn_dataset_destroy(b);
    attn_dataset_destroy(c);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(stripping_attributions_keeps_every_example_in_its_split)
{
    require_fortunes();
    attn_ctx *ctx = attn_test_ctx();
    attn_dataset *kept = load_task(ctx, 0, NULL), *stripped = load_task(ctx, 1, NULL);
    /* on this task stripping makes no new duplicates, so the examples pair up */
    ck_assert_int_eq(attn_dataset_size(kept), attn_dataset_size(stripped));
    int64_t shorter = 0;
    for (int64_t i = 0; i < attn_dataset_size(kept); i++) {
        const char *a = attn_dataset_text(kept, i), *b = attn_dataset_text(stripped, i);
        ck_assert_int_eq(strncmp(a, b, strlen(b)), 0);
        shorter += strlen(b) < strlen(a);
        ck_assert_int_eq(attn_dataset_split(kept, i), attn_dataset_split(stripped, i));
    }
    /* the counter also covers the records dropped as duplicates */
    int64_t counted = attn_dataset_stat_get(stripped, ATTN_DATASET_STAT_ATTRIBUTIONS);
    int64_t dropped = attn_dataset_stat_get(stripped, ATTN_DATASET_STAT_CROSS_LABEL_DROPPED) +
                      attn_dataset_stat_get(stripped, ATTN_DATASET_STAT_DUPLICATES_DROPPED);
    ck_assert_int_gt(shorter, 1000);
    ck_assert_int_le(shorter, counted);
    ck_assert_int_ge(shorter, counted - dropped);
    for (int s = 0; s < 3; s++) ck_assert_int_eq(attn_dataset_count(kept, s, -1), attn_dataset_count(stripped, s, -1));
    attn_dataset_destroy(kept);
    attn_dataset_destroy(stripped);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("data_fortunes");
    TCase *tc = tcase_create("fortunes");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, default_task_matches_the_python_reference_example_by_example);
    tcase_add_test(tc, split_and_order_do_not_depend_on_the_category_order_or_the_run);
    tcase_add_test(tc, stripping_attributions_keeps_every_example_in_its_split);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
