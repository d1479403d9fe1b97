/* JSON parsing into an arena tree (the rules are in json.h): grammar, UTF-8
 * and escape handling, limits, and the lookups over the finished tree. The
 * string builder and escaping for writers live in json_write.c. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "json.h"

struct json_member;

struct attn__json {
    uint8_t type;
    uint8_t is_int;   /* number written as an integer literal that fits int64 (u.i) */
    uint8_t bval;
    uint32_t count;   /* string bytes, array items or object members */
    uint32_t offset;  /* first character in the input */
    uint32_t line;    /* 1-based line of that character */
    union {
        double num;
        int64_t i;
        const char *str;
        attn__json *items;
        struct json_member *members; /* followed by uint32_t order[count], sorted by key */
    } u;
};

typedef struct json_member {
    const char *key;
    uint32_t key_len;
    uint32_t key_offset;
    attn__json value;
} json_member;

/* The arena: chunks that grow from 4 KiB to 1 MiB; a larger request gets a
 * chunk of its own. One counted allocation per chunk instead of per node. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    unsigned char data[];
} arena_chunk;

struct attn__json_doc {
    attn_ctx *ctx;
    char *label;
    arena_chunk *chunks;
    size_t next_chunk;
    attn__json root;
};

#define ARENA_FIRST_CHUNK ((size_t)4096)
#define ARENA_MAX_CHUNK ((size_t)1 << 20)
/* Longest number text handed to strtod (a double never needs more than
 * ~770 significant digits; longer literals are refused, not misread). */
#define NUMBER_MAX_CHARS 1100
/* Hard cap on the depth whatever the caller asks: the parser recurses. */
#define DEPTH_HARD_MAX 1000

static void *arena_alloc(attn__json_doc *doc, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    arena_chunk *c = doc->chunks;
    if (c && c->cap - c->used >= size) {
        void *p = c->data + c->used;
        c->used += size;
        return p;
    }
    /* a request larger than a regular chunk gets a chunk of its own, kept
     * behind the current one so that one's free space stays usable */
    int own = size > doc->next_chunk;
    size_t cap = own ? size : doc->next_chunk;
    if (cap > SIZE_MAX - sizeof *c) {
        attn__fail(doc->ctx, ATTN_ERR_NOMEM, "JSON arena: %zu bytes overflow", size);
        return NULL;
    }
    arena_chunk *n = attn__alloc(doc->ctx, sizeof *n + cap);
    if (!n) return NULL;
    n->cap = cap;
    n->used = size;
    if (own && c) {
        n->next = c->next;
        c->next = n;
    } else {
        n->next = c;
        doc->chunks = n;
        if (!own && doc->next_chunk < ARENA_MAX_CHUNK) doc->next_chunk *= 2;
    }
    return n->data;
}

void attn__json_free(attn__json_doc *doc)
{
    if (!doc) return;
    attn_ctx *ctx = doc->ctx;
    for (arena_chunk *c = doc->chunks, *n; c; c = n) {
        n = c->next;
        attn__free(ctx, c);
    }
    attn__free(ctx, doc->label);
    attn__free(ctx, doc);
}

/* ---- parser state and errors ---- */

typedef struct {
    attn_ctx *ctx;
    attn__json_doc *doc;
    const unsigned char *begin, *p, *end;
    uint32_t line;
    int32_t depth, max_depth;
    size_t values, max_values;
    size_t max_array_items;      /* 0 = no per-array bound */
    json_member *stack;          /* children of the open containers */
    size_t stack_len, stack_cap;
    uint32_t *scratch;           /* merge-sort buffer for object keys */
    size_t scratch_cap;
    locale_t c_locale;           /* for strtod_l: the host's locale may use ',' */
} parser;

static attn_status perr(parser *ps, const unsigned char *at, attn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static attn_status perr(parser *ps, const unsigned char *at, attn_status status, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at > ps->end) at = ps->end;
    size_t line = 1;
    const unsigned char *line_start = ps->begin;
    for (const unsigned char *q = ps->begin; q < at; q++)
        if (*q == '\n') {
            line++;
            line_start = q + 1;
        }
    return attn__fail(ps->ctx, status, "%s: offset %zu (line %zu, column %zu): %s", ps->doc->label,
                      (size_t)(at - ps->begin), line, (size_t)(at - line_start) + 1, msg);
}

