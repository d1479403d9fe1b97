/* Saving safetensors: a save that fails midway (a real write error from a
 * file size limit, a rename onto a directory, a missing directory) leaves
 * the old file intact and no temporary behind; files written here load in
 * PyTorch with their Hugging Face names, and files PyTorch wrote (half,
 * bfloat16, double, small ints) read here to the values torch converts them
 * to. The PyTorch side is tests/io/safetensors_torch.py. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case_file.h"
#include "st_fixture.h"

/* Number of entries in dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static attn_tensor *filled(attn_ctx *ctx, int32_t rank, const int64_t *shape, float value)
{
    attn_tensor *t;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, rank, shape, &t));
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(t, value));
    return t;
}

static void save_one(attn_ctx *ctx, const char *path, const char *name, attn_tensor *t)
{
    attn_safetensors_writer *w;
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_create(ctx, &w));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, name, t));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_save(w, path));
    attn_safetensors_writer_destroy(w);
}

/* The file at path holds tensor name with every element equal to value. */
static void assert_holds(attn_ctx *ctx, const char *path, const char *name, float value)
{
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, path, &st));
    attn_tensor *t;
    ATTN_ASSERT_OK(ctx, attn_safetensors_load(st, name, ATTN_F32, &t));
    for (int64_t i = 0; i < attn_tensor_numel(t); i++) ck_assert_float_eq(attn_tensor_data_f32(t)[i], value);
    attn_tensor_destroy(t);
    attn_safetensors_close(st);
}

static unsigned mode_of(const char *path)
{
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    return (unsigned)(sb.st_mode & 07777);
}

/* issue 13: every save got mode 0644, whatever the umask or the mode of
 * the file it replaced */
START_TEST(a_save_respects_the_umask_and_keeps_a_replaced_files_mode)
{
    attn_ctx *ctx = attn_test_ctx();
    char path[512];
    snprintf(path, sizeof path, "%s/mode.safetensors", attn_test_tmpdir());
    unlink(path);
    int64_t shape[1] = {3};
    attn_tensor *t = filled(ctx, 1, shape, 1.0f);
    mode_t old_mask = umask(027); /* the test's own process: a private umask is fine here */
    save_one(ctx, path, "w", t);
    ck_assert_uint_eq(mode_of(path), 0640); /* 0666 & ~027 */
    umask(077);
    save_one(ctx, path, "w", t);
    ck_assert_uint_eq(mode_of(path), 0640); /* replaced: its mode stays */
    ck_assert_int_eq(chmod(path, 0604), 0);
    save_one(ctx, path, "w", t);
    ck_assert_uint_eq(mode_of(path), 0604);
    unlink(path);
    save_one(ctx, path, "w", t);
    ck_assert_uint_eq(mode_of(path), 0600); /* new again: the umask 077 */
    umask(old_mask);
    assert_holds(ctx, path, "w", 1.0f);
    unlink(path);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_write_error_midway_leaves_the_old_file_intact)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    int64_t small[1] = {16}, big[2] = {256, 256};
    attn_tensor *old = filled(ctx, 1, small, 1.0f), *neu = filled(ctx, 2, big, 2.0f);
    save_one(ctx, path, "w", old);
    /* the kernel refuses writes past 64 KiB: the new file (256 KiB) fails
     * halfway through its data */
    struct rlimit saved, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = saved;
    lim.rlim_cur = 65536;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    attn_safetensors_writer *w;
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_create(ctx, &w));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "w", neu));
    attn_status st = attn_safetensors_writer_save(w, path);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, prev);
    ck_assert_msg(st == ATTN_ERR_IO, "save gave %s: %s", attn_status_str(st), attn_ctx_last_error(ctx));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), path));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "File too large"));
    /* the old file is whole and the temporary is gone */
    assert_holds(ctx, path, "w", 1.0f);
    ck_assert_int_eq(count_entries(dir), 1);
    /* with the limit lifted the same writer succeeds */
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_save(w, path));
    assert_holds(ctx, path, "w", 2.0f);
    ck_assert_int_eq(count_entries(dir), 1);
    attn_safetensors_writer_destroy(w);
    attn_tensor_destroy(old);
    attn_tensor_destroy(neu);
    remove(path);
    remove(dir);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_failed_rename_or_missing_directory_leaves_nothing_behind)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char target[512], inner[600], missing[512];
    /* the target is a non-empty directory: rename fails at the last step */
    snprintf(target, sizeof target, "%s/model.safetensors", dir);
    ck_assert_int_eq(mkdir(target, 0755), 0);
    snprintf(inner, sizeof inner, "%s/keep", target);
    st_write_file(inner, "x", 1);
    int64_t s[1] = {4};
    attn_tensor *t = filled(ctx, 1, s, 3.0f);
    attn_safetensors_writer *w;
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_create(ctx, &w));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "t", t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_safetensors_writer_save(w, target));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), target));
    ck_assert_int_eq(count_entries(dir), 1);    /* only the directory */
    ck_assert_int_eq(count_entries(target), 1); /* still holding "keep" */
    /* a directory that does not exist */
    snprintf(missing, sizeof missing, "%s/no/such/dir/m.safetensors", dir);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_safetensors_writer_save(w, missing));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "No such file or directory"));
    ck_assert_int_eq(count_entries(dir), 1);
    attn_safetensors_writer_destroy(w);
    attn_tensor_destroy(t);
    remove(inner);
    remove(target);
    remove(dir);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

