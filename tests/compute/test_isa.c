/* The ISA cap: ATTN_OPT_MAX_ISA picks the level per context, never above
 * what the CPU runs, and the level is reported. White-box where it checks
 * the kernel table a context holds. */
#include <stdlib.h>
#include <string.h>

#include "compute/compute.h"
#include "test_common.h"

START_TEST(the_cap_sets_each_contexts_level_and_never_exceeds_the_cpu)
{
    attn_ctx *a = attn_test_ctx(), *b = attn_test_ctx();
    int64_t lo, hi, v;
    ck_assert_int_eq(attn_ctx_option_bounds(ATTN_OPT_MAX_ISA, &lo, &hi), ATTN_OK);
    ck_assert_int_eq(lo, ATTN_ISA_BASELINE);
    ck_assert_int_eq(hi, ATTN_ISA_AVX512);
    int32_t best = attn__isa_best();
    for (int64_t cap = ATTN_ISA_BASELINE; cap <= ATTN_ISA_AVX512; cap++) {
        ck_assert_int_eq(attn_ctx_set_int(a, ATTN_OPT_MAX_ISA, cap), ATTN_OK);
        ck_assert_int_eq(attn_ctx_get_int(a, ATTN_OPT_MAX_ISA, &v), ATTN_OK);
        ck_assert_int_eq(v, cap);
        ck_assert_int_eq(attn_ctx_get_int(a, ATTN_INFO_ISA, &v), ATTN_OK);
        ck_assert_int_eq(v, cap < best ? cap : best);
        ck_assert_ptr_eq(attn__kern(a), attn__kernels_for(cap));
        ck_assert_int_eq(attn__kern(a)->isa, v);
        const char *name = attn_ctx_info_string(a, ATTN_INFO_ISA_NAME);
        ck_assert_ptr_nonnull(name);
        ck_assert_str_eq(name, attn__kern(a)->name);
#if defined(__x86_64__)
        int64_t parsed;
        ck_assert_int_eq(attn_isa_parse(name, &parsed), ATTN_OK);
        ck_assert_int_eq(parsed, v);
#endif
    }
    /* one context's cap leaves the other alone */
    ck_assert_int_eq(attn_ctx_set_int(a, ATTN_OPT_MAX_ISA, ATTN_ISA_BASELINE), ATTN_OK);
    ck_assert_int_eq(attn_ctx_get_int(b, ATTN_INFO_ISA, &v), ATTN_OK);
    if (!getenv("ATTN_MAX_CPU_ISA")) ck_assert_int_eq(v, best);
    ck_assert_int_eq(attn_ctx_set_int(a, ATTN_OPT_MAX_ISA, 0), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_ctx_set_int(a, ATTN_OPT_MAX_ISA, 4), ATTN_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(a), "outside [1, 3]"));
    ck_assert_int_eq(attn_ctx_set_int(a, ATTN_INFO_ISA, 1), ATTN_ERR_INVALID_ARG);
    ck_assert_ptr_null(attn_ctx_info_string(NULL, ATTN_INFO_ISA_NAME));
    attn_ctx_destroy(a);
    attn_ctx_destroy(b);
}
END_TEST

START_TEST(level_names_parse_and_unknown_ones_are_refused)
{
    int64_t v = 99;
    ck_assert_int_eq(attn_isa_parse("avx512", &v), ATTN_OK);
    ck_assert_int_eq(v, ATTN_ISA_AVX512);
    ck_assert_int_eq(attn_isa_parse("avx2", &v), ATTN_OK);
    ck_assert_int_eq(v, ATTN_ISA_AVX2);
    ck_assert_int_eq(attn_isa_parse("sse2", &v), ATTN_OK);
    ck_assert_int_eq(v, ATTN_ISA_BASELINE);
    ck_assert_int_eq(attn_isa_parse("baseline", &v), ATTN_OK);
    ck_assert_int_eq(v, ATTN_ISA_BASELINE);
    v = 99;
    ck_assert_int_eq(attn_isa_parse("AVX2 ", &v), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_isa_parse("", &v), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(v, 99);
    ck_assert_int_eq(attn_isa_parse(NULL, &v), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_isa_parse("avx2", NULL), ATTN_ERR_INVALID_ARG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compute/isa");
    TCase *tc = tcase_create("isa");
    tcase_add_test(tc, the_cap_sets_each_contexts_level_and_never_exceeds_the_cpu);
    tcase_add_test(tc, level_names_parse_and_unknown_ones_are_refused);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
