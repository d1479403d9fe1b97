/* Context settings, status strings, version, allocator hook, memory limit. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "test_common.h"

START_TEST(create_and_destroy_with_defaults)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t v;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_OPT_THREADS, &v));
    ck_assert_int_eq(v, 1);
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_OPT_MEMORY_LIMIT, &v));
    ck_assert_int_eq(v, 0);
    ck_assert_str_eq(attn_ctx_last_error(ctx), "");
    attn_ctx_destroy(ctx);
    attn_ctx_destroy(NULL);
    ck_assert_int_eq(attn_ctx_create(NULL), ATTN_ERR_INVALID_ARG);
}
END_TEST

START_TEST(settings_round_trip_and_bounds_are_enforced)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t v, lo, hi;
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_OPT_THREADS, &v));
    ck_assert_int_eq(v, 2);
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_SEED, -7));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_OPT_SEED, &v));
    ck_assert_int_eq(v, -7);
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_CHECK_FINITE, 1));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_RNG_COUNTER, 99));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_OPT_RNG_COUNTER, &v));
    ck_assert_int_eq(v, 99);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 0));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "outside"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ctx_set_int(ctx, ATTN_INFO_PEAK_BYTES, 1));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "read-only"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ctx_set_int(ctx, (attn_ctx_option)12345, 1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ctx_get_int(ctx, (attn_ctx_option)12345, &v));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ctx_set_int(NULL, ATTN_OPT_THREADS, 1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ctx_get_int(ctx, ATTN_OPT_THREADS, NULL));
    ATTN_ASSERT_OK(ctx, attn_ctx_option_bounds(ATTN_OPT_THREADS, &lo, &hi));
    ck_assert_int_eq(lo, 1);
    ck_assert_int_ge(hi, 2);
    ck_assert_int_eq(attn_ctx_option_bounds((attn_ctx_option)777, &lo, &hi), ATTN_ERR_INVALID_ARG);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(status_strings_name_every_code)
{
    for (attn_status s = ATTN_OK; s <= ATTN_ERR_OVERFLOW; s++) {
        const char *str = attn_status_str(s);
        ck_assert_ptr_nonnull(str);
        ck_assert_ptr_nonnull(strstr(str, "ATTN_"));
    }
    ck_assert_str_eq(attn_status_str(-5), "unknown attn_status");
    ck_assert_str_eq(attn_ctx_last_error(NULL), "no context");
}
END_TEST

START_TEST(version_matches_header)
{
    ck_assert_uint_eq(attn_version_number(), ATTN_VERSION_NUMBER);
    ck_assert_str_eq(attn_version_string(), ATTN_VERSION_STRING);
}
END_TEST

typedef struct {
    int64_t allocs, frees, live;
} counting;

static void *count_alloc(void *user, size_t n)
{
    counting *c = user;
    c->allocs++;
    c->live++;
    return malloc(n);
}

static void count_free(void *user, void *p)
{
    counting *c = user;
    c->frees++;
    c->live--;
    free(p);
}

START_TEST(allocator_hook_sees_every_allocation)
{
    attn_ctx *ctx = attn_test_ctx();
    counting c = {0, 0, 0};
    ATTN_ASSERT_OK(ctx, attn_ctx_set_allocator(ctx, count_alloc, count_free, &c));
    attn_tensor *t;
    int64_t shape[2] = {3, 4};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, shape, &t));
    ck_assert_int_gt(c.allocs, 0);
    int64_t n;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &n));
    ck_assert_int_eq(n, c.allocs);
    /* cannot swap allocators while memory is held */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_ctx_set_allocator(ctx, NULL, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ctx_set_allocator(ctx, count_alloc, NULL, NULL));
    attn_tensor_destroy(t);
    ck_assert_int_eq(c.live, 0);
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &n));
    ck_assert_int_eq(n, 0);
    ATTN_ASSERT_OK(ctx, attn_ctx_set_allocator(ctx, NULL, NULL, NULL));
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(memory_limit_fails_cleanly)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 4096));
    attn_tensor *t = NULL;
    int64_t big[1] = {100000};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOMEM, attn_tensor_create(ctx, ATTN_F32, 1, big, &t));
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "memory limit"));
    int64_t small[1] = {16};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, small, &t));
    int64_t peak;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_PEAK_BYTES, &peak));
    ck_assert_int_gt(peak, 64);
    ck_assert_int_le(peak, 4096);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(rng_is_counter_based_and_seeded)
{
    /* the value at a counter does not depend on draw order */
    uint32_t a = attn__rng_u32(42, 1000), b = attn__rng_u32(42, 1000);
    ck_assert_uint_eq(a, b);
    ck_assert_uint_ne(attn__rng_u32(42, 1000), attn__rng_u32(43, 1000));
    ck_assert_uint_ne(attn__rng_u32(42, 1000), attn__rng_u32(42, 1001));
    /* uniform in [0,1), mean near 0.5; normal mean near 0, variance near 1 */
    double s = 0, s2 = 0, sn = 0;
    for (int i = 0; i < 100000; i++) {
        float u = attn__rng_uniform(7, (uint64_t)i);
        ck_assert(u >= 0.0f && u < 1.0f);
        s += u;
        float z = attn__rng_normal(7, (uint64_t)i);
        sn += z;
        s2 += (double)z * z;
    }
    ck_assert_double_eq_tol(s / 100000, 0.5, 0.01);
    ck_assert_double_eq_tol(sn / 100000, 0.0, 0.02);
    ck_assert_double_eq_tol(s2 / 100000, 1.0, 0.02);
}
END_TEST