/* "'x'", "end of input" or "byte 0xC3" for messages. */
static const char *describe(const parser *ps, const unsigned char *at, char *buf, size_t n)
{
    if (at >= ps->end) return "end of input";
    if (*at >= 0x20 && *at < 0x7f) snprintf(buf, n, "'%c'", *at);
    else snprintf(buf, n, "byte 0x%02X", *at);
    return buf;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end) {
        unsigned char c = *ps->p;
        if (c == '\n') ps->line++;
        else if (c != ' ' && c != '\t' && c != '\r') return;
        ps->p++;
    }
}

static attn_status push_member(parser *ps, const json_member *m)
{
    if (ps->stack_len == ps->stack_cap) {
        size_t cap = ps->stack_cap ? ps->stack_cap * 2 : 64;
        json_member *s = attn__calloc(ps->ctx, cap, sizeof *s);
        if (!s) return ATTN_ERR_NOMEM;
        if (ps->stack_len) memcpy(s, ps->stack, ps->stack_len * sizeof *s);
        attn__free(ps->ctx, ps->stack);
        ps->stack = s;
        ps->stack_cap = cap;
    }
    ps->stack[ps->stack_len++] = *m;
    return ATTN_OK;
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s (avail bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;      /* overlong below U+0800 */
        else if (c == 0xED) hi = 0x9F; /* U+D800..DFFF are surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;      /* overlong below U+10000 */
        else if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;                      /* continuation byte, C0/C1 overlong, F5..FF */
    }
    if (avail < n || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return n;
}

int attn__utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(u + i, n - i);
        if (!k) {
            if (bad_at) *bad_at = i;
            return 0;
        }
        i += k;
    }
    return 1;
}

