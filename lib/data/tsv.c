/* TSV data sets: `label<TAB>text` lines. The format is strict where a
 * silent guess would lose or mislabel data (a missing TAB, a label with
 * stray spaces, invalid UTF-8 are errors with the line number) and lenient
 * only where nothing is lost (LF, CRLF or CR line ends, blank lines, which
 * are counted). */
#include <stdio.h>
#include <string.h>

#include "data_internal.h"
#include "io/file.h"

typedef struct {
    attn__dataset_builder *b;
    const char *fn;
    const char *source;
    char *unescaped;  /* room for one line */
} tsv_reader;

static int is_control_at(const unsigned char *s, size_t n)
{
    return s[0] < 0x20 || s[0] == 0x7F || (s[0] == 0xC2 && n >= 2 && s[1] >= 0x80 && s[1] <= 0x9F);
}

/* Decodes \n, \t and \\ of text into r->unescaped; any other backslash is an error. */
static attn_status unescape(tsv_reader *r, int64_t line_no, size_t column0, const char *text, size_t len,
                            size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\\') {
            r->unescaped[o++] = text[i];
            continue;
        }
        char next = i + 1 < len ? text[i + 1] : '\0';
        if (next == 'n') r->unescaped[o++] = '\n';
        else if (next == 't') r->unescaped[o++] = '\t';
        else if (next == '\\') r->unescaped[o++] = '\\';
        else if (i + 1 >= len)
            return attn__fail(r->b->ctx, ATTN_ERR_FORMAT, "%s: %s:%lld, byte %zu: backslash at the end of the line",
                              r->fn, r->source, (long long)line_no, column0 + i + 1);
        else
            return attn__fail(r->b->ctx, ATTN_ERR_FORMAT,
                              "%s: %s:%lld, byte %zu: unknown escape \"\\%c\" (tsv_escapes allows \\n, \\t and \\\\)",
                              r->fn, r->source, (long long)line_no, column0 + i + 1,
                              (unsigned char)next < 0x80 && (unsigned char)next >= 0x20 ? next : '?');
        i++;
    }
    *out_len = o;
    return ATTN_OK;
}

static attn_status read_line(tsv_reader *r, int64_t line_no, const char *line, size_t len)
{
    attn__dataset_builder *b = r->b;
    attn_ctx *ctx = b->ctx;
    if (len > ATTN_DATASET_MAX_RECORD_BYTES)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %s:%lld: line of %zu bytes, more than the limit of %d", r->fn,
                          r->source, (long long)line_no, len, ATTN_DATASET_MAX_RECORD_BYTES);
    const char *nul = memchr(line, '\0', len);
    if (nul)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %s:%lld, byte %zu: NUL byte", r->fn, r->source,
                          (long long)line_no, (size_t)(nul - line) + 1);
    size_t valid = attn__utf8_valid_prefix(line, len);
    if (valid < len)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %s:%lld, byte %zu: invalid UTF-8 (byte 0x%02X)", r->fn,
                          r->source, (long long)line_no, valid + 1, (unsigned)(unsigned char)line[valid]);
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == len) {
        b->stats[ATTN_DATASET_STAT_BLANK_LINES]++;
        return ATTN_OK;
    }
    const char *tab = memchr(line, '\t', len);
    if (!tab)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %s:%lld: no TAB between label and text", r->fn, r->source,
                          (long long)line_no);
    size_t label_len = (size_t)(tab - line);
    if (label_len == 0)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %s:%lld: empty label (the line starts with a TAB)", r->fn,
                          r->source, (long long)line_no);
    if (label_len > ATTN_DATASET_MAX_LABEL_BYTES)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %s:%lld: label of %zu bytes, more than the limit of %d", r->fn,
                          r->source, (long long)line_no, label_len, ATTN_DATASET_MAX_LABEL_BYTES);
    for (size_t j = 0; j < label_len; j++)
        if (is_control_at((const unsigned char *)line + j, label_len - j))
            return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %s:%lld, byte %zu: control character in the label", r->fn,
                              r->source, (long long)line_no, j + 1);
    if (line[0] == ' ' || line[label_len - 1] == ' ')
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %s:%lld: the label \"%.*s\" starts or ends with a space", r->fn,
                          r->source, (long long)line_no, (int)label_len, line);
    const char *text = tab + 1;
    size_t text_len = len - label_len - 1;
    if (b->opts.tsv_escapes) {
        ATTN_CHECK(unescape(r, line_no, label_len + 1, text, text_len, &text_len));
        text = r->unescaped;
    }
    char where[512];
    snprintf(where, sizeof where, "%s: %s:%lld", r->fn, r->source, (long long)line_no);
    int32_t label;
    int empty;
    ATTN_CHECK(attn__builder_label(b, line, label_len, where, &label));
    ATTN_CHECK(attn__builder_add(b, label, text, text_len, 0, &empty));
    if (empty)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %s:%lld: empty text%s", r->fn, r->source, (long long)line_no,
                          b->opts.raw_text ? "" : " (after removing control characters)");
    return ATTN_OK;
}