typedef struct {
    int hits[64];
    int max_shares; /* the largest shares argument seen */
} pool_count;

static void count_share(void *arg, int32_t share, int32_t shares)
{
    pool_count *c = arg;
    __atomic_add_fetch(&c->hits[share], 1, __ATOMIC_RELAXED);
    if (shares > __atomic_load_n(&c->max_shares, __ATOMIC_RELAXED))
        __atomic_store_n(&c->max_shares, shares, __ATOMIC_RELAXED);
}

/* Jobs back to back, of 1 to 64 shares, on a context whose thread count
 * changes in between: every share runs exactly once per job. */
START_TEST(pool_runs_every_share_exactly_once_across_jobs_and_resizes)
{
    attn_ctx *ctx = attn_test_ctx();
    const int32_t thread_counts[5] = {2, 3, 1, 4, 2};
    for (int t = 0; t < 5; t++) {
        ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, thread_counts[t]));
        ck_assert_int_eq(attn__pool_threads(ctx->pool), thread_counts[t]);
        for (int job = 0; job < 400; job++) {
            int32_t shares = 1 + job % 64;
            pool_count c;
            memset(&c, 0, sizeof c);
            attn__pool_run(ctx->pool, shares, count_share, &c);
            for (int32_t i = 0; i < 64; i++) ck_assert_int_eq(c.hits[i], i < shares ? 1 : 0);
            ck_assert_int_eq(c.max_shares, shares);
        }
    }
    /* no pool: everything on the caller */
    pool_count c;
    memset(&c, 0, sizeof c);
    attn__pool_run(NULL, 5, count_share, &c);
    for (int32_t i = 0; i < 5; i++) ck_assert_int_eq(c.hits[i], 1);
    ck_assert_int_eq(attn__pool_threads(NULL), 1);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("ctx");
    tcase_add_test(tc, create_and_destroy_with_defaults);
    tcase_add_test(tc, settings_round_trip_and_bounds_are_enforced);
    tcase_add_test(tc, status_strings_name_every_code);
    tcase_add_test(tc, version_matches_header);
    tcase_add_test(tc, allocator_hook_sees_every_allocation);
    tcase_add_test(tc, memory_limit_fails_cleanly);
    tcase_add_test(tc, rng_is_counter_based_and_seeded);
    tcase_add_test(tc, pool_runs_every_share_exactly_once_across_jobs_and_resizes);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