static size_t utf8_put(unsigned char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (unsigned char)(0xC0 | (cp >> 6));
        d[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (unsigned char)(0xE0 | (cp >> 12));
        d[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (unsigned char)(0xF0 | (cp >> 18));
    d[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(const unsigned char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* ---- values ---- */

static attn_status parse_value(parser *ps, attn__json *out);

/* At '"': decodes the string into the arena. */
static attn_status parse_string(parser *ps, const char **out, uint32_t *out_len)
{
    const unsigned char *open = ps->p, *s = ps->p + 1, *q = s;
    /* find the closing quote first: the decoded text is never longer */
    for (;;) {
        if (q >= ps->end) return perr(ps, open, ATTN_ERR_FORMAT, "unterminated string");
        if (*q == '"') break;
        if (*q == '\\') {
            if (q + 1 >= ps->end) return perr(ps, open, ATTN_ERR_FORMAT, "unterminated string");
            q += 2;
        } else {
            q++;
        }
    }
    size_t raw = (size_t)(q - s);
    unsigned char *dst = arena_alloc(ps->doc, raw + 1), *d = dst;
    if (!dst) return ATTN_ERR_NOMEM;
    while (s < q) {
        unsigned char c = *s;
        if (c < 0x20)
            return perr(ps, s, ATTN_ERR_FORMAT, "control character U+%04X in a string must be escaped", c);
        if (c >= 0x80) {
            size_t k = utf8_seq(s, (size_t)(q - s));
            if (!k) return perr(ps, s, ATTN_ERR_FORMAT, "invalid UTF-8 in a string (byte 0x%02X)", c);
            memcpy(d, s, k);
            d += k;
            s += k;
            continue;
        }
        if (c != '\\') {
            *d++ = c;
            s++;
            continue;
        }
        unsigned char e = s[1];
        switch (e) {
        case '"': *d++ = '"'; break;
        case '\\': *d++ = '\\'; break;
        case '/': *d++ = '/'; break;
        case 'b': *d++ = '\b'; break;
        case 'f': *d++ = '\f'; break;
        case 'n': *d++ = '\n'; break;
        case 'r': *d++ = '\r'; break;
        case 't': *d++ = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (q - s < 6 || !hex4(s + 2, &cp))
                return perr(ps, s, ATTN_ERR_FORMAT, "\\u must be followed by four hex digits");
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return perr(ps, s, ATTN_ERR_FORMAT, "lone low surrogate \\u%04X", cp);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (q - s < 12 || s[6] != '\\' || s[7] != 'u' || !hex4(s + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return perr(ps, s, ATTN_ERR_FORMAT,
                                "lone high surrogate \\u%04X (must be followed by a \\uDC00-\\uDFFF escape)", cp);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            }
            d += utf8_put(d, cp);
            s += 4; /* plus the 2 below */
            break;
        }
        default: {
            char buf[16];
            return perr(ps, s + 1, ATTN_ERR_FORMAT, "invalid escape: backslash followed by %s",
                        describe(ps, s + 1, buf, sizeof buf));
        }
        }
        s += 2;
    }
    *d = '\0';
    *out = (const char *)dst;
    *out_len = (uint32_t)(d - dst);
    ps->p = q + 1;
    return ATTN_OK;
}

static int is_digit(const parser *ps, const unsigned char *q)
{
    return q < ps->end && *q >= '0' && *q <= '9';
}

static attn_status parse_number(parser *ps, attn__json *out)
{
    const unsigned char *start = ps->p, *q = ps->p;
    char buf[16];
    int neg = 0;
    if (*q == '-') {
        neg = 1;
        q++;
    }
    if (!is_digit(ps, q))
        return perr(ps, q, ATTN_ERR_FORMAT, "expected a digit after '-', found %s", describe(ps, q, buf, sizeof buf));
    if (*q == '0') {
        q++;
        if (is_digit(ps, q)) return perr(ps, start, ATTN_ERR_FORMAT, "numbers must not have leading zeros");
    } else {
        while (is_digit(ps, q)) q++;
    }
    int is_int = 1;
    if (q < ps->end && *q == '.') {
        q++;
        if (!is_digit(ps, q))
            return perr(ps, q, ATTN_ERR_FORMAT, "expected a digit after '.', found %s", describe(ps, q, buf, sizeof buf));
        while (is_digit(ps, q)) q++;
        is_int = 0;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-')) q++;
        if (!is_digit(ps, q))
            return perr(ps, q, ATTN_ERR_FORMAT, "expected a digit in the exponent, found %s", describe(ps, q, buf, sizeof buf));
        while (is_digit(ps, q)) q++;
        is_int = 0;
    }
    ps->p = q;
    out->type = ATTN_JSON_NUMBER;
    if (is_int) {
        /* exact int64, accumulated towards the sign so INT64_MIN fits */
        int64_t v = 0;
        int fits = 1;
        for (const unsigned char *d = start + neg; d < q && fits; d++) {
            int64_t digit = *d - '0';
            if (neg) {
                if (v < (INT64_MIN + digit) / 10) fits = 0;
                else v = v * 10 - digit;
            } else {
                if (v > (INT64_MAX - digit) / 10) fits = 0;
                else v = v * 10 + digit;
            }
        }
        if (fits) {
            out->is_int = 1;
            out->u.i = v;
            return ATTN_OK;
        }
    }
    size_t len = (size_t)(q - start);
    if (len > NUMBER_MAX_CHARS)
        return perr(ps, start, ATTN_ERR_LIMIT, "number is %zu characters long (limit %d)", len, NUMBER_MAX_CHARS);
    char text[NUMBER_MAX_CHARS + 1];
    memcpy(text, start, len);
    text[len] = '\0';
    if (!ps->c_locale) {
        ps->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (!ps->c_locale) return attn__fail(ps->ctx, ATTN_ERR_NOMEM, "%s: cannot create the C locale", ps->doc->label);
    }
    errno = 0;
    double d = strtod_l(text, NULL, ps->c_locale);
    if (errno == ERANGE && isinf(d))
        return perr(ps, start, ATTN_ERR_FORMAT, "number %.40s is outside the double range", text);
    out->u.num = d;
    return ATTN_OK;
}

static attn_status parse_literal(parser *ps, attn__json *out, const char *word, attn__json_type type, int bval)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
        char buf[16];
        return perr(ps, ps->p, ATTN_ERR_FORMAT, "expected a value, found %s", describe(ps, ps->p, buf, sizeof buf));
    }
    out->type = (uint8_t)type;
    out->bval = (uint8_t)bval;
    ps->p += n;
    return ATTN_OK;
}

static attn_status enter(parser *ps)
{
    if (++ps->depth > ps->max_depth)
        return perr(ps, ps->p, ATTN_ERR_LIMIT, "nesting is deeper than %d levels", (int)ps->max_depth);
    ps->p++;
    return ATTN_OK;
}

/* After an array item or object member: ',' (*more = 1) or the closer (*more = 0). */
static attn_status after_item(parser *ps, char closer, const char *where, int *more)
{
    char buf[16];
    skip_ws(ps);
    if (ps->p < ps->end && (*ps->p == ',' || *ps->p == closer)) {
        *more = *ps->p++ == ',';
        return ATTN_OK;
    }
    return perr(ps, ps->p, ATTN_ERR_FORMAT, "expected ',' or '%c' in %s, found %s", closer, where,
                describe(ps, ps->p, buf, sizeof buf));
}

static attn_status parse_array(parser *ps, attn__json *out)
{
    ATTN_CHECK(enter(ps));
    size_t base = ps->stack_len;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
    } else {
        for (;;) {
            json_member m = {0};
            if (ps->max_array_items && ps->stack_len - base == ps->max_array_items)
                return perr(ps, ps->p, ATTN_ERR_LIMIT, "an array of more than %zu items", ps->max_array_items);
            ATTN_CHECK(parse_value(ps, &m.value));
            ATTN_CHECK(push_member(ps, &m));
            int more = 0;
            ATTN_CHECK(after_item(ps, ']', "an array", &more));
            if (!more) break;
        }
    }
    size_t n = ps->stack_len - base;
    out->type = ATTN_JSON_ARRAY;
    out->count = (uint32_t)n;
    if (n) {
        attn__json *items = arena_alloc(ps->doc, n * sizeof *items);
        if (!items) return ATTN_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) items[i] = ps->stack[base + i].value;
        out->u.items = items;
    }
    ps->stack_len = base;
    ps->depth--;
    return ATTN_OK;
}

static int key_cmp(const json_member *a, const json_member *b)
{
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->key, b->key, n);
    if (c) return c;
    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* Bottom-up merge sort of member indices by key (stable, no recursion). */
static attn_status sort_keys(parser *ps, const json_member *m, uint32_t *order, size_t n)
{
    if (n > ps->scratch_cap) {
        uint32_t *s = attn__calloc(ps->ctx, n, sizeof *s);
        if (!s) return ATTN_ERR_NOMEM;
        attn__free(ps->ctx, ps->scratch);
        ps->scratch = s;
        ps->scratch_cap = n;
    }
    uint32_t *a = order, *b = ps->scratch;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) b[k++] = key_cmp(&m[a[j]], &m[a[i]]) < 0 ? a[j++] : a[i++];
            while (i < mid) b[k++] = a[i++];
            while (j < hi) b[k++] = a[j++];
        }
        uint32_t *t = a;
        a = b;
        b = t;
    }
    if (a != order) memcpy(order, a, n * sizeof *order);
    return ATTN_OK;
}

