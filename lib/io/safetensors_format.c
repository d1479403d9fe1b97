/* The safetensors dtype table and the index sort shared by the reader and
 * the writer. */
#include <string.h>

#include "safetensors_format.h"

/* Indexed by attn_st_dtype. hf_rank follows the declaration order of
 * Hugging Face's Dtype enum (BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16,
 * BF16, I32, U32, F32, F64, I64, U64): its writer sorts tensors by
 * descending rank, which keeps every tensor aligned to its element size. */
static const attn__st_dtype_info dtypes[] = {
    [ATTN_ST_F32] = {"F32", 4, 11},
    [ATTN_ST_F16] = {"F16", 2, 7},
    [ATTN_ST_BF16] = {"BF16", 2, 8},
    [ATTN_ST_F64] = {"F64", 8, 12},
    [ATTN_ST_I64] = {"I64", 8, 13},
    [ATTN_ST_I32] = {"I32", 4, 9},
    [ATTN_ST_I16] = {"I16", 2, 5},
    [ATTN_ST_I8] = {"I8", 1, 2},
    [ATTN_ST_U8] = {"U8", 1, 1},
    [ATTN_ST_U16] = {"U16", 2, 6},
    [ATTN_ST_U32] = {"U32", 4, 10},
    [ATTN_ST_U64] = {"U64", 8, 14},
    [ATTN_ST_BOOL] = {"BOOL", 1, 0},
    [ATTN_ST_F8_E4M3] = {"F8_E4M3", 1, 4},
    [ATTN_ST_F8_E5M2] = {"F8_E5M2", 1, 3},
};
#define NDTYPES ((int32_t)(sizeof dtypes / sizeof dtypes[0]))

const attn__st_dtype_info *attn__st_dtype(int32_t file_dtype)
{
    if (file_dtype < 0 || file_dtype >= NDTYPES) return NULL;
    return &dtypes[file_dtype];
}

int32_t attn__st_dtype_parse(const char *s, size_t n)
{
    for (int32_t i = 0; i < NDTYPES; i++)
        if (strlen(dtypes[i].name) == n && memcmp(dtypes[i].name, s, n) == 0) return i;
    return -1;
}

int32_t attn__st_dtype_of(attn_dtype dtype)
{
    switch (dtype) {
    case ATTN_F32: return ATTN_ST_F32;
    case ATTN_I32: return ATTN_ST_I32;
    case ATTN_I64: return ATTN_ST_I64;
    default: return -1;
    }
}

const char *attn_safetensors_dtype_name(int32_t file_dtype)
{
    const attn__st_dtype_info *d = attn__st_dtype(file_dtype);
    return d ? d->name : NULL;
}

void attn__sort_indices(int32_t *idx, int32_t *tmp, int32_t n, int (*cmp)(int32_t, int32_t, const void *),
                        const void *user)
{
    int32_t *a = idx, *b = tmp;
    for (int32_t width = 1; width < n; width = width > n / 2 ? n : width * 2) {
        for (int32_t lo = 0; lo < n; lo += 2 * width) {
            int32_t mid = width < n - lo ? lo + width : n;
            int32_t hi = 2 * width < n - lo ? lo + 2 * width : n;
            int32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) b[k++] = cmp(a[j], a[i], user) < 0 ? a[j++] : a[i++];
            while (i < mid) b[k++] = a[i++];
            while (j < hi) b[k++] = a[j++];
        }
        int32_t *t = a;
        a = b;
        b = t;
    }
    if (a != idx) memcpy(idx, a, (size_t)n * sizeof *idx);
}
