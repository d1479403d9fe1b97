/* The BLIS kernel set is reported, and finding it changes nothing in the
 * process: the library sets no environment variable. */
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

START_TEST(kernel_choice_is_reported_without_touching_the_environment)
{
    const char *before = getenv("BLIS_ARCH_TYPE");
    char *saved = before ? strdup(before) : NULL;
    attn_ctx *ctx = attn_test_ctx();
    const char *arch = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_ARCH);
    const char *choice = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_CHOICE);
    const char *lib = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_LIBRARY);
    const char *after = getenv("BLIS_ARCH_TYPE");
    if (saved) ck_assert_str_eq(after, saved);
    else ck_assert_ptr_null(after);
    ck_assert_ptr_nonnull(arch);
    ck_assert_ptr_nonnull(choice);
    ck_assert_ptr_nonnull(strstr(lib, "BLIS"));
    ck_assert_ptr_null(attn_ctx_info_string(ctx, (attn_ctx_info)99));
#if defined(__x86_64__)
    /* a kernel set below what the CPU runs is named with the way out */
    if (!saved && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        (strcmp(arch, "generic") == 0 || strcmp(arch, "sandybridge") == 0))
        ck_assert_ptr_nonnull(strstr(choice, "BLIS_ARCH_TYPE="));
    else if (!saved)
        ck_assert_ptr_nonnull(strstr(choice, "BLIS's own detection"));
#endif
    free(saved);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blis_arch");
    TCase *tc = tcase_create("blis_arch");
    tcase_add_test(tc, kernel_choice_is_reported_without_touching_the_environment);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