static attn_status parse_object(parser *ps, attn__json *out)
{
    ATTN_CHECK(enter(ps));
    size_t base = ps->stack_len;
    char buf[16];
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
    } else {
        for (;;) {
            json_member m = {0};
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"')
                return perr(ps, ps->p, ATTN_ERR_FORMAT, "expected a string key in an object, found %s",
                            describe(ps, ps->p, buf, sizeof buf));
            m.key_offset = (uint32_t)(ps->p - ps->begin);
            ATTN_CHECK(parse_string(ps, &m.key, &m.key_len));
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return perr(ps, ps->p, ATTN_ERR_FORMAT, "expected ':' after an object key, found %s",
                            describe(ps, ps->p, buf, sizeof buf));
            ps->p++;
            ATTN_CHECK(parse_value(ps, &m.value));
            ATTN_CHECK(push_member(ps, &m));
            int more = 0;
            ATTN_CHECK(after_item(ps, '}', "an object", &more));
            if (!more) break;
        }
    }
    size_t n = ps->stack_len - base;
    out->type = ATTN_JSON_OBJECT;
    out->count = (uint32_t)n;
    if (n) {
        json_member *members = arena_alloc(ps->doc, n * (sizeof *members + sizeof(uint32_t)));
        if (!members) return ATTN_ERR_NOMEM;
        uint32_t *order = (uint32_t *)(members + n);
        memcpy(members, ps->stack + base, n * sizeof *members);
        for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
        ATTN_CHECK(sort_keys(ps, members, order, n));
        for (size_t i = 1; i < n; i++) {
            const json_member *a = &members[order[i - 1]], *b = &members[order[i]];
            if (key_cmp(a, b) == 0) {
                const json_member *later = a->key_offset > b->key_offset ? a : b;
                const json_member *first = later == a ? b : a;
                return perr(ps, ps->begin + later->key_offset, ATTN_ERR_FORMAT,
                            "duplicate key \"%.*s\" (first at offset %u)", (int)(later->key_len > 80 ? 80 : later->key_len),
                            later->key, first->key_offset);
            }
        }
        out->u.members = members;
    }
    ps->stack_len = base;
    ps->depth--;
    return ATTN_OK;
}