static attn_status load(attn_ctx *ctx, const char *fn, const char *source, const char *data, size_t len,
                        const attn_dataset_opts *opts, attn_dataset **out)
{
    attn__dataset_builder b;
    tsv_reader r = {&b, fn, source, NULL};
    attn_status st = attn__builder_init(&b, ctx, fn, opts);
    if (st != ATTN_OK) goto done;
    if (len > ATTN_DATASET_MAX_INPUT_BYTES) {
        st = attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %s has %zu bytes, more than the limit of %d", fn, source, len,
                        ATTN_DATASET_MAX_INPUT_BYTES);
        goto done;
    }
    if (b.opts.tsv_escapes) {
        size_t longest = len < ATTN_DATASET_MAX_RECORD_BYTES ? len : ATTN_DATASET_MAX_RECORD_BYTES;
        if (!(r.unescaped = attn__alloc(ctx, longest + 1))) {
            st = ATTN_ERR_NOMEM;
            goto done;
        }
    }
    /* A line ends at LF, CRLF or a lone CR (old Mac files): reading only
     * LF once merged every record of a CR-only file into one line. A CR
     * inside a record therefore ends it, and the rest must be a record of
     * its own (or the message names its line): never silently merged. */
    size_t pos = 0;
    for (int64_t line_no = 1; pos < len; line_no++) {
        size_t end = pos;
        while (end < len && data[end] != '\n' && data[end] != '\r') end++;
        if ((st = read_line(&r, line_no, data + pos, end - pos)) != ATTN_OK) goto done;
        pos = end + (end + 1 < len && data[end] == '\r' && data[end + 1] == '\n' ? 2 : 1);
    }
    st = attn__builder_finish(&b, fn, source, out);
done:
    attn__free(ctx, r.unescaped);
    attn__builder_free(&b);
    return st;
}

attn_status attn_dataset_load_tsv_buffer(attn_ctx *ctx, const char *data, size_t len,
                                         const attn_dataset_opts *opts, attn_dataset **out)
{
    static const char fn[] = "attn_dataset_load_tsv_buffer";
    if (out) *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out || (!data && len > 0))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out must not be NULL, nor data when len > 0", fn);
    return load(ctx, fn, "<buffer>", data, len, opts, out);
}

attn_status attn_dataset_load_tsv(attn_ctx *ctx, const char *path, const attn_dataset_opts *opts,
                                  attn_dataset **out)
{
    static const char fn[] = "attn_dataset_load_tsv";
    if (out) *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out || !path) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: path and out must not be NULL", fn);
    void *data;
    size_t len;
    ATTN_CHECK(attn__file_read_all(ctx, path, ATTN_DATASET_MAX_INPUT_BYTES, &data, &len));
    attn_status st = load(ctx, fn, path, data, len, opts, out);
    attn__free(ctx, data);
    return st;
}
