/* The BLIS kernel set libattn chose is one the CPU can run, and reported. */
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

START_TEST(kernel_choice_is_reported)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *arch = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_ARCH);
    const char *choice = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_CHOICE);
    const char *lib = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_LIBRARY);
    ck_assert_ptr_nonnull(arch);
    ck_assert_ptr_nonnull(choice);
    ck_assert_ptr_nonnull(strstr(lib, "BLIS"));
    ck_assert_ptr_null(attn_ctx_info_string(ctx, (attn_ctx_info)99));
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && !getenv("BLIS_ARCH_TYPE"))
        ck_assert_str_eq(arch, "skx");
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && !getenv("BLIS_ARCH_TYPE"))
        ck_assert_str_ne(arch, "generic");
#endif
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blis_arch");
    TCase *tc = tcase_create("blis_arch");
    tcase_add_test(tc, kernel_choice_is_reported);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