static attn_status parse_value(parser *ps, attn__json *out)
{
    char buf[16];
    skip_ws(ps);
    memset(out, 0, sizeof *out);
    out->offset = (uint32_t)(ps->p - ps->begin);
    out->line = ps->line;
    if (++ps->values > ps->max_values)
        return perr(ps, ps->p, ATTN_ERR_LIMIT, "more than %zu values in the document", ps->max_values);
    if (ps->p >= ps->end) return perr(ps, ps->p, ATTN_ERR_FORMAT, "expected a value, found end of input");
    switch (*ps->p) {
    case '{': return parse_object(ps, out);
    case '[': return parse_array(ps, out);
    case '"':
        out->type = ATTN_JSON_STRING;
        return parse_string(ps, &out->u.str, &out->count);
    case 't': return parse_literal(ps, out, "true", ATTN_JSON_BOOL, 1);
    case 'f': return parse_literal(ps, out, "false", ATTN_JSON_BOOL, 0);
    case 'n': return parse_literal(ps, out, "null", ATTN_JSON_NULL, 0);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) return parse_number(ps, out);
        if (ps->p + 3 <= ps->end && ps->p[0] == 0xEF && ps->p[1] == 0xBB && ps->p[2] == 0xBF)
            return perr(ps, ps->p, ATTN_ERR_FORMAT, "a byte order mark is not allowed");
        return perr(ps, ps->p, ATTN_ERR_FORMAT, "expected a value, found %s", describe(ps, ps->p, buf, sizeof buf));
    }
}

attn_status attn__json_parse(attn_ctx *ctx, const char *label, const void *buf, size_t len,
                             const attn__json_limits *limits, attn__json_doc **out)
{
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn__json_parse: out is NULL");
    *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!buf && len) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn__json_parse: buffer is NULL");
    if (!label) label = "JSON";
    size_t max_bytes = limits ? limits->max_bytes : ATTN_JSON_DEFAULT_MAX_BYTES;
    int32_t max_depth = limits ? limits->max_depth : ATTN_JSON_DEFAULT_MAX_DEPTH;
    size_t max_values = limits ? limits->max_values : ATTN_JSON_DEFAULT_MAX_VALUES;
    if (max_bytes > UINT32_MAX) max_bytes = UINT32_MAX; /* offsets and lengths are 32-bit */
    if (max_values > UINT32_MAX) max_values = UINT32_MAX;
    if (max_depth > DEPTH_HARD_MAX) max_depth = DEPTH_HARD_MAX;
    if (len > max_bytes)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %zu bytes exceed the limit of %zu", label, len, max_bytes);

    attn__json_doc *doc = attn__calloc(ctx, 1, sizeof *doc);
    if (!doc) return ATTN_ERR_NOMEM;
    doc->ctx = ctx;
    doc->next_chunk = ARENA_FIRST_CHUNK;
    doc->label = attn__strdup(ctx, label);
    if (!doc->label) {
        attn__free(ctx, doc);
        return ATTN_ERR_NOMEM;
    }
    parser ps = {0};
    ps.ctx = ctx;
    ps.doc = doc;
    ps.begin = ps.p = buf ? buf : (const void *)"";
    ps.end = ps.begin + len;
    ps.line = 1;
    ps.max_depth = max_depth;
    ps.max_values = max_values;
    ps.max_array_items = limits ? limits->max_array_items : 0;

    attn_status st = parse_value(&ps, &doc->root);
    if (st == ATTN_OK) {
        skip_ws(&ps);
        if (ps.p < ps.end) {
            char b[16];
            st = perr(&ps, ps.p, ATTN_ERR_FORMAT, "trailing characters after the JSON value (%s)",
                      describe(&ps, ps.p, b, sizeof b));
        }
    }
    attn__free(ctx, ps.stack);
    attn__free(ctx, ps.scratch);
    if (ps.c_locale) freelocale(ps.c_locale);
    if (st != ATTN_OK) {
        attn__json_free(doc);
        return st;
    }
    *out = doc;
    return attn__ok(ctx);
}

