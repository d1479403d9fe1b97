/* Which ISA level a context computes at: the highest this build has and
 * the CPU and OS run (cpuid through the compiler's __builtin_cpu_supports,
 * which also checks that the OS saves the wider registers), capped by
 * ATTN_OPT_MAX_ISA. The levels' kernels are compiled one copy per level
 * (simd.h); here they are only looked up. */
#include <string.h>

#include "compute/compute.h"

#if defined(ATTN__X86_LEVELS)
extern const attn__kernels attn__kernels_avx512, attn__kernels_avx2, attn__kernels_sse2;
#else
extern const attn__kernels attn__kernels_generic;
#endif

int32_t attn__isa_best(void)
{
#if defined(ATTN__X86_LEVELS)
    /* by feature, not by level name (clang 14 knows no "x86-64-v3"); the
     * rest of x86-64-v3 (F16C, LZCNT, MOVBE) comes with AVX2 + BMI2 on every
     * CPU that has them */
    __builtin_cpu_init();
    int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
             __builtin_cpu_supports("bmi2");
    int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl");
    if (v4) return ATTN_ISA_AVX512;
    if (v3) return ATTN_ISA_AVX2;
#endif
    return ATTN_ISA_BASELINE;
}

const attn__kernels *attn__kernels_for(int64_t isa)
{
    int32_t best = attn__isa_best();
    if (isa > best) isa = best;
#if defined(ATTN__X86_LEVELS)
    if (isa >= ATTN_ISA_AVX512) return &attn__kernels_avx512;
    if (isa == ATTN_ISA_AVX2) return &attn__kernels_avx2;
    return &attn__kernels_sse2;
#else
    return &attn__kernels_generic;
#endif
}

attn_status attn_isa_parse(const char *name, int64_t *isa)
{
    static const struct {
        const char *name;
        attn_isa isa;
    } names[] = {{"sse2", ATTN_ISA_BASELINE}, {"baseline", ATTN_ISA_BASELINE}, {"avx2", ATTN_ISA_AVX2},
                 {"avx512", ATTN_ISA_AVX512}};
    if (!name || !isa) return ATTN_ERR_INVALID_ARG;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *isa = names[i].isa;
            return ATTN_OK;
        }
    return ATTN_ERR_INVALID_ARG;
}
