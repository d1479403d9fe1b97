/* The split hash and whitespace-normalised equality. FNV-1a is fixed by
 * its published constants, so the split of a text can be recomputed in any
 * language (bench/reference/fortunes_data.py does) and never changes
 * between releases. Normalising first makes re-wrapped or re-indented
 * copies of a text the same example for both the split and the dedup. */
#include "data_internal.h"

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

/* Walks the normalised text of s one byte at a time: *i is the read
 * position, *pending_space whether a space is owed before the next byte.
 * Returns the next byte (0-255) or -1 at the end. */
static int next_normalized(const unsigned char *s, size_t n, size_t *i, int *pending_space, int *started)
{
    while (*i < n && attn__data_is_space(s[*i])) {
        if (*started) *pending_space = 1;
        (*i)++;
    }
    if (*i >= n) return -1;
    if (*pending_space) {
        *pending_space = 0;
        return ' ';
    }
    *started = 1;
    return s[(*i)++];
}

uint64_t attn_dataset_hash(const char *text, size_t len)
{
    uint64_t h = FNV_OFFSET;
    if (!text) return h;
    size_t i = 0;
    int pending = 0, started = 0, c;
    while ((c = next_normalized((const unsigned char *)text, len, &i, &pending, &started)) >= 0)
        h = (h ^ (uint64_t)c) * FNV_PRIME;
    return h;
}

size_t attn__normalize_copy(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;
    int pending = 0, started = 0, c;
    while ((c = next_normalized((const unsigned char *)s, n, &i, &pending, &started)) >= 0) out[o++] = (char)c;
    return o;
}

int attn__normalized_equal(const char *a, size_t na, const char *b, size_t nb)
{
    size_t ia = 0, ib = 0;
    int pa = 0, pb = 0, sa = 0, sb = 0;
    for (;;) {
        int ca = next_normalized((const unsigned char *)a, na, &ia, &pa, &sa);
        int cb = next_normalized((const unsigned char *)b, nb, &ib, &pb, &sb);
        if (ca != cb) return 0;
        if (ca < 0) return 1;
    }
}