attn_status attn__json_parse_file(attn_ctx *ctx, const char *path, const attn__json_limits *limits,
                                  attn__json_doc **out)
{
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn__json_parse_file: out is NULL");
    *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!path) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn__json_parse_file: path is NULL");
    void *buf;
    size_t len;
    ATTN_CHECK(attn__file_read_all(ctx, path, limits ? limits->max_bytes : ATTN_JSON_DEFAULT_MAX_BYTES, &buf, &len));
    attn_status st = attn__json_parse(ctx, path, buf, len, limits, out);
    attn__free(ctx, buf);
    return st;
}

/* ---- the finished tree ---- */

const attn__json *attn__json_root(const attn__json_doc *doc) { return doc ? &doc->root : NULL; }
const char *attn__json_label(const attn__json_doc *doc) { return doc ? doc->label : ""; }

attn__json_type attn__json_type_of(const attn__json *v) { return v ? (attn__json_type)v->type : ATTN_JSON_NULL; }

const char *attn__json_type_name(attn__json_type type)
{
    switch (type) {
    case ATTN_JSON_NULL: return "null";
    case ATTN_JSON_BOOL: return "boolean";
    case ATTN_JSON_NUMBER: return "number";
    case ATTN_JSON_STRING: return "string";
    case ATTN_JSON_ARRAY: return "array";
    case ATTN_JSON_OBJECT: return "object";
    default: return "unknown";
    }
}

size_t attn__json_offset(const attn__json *v) { return v ? v->offset : 0; }

int attn__json_get_bool(const attn__json *v, int *out)
{
    if (!v || v->type != ATTN_JSON_BOOL) return 0;
    *out = v->bval;
    return 1;
}

int attn__json_get_number(const attn__json *v, double *out)
{
    if (!v || v->type != ATTN_JSON_NUMBER) return 0;
    *out = v->is_int ? (double)v->u.i : v->u.num;
    return 1;
}

int attn__json_get_int64(const attn__json *v, int64_t *out)
{
    if (!v || v->type != ATTN_JSON_NUMBER || !v->is_int) return 0;
    *out = v->u.i;
    return 1;
}

const char *attn__json_get_string(const attn__json *v, size_t *len)
{
    if (!v || v->type != ATTN_JSON_STRING) return NULL;
    if (len) *len = v->count;
    return v->u.str;
}

size_t attn__json_array_size(const attn__json *v) { return v && v->type == ATTN_JSON_ARRAY ? v->count : 0; }

const attn__json *attn__json_array_at(const attn__json *v, size_t i)
{
    if (!v || v->type != ATTN_JSON_ARRAY || i >= v->count) return NULL;
    return &v->u.items[i];
}

size_t attn__json_object_size(const attn__json *v) { return v && v->type == ATTN_JSON_OBJECT ? v->count : 0; }

const char *attn__json_object_key(const attn__json *v, size_t i, size_t *key_len)
{
    if (!v || v->type != ATTN_JSON_OBJECT || i >= v->count) return NULL;
    if (key_len) *key_len = v->u.members[i].key_len;
    return v->u.members[i].key;
}

const attn__json *attn__json_object_value(const attn__json *v, size_t i)
{
    if (!v || v->type != ATTN_JSON_OBJECT || i >= v->count) return NULL;
    return &v->u.members[i].value;
}

