/* Control characters. Fortunes files were written for printing terminals:
 * "_\b" underlines, "'\be" stacks an accent, "\a" rings the bell. A
 * backspace therefore deletes the character before it (what is left is
 * what a reader of the plain text would want: "_\bx" and "x\bx" are "x"),
 * but never crosses the start of a line. Every other control character
 * (Unicode Cc) except TAB and LF is dropped: the tokenizer would drop them
 * too, but the split hash and the de-duplication must see the same text. */
#include "data_internal.h"

/* Bytes of the control character at s (1 for C0 and DEL, 2 for C1), 0 if
 * s starts something else. */
static size_t control_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x20 || s[0] == 0x7F) return 1;
    if (s[0] == 0xC2 && n >= 2 && s[1] >= 0x80 && s[1] <= 0x9F) return 2;
    return 0;
}

size_t attn__controls_remove(char *s, size_t n, int64_t *removed)
{
    unsigned char *u = (unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t c = u[i] == '\t' || u[i] == '\n' ? 0 : control_len(u + i, n - i);
        if (c == 0) {
            u[o++] = u[i++];
            continue;
        }
        if (u[i] == '\b' && o > 0 && u[o - 1] != '\n') {
            do o--;
            while (o > 0 && (u[o] & 0xC0) == 0x80); /* back to the lead byte */
        }
        i += c;
        (*removed)++;
    }
    return o;
}

size_t attn__nul_remove(char *s, size_t n, int64_t *removed)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0') (*removed)++;
        else s[o++] = s[i];
    }
    return o;
}
