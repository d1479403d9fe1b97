/* UTF-8 for the data loaders: strict validation (TSV input must be valid)
 * and the Latin-1 fallback that makes any fortunes file readable: a byte
 * that starts no valid sequence is taken as the Latin-1 character of its
 * value, the only reading that never fails and keeps every byte visible. */
#include "data_internal.h"

size_t attn__utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t k;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) k = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        if (c == 0xE0) lo = 0xA0;       /* overlong */
        else if (c == 0xED) hi = 0x9F;  /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        if (c == 0xF0) lo = 0x90;       /* overlong */
        else if (c == 0xF4) hi = 0x8F;  /* above U+10FFFF */
    } else
        return 0;
    if (n < k) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < k; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return k;
}

size_t attn__utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = attn__utf8_seq_len(u + i, n - i);
        if (k == 0) return i;
        i += k;
    }
    return n;
}

size_t attn__utf8_from_latin1_fallback(const char *s, size_t n, char *out, int64_t *replaced)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t k = attn__utf8_seq_len(u + i, n - i);
        if (k > 0) {
            for (size_t j = 0; j < k; j++) out[o++] = (char)u[i + j];
            i += k;
        } else {
            out[o++] = (char)(0xC0 | (u[i] >> 6));
            out[o++] = (char)(0x80 | (u[i] & 0x3F));
            i++;
            (*replaced)++;
        }
    }
    return o;
}