const attn__json *attn__json_object_getn(const attn__json *v, const char *key, size_t key_len)
{
    if (!v || v->type != ATTN_JSON_OBJECT || !v->count || !key) return NULL;
    const json_member *m = v->u.members;
    const uint32_t *order = (const uint32_t *)(m + v->count);
    json_member probe = {.key = key, .key_len = (uint32_t)key_len};
    if (key_len > UINT32_MAX) return NULL;
    size_t lo = 0, hi = v->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(&m[order[mid]], &probe);
        if (c == 0) return &m[order[mid]].value;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

const attn__json *attn__json_object_get(const attn__json *v, const char *key)
{
    return key ? attn__json_object_getn(v, key, strlen(key)) : NULL;
}

attn_status attn__json_fail(const attn__json_doc *doc, const attn__json *v, attn_status status, const char *fmt, ...)
{
    if (!doc) return status;
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return attn__fail(doc->ctx, status, "%s: offset %u (line %u): %s", doc->label, v ? v->offset : 0u,
                      v ? v->line : 1u, msg);
}

/* ---- member readers ---- */

typedef enum { WANT_INT64, WANT_NUMBER, WANT_STRING, WANT_BOOL } want_kind;

static const char *want_name(want_kind w)
{
    switch (w) {
    case WANT_INT64: return "an integer";
    case WANT_NUMBER: return "a number";
    case WANT_STRING: return "a string";
    default: return "true or false";
    }
}

static attn_status read_member(const attn__json_doc *doc, const attn__json *obj, const char *key, int required,
                               want_kind want, void *out)
{
    if (!doc) return ATTN_ERR_INVALID_ARG;
    if (!key || !out) return attn__fail(doc->ctx, ATTN_ERR_INVALID_ARG, "JSON member reader: key or out is NULL");
    if (!obj || obj->type != ATTN_JSON_OBJECT)
        return attn__json_fail(doc, obj, ATTN_ERR_FORMAT, "expected an object holding \"%s\", found %s", key,
                               attn__json_type_name(attn__json_type_of(obj)));
    const attn__json *v = attn__json_object_get(obj, key);
    if (!v || v->type == ATTN_JSON_NULL) {
        if (!required) return ATTN_OK;
        if (!v) return attn__json_fail(doc, obj, ATTN_ERR_FORMAT, "missing key \"%s\"", key);
    }
    int ok = 0;
    switch (want) {
    case WANT_INT64: ok = attn__json_get_int64(v, out); break;
    case WANT_NUMBER: ok = attn__json_get_number(v, out); break;
    case WANT_BOOL: ok = attn__json_get_bool(v, out); break;
    case WANT_STRING: {
        size_t n;
        const char *s = attn__json_get_string(v, &n);
        if (s && strlen(s) != n)
            return attn__json_fail(doc, v, ATTN_ERR_FORMAT, "\"%s\" contains a NUL character", key);
        if (s) *(const char **)out = s;
        ok = s != NULL;
        break;
    }
    }
    if (!ok) {
        const char *found = attn__json_type_name(attn__json_type_of(v));
        if (want == WANT_INT64 && v->type == ATTN_JSON_NUMBER) found = "a number that is not an int64 integer literal";
        return attn__json_fail(doc, v, ATTN_ERR_FORMAT, "\"%s\" must be %s, found %s", key, want_name(want), found);
    }
    return ATTN_OK;
}

attn_status attn__json_need_int64(const attn__json_doc *doc, const attn__json *obj, const char *key, int64_t *out)
{
    return read_member(doc, obj, key, 1, WANT_INT64, out);
}
attn_status attn__json_need_number(const attn__json_doc *doc, const attn__json *obj, const char *key, double *out)
{
    return read_member(doc, obj, key, 1, WANT_NUMBER, out);
}
attn_status attn__json_need_string(const attn__json_doc *doc, const attn__json *obj, const char *key, const char **out)
{
    return read_member(doc, obj, key, 1, WANT_STRING, out);
}
attn_status attn__json_need_bool(const attn__json_doc *doc, const attn__json *obj, const char *key, int *out)
{
    return read_member(doc, obj, key, 1, WANT_BOOL, out);
}
attn_status attn__json_opt_int64(const attn__json_doc *doc, const attn__json *obj, const char *key, int64_t *out)
{
    return read_member(doc, obj, key, 0, WANT_INT64, out);
}
attn_status attn__json_opt_number(const attn__json_doc *doc, const attn__json *obj, const char *key, double *out)
{
    return read_member(doc, obj, key, 0, WANT_NUMBER, out);
}
attn_status attn__json_opt_string(const attn__json_doc *doc, const attn__json *obj, const char *key, const char **out)
{
    return read_member(doc, obj, key, 0, WANT_STRING, out);
}
attn_status attn__json_opt_bool(const attn__json_doc *doc, const attn__json *obj, const char *key, int *out)
{
    return read_member(doc, obj, key, 0, WANT_BOOL, out);
}