/* Values from the formulas safetensors_torch.py checks against. */
static attn_tensor *formula(attn_ctx *ctx, int32_t rank, const int64_t *shape, int k)
{
    attn_tensor *t;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, rank, shape, &t));
    float *p = attn_tensor_data_f32(t);
    for (int64_t i = 0; i < attn_tensor_numel(t); i++) p[i] = (float)(i % 17) * 0.25f - 2.0f + (float)k;
    return t;
}

START_TEST(a_written_file_loads_in_pytorch_with_its_names)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char path[512], args[600];
    snprintf(path, sizeof path, "%s/for_torch.safetensors", dir);
    int64_t s_we[2] = {30, 8}, s_ln[1] = {8}, s_q[2] = {8, 8}, s_cb[1] = {3}, s_base[2] = {8, 3}, s_ids[1] = {6},
            s_in[2] = {2, 4};
    attn_tensor *we = formula(ctx, 2, s_we, 1), *ln = formula(ctx, 1, s_ln, 2), *q = formula(ctx, 2, s_q, 3);
    attn_tensor *cb = formula(ctx, 1, s_cb, 4), *base, *cw, *ids, *in;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, s_base, &base));
    for (int i = 0; i < 24; i++) attn_tensor_data_f32(base)[i] = (float)i;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(base, 0, 1, &cw)); /* [3, 8], written row-major */
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, s_ids, &ids));
    for (int i = 0; i < 6; i++) ((int32_t *)attn_tensor_data(ids))[i] = i * 7919 - 100000;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I64, 2, s_in, &in));
    for (int i = 0; i < 8; i++) ((int64_t *)attn_tensor_data(in))[i] = (int64_t)(i % 4) * ((int64_t)1 << 33) - 5;
    attn_safetensors_writer *w;
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_create(ctx, &w));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "classifier.weight", cw));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "optimizer.step_ids", ids));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "bert.embeddings.word_embeddings.weight", we));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "input_ids", in));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "bert.encoder.layer.0.attention.self.query.weight", q));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "classifier.bias", cb));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "bert.embeddings.LayerNorm.weight", ln));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_set_metadata(w, "step", "42"));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_set_metadata(w, "rng", "seed=7 counter=123456789012"));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_save(w, path));
    snprintf(args, sizeof args, "check '%s'", path);
    attn_case_run_python("tests/io/safetensors_torch.py", args);
    attn_safetensors_writer_destroy(w);
    attn_tensor *all[8] = {we, ln, q, cb, cw, base, ids, in};
    for (int i = 0; i < 8; i++) attn_tensor_destroy(all[i]);
    remove(path);
    remove(dir);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(files_pytorch_wrote_read_to_torch_conversions)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char path[700], args[600];
    snprintf(args, sizeof args, "make '%s'", dir);
    attn_case_run_python("tests/io/safetensors_torch.py", args);
    snprintf(path, sizeof path, "%s/torch.safetensors", dir);
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, path, &st));
    ck_assert_str_eq(attn_safetensors_metadata(st, "format"), "pt");
    snprintf(path, sizeof path, "%s/names.txt", dir);
    st_bytes names = st_read_file(path);
    names.p[names.n] = '\0';
    int checked = 0;
    for (char *save = NULL, *name = strtok_r((char *)names.p, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
        int32_t idx, dt;
        ATTN_ASSERT_OK(ctx, attn_safetensors_find(st, name, &idx));
        ATTN_ASSERT_OK(ctx, attn_safetensors_info(st, idx, &dt, NULL, NULL));
        int is_float = dt == ATTN_ST_F16 || dt == ATTN_ST_BF16 || dt == ATTN_ST_F32 || dt == ATTN_ST_F64;
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, is_float ? "f32" : "i64");
        st_bytes want = st_read_file(path);
        attn_tensor *t;
        ATTN_ASSERT_OK(ctx, attn_safetensors_load(st, name, is_float ? ATTN_F32 : ATTN_I64, &t));
        ck_assert_uint_eq((size_t)attn_tensor_numel(t) * (is_float ? 4 : 8), want.n);
        /* bit for bit, NaN payloads included */
        ck_assert_msg(memcmp(attn_tensor_data(t), want.p, want.n) == 0, "%s (%s) differs from torch", name,
                      attn_safetensors_dtype_name(dt));
        attn_tensor_destroy(t);
        st_free(&want);
        remove(path);
        checked++;
    }
    ck_assert_int_eq(checked, attn_safetensors_count(st));
    ck_assert_int_eq(checked, 13);
    attn_safetensors_close(st);
    st_free(&names);
    snprintf(path, sizeof path, "%s/names.txt", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/torch.safetensors", dir);
    remove(path);
    remove(dir);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("safetensors_save");
    TCase *tc = tcase_create("save");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_write_error_midway_leaves_the_old_file_intact);
    tcase_add_test(tc, a_save_respects_the_umask_and_keeps_a_replaced_files_mode);
    tcase_add_test(tc, a_failed_rename_or_missing_directory_leaves_nothing_behind);
    tcase_add_test(tc, a_written_file_loads_in_pytorch_with_its_names);
    tcase_add_test(tc, files_pytorch_wrote_read_to_torch_conversions);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
