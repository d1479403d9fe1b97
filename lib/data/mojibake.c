/* Mojibake repair: UTF-8 bytes that were once decoded as Latin-1 and
 * encoded to UTF-8 again show up as a lead character U+00C2-U+00F4
 * followed by continuation characters U+0080-U+00BF ("Ã©" for "é", and in
 * Debian's `computers` fortunes "â\u0080\u009c" for a left quote). When the
 * Latin-1 values of such a run form exactly one valid UTF-8 sequence, the
 * run is replaced by that sequence. Each character of the run takes two
 * bytes and the repaired sequence one byte per character, so the text
 * shrinks and the repair can run in place. */
#include "data_internal.h"

/* Latin-1 value of the two-byte character at s (U+0080-U+00FF), or -1. */
static int latin1_value(const unsigned char *s, size_t n)
{
    if (n < 2 || (s[0] != 0xC2 && s[0] != 0xC3) || s[1] < 0x80 || s[1] > 0xBF) return -1;
    return ((s[0] & 0x03) << 6) | (s[1] & 0x3F);
}

size_t attn__mojibake_repair(char *s, size_t n, int64_t *repaired)
{
    unsigned char *u = (unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        int lead = latin1_value(u + i, n - i);
        if (lead >= 0xC2 && lead <= 0xF4) {
            size_t k = lead <= 0xDF ? 2 : lead <= 0xEF ? 3 : 4; /* bytes of the hidden sequence */
            unsigned char bytes[4] = {(unsigned char)lead, 0, 0, 0};
            size_t j = 1, at = i + 2;
            for (; j < k; j++, at += 2) {
                int v = latin1_value(u + at, n - at);
                if (v < 0x80 || v > 0xBF) break;
                bytes[j] = (unsigned char)v;
            }
            if (j == k && attn__utf8_seq_len(bytes, k) == k) {
                for (j = 0; j < k; j++) u[o++] = bytes[j];
                i = at;
                (*repaired)++;
                continue;
            }
        }
        /* copy one character unchanged */
        size_t len = attn__utf8_seq_len(u + i, n - i);
        if (len == 0) len = 1; /* not reached for valid input; keeps the loop finite */
        for (size_t j = 0; j < len; j++) u[o++] = u[i + j];
        i += len;
    }
    return o;
}
