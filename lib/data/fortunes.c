/* Debian fortunes files (strfile's text format): entries separated by
 * lines holding only "%", read as bytes so that any file loads (invalid
 * UTF-8 goes through the Latin-1 fallback in the builder). The .dat index
 * files next to them are not needed: they only hold offsets. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "io/file.h"

static const char *const default_categories[] = {"computers", "politics", "science", "songs-poems"};

static int is_separator(const char *line, size_t len)
{
    return (len == 1 && line[0] == '%') || (len == 2 && line[0] == '%' && line[1] == '\r');
}

attn_status attn__fortunes_parse(attn__dataset_builder *b, const char *fn, const char *path, int32_t label,
                                 const char *data, size_t len)
{
    size_t entry_start = 0, pos = 0;
    int64_t line_no = 1, entry_line = 1;
    while (pos <= len) {
        const char *nl = pos < len ? memchr(data + pos, '\n', len - pos) : NULL;
        size_t end = nl ? (size_t)(nl - data) : len;
        int separator = is_separator(data + pos, end - pos);
        int last = nl == NULL;
        if (separator || last) {
            size_t entry_end = separator ? pos : len;
            if (entry_end > entry_start) {
                if (entry_end - entry_start > ATTN_DATASET_MAX_RECORD_BYTES)
                    return attn__fail(b->ctx, ATTN_ERR_LIMIT, "%s: %s:%lld: entry of %zu bytes, more than the limit of %d",
                                      fn, path, (long long)entry_line, entry_end - entry_start,
                                      ATTN_DATASET_MAX_RECORD_BYTES);
                int empty;
                ATTN_CHECK(attn__builder_add(b, label, data + entry_start, entry_end - entry_start, 1, &empty));
                if (empty) b->stats[ATTN_DATASET_STAT_EMPTY_DROPPED]++;
            }
            entry_start = end + 1;
            entry_line = line_no + 1;
        }
        if (last) break;
        pos = end + 1;
        line_no++;
    }
    return ATTN_OK;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static attn_status check_category(attn_ctx *ctx, const char *fn, const char *name, int32_t i)
{
    if (!name) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: categories[%d] is NULL", fn, (int)i);
    size_t n = strlen(name);
    if (n == 0 || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                          "%s: categories[%d] \"%s\" is not a file name (empty, \".\", \"..\" or with '/')", fn, (int)i,
                          name);
    if (n > ATTN_DATASET_MAX_LABEL_BYTES)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: categories[%d] is %zu bytes long, more than %d", fn, (int)i,
                          n, ATTN_DATASET_MAX_LABEL_BYTES);
    return ATTN_OK;
}

attn_status attn_dataset_load_fortunes(attn_ctx *ctx, const char *dir, const char *const *categories,
                                       int32_t n_categories, const attn_dataset_opts *opts, attn_dataset **out)
{
    static const char fn[] = "attn_dataset_load_fortunes";
    if (out) *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out must not be NULL", fn);
    if (!categories && n_categories == 0) {
        categories = default_categories;
        n_categories = (int32_t)(sizeof default_categories / sizeof default_categories[0]);
    }
    if (!categories || n_categories < 1 || n_categories > ATTN_DATASET_MAX_LABELS)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                          "%s: %d categories%s; give 1 to %d names, or NULL and 0 for the default task", fn,
                          (int)n_categories, categories ? "" : " from a NULL list", ATTN_DATASET_MAX_LABELS);
    if (!dir) dir = ATTN_DATASET_FORTUNES_DIR;
    for (int32_t i = 0; i < n_categories; i++) ATTN_CHECK(check_category(ctx, fn, categories[i], i));

    attn__dataset_builder b;
    attn_status st = attn__builder_init(&b, ctx, fn, opts);
    /* files in name order: the examples then come in label order whatever
     * order the caller listed the categories in */
    const char **sorted = NULL;
    char *path = NULL;
    void *data = NULL;
    size_t total = 0;
    if (st != ATTN_OK) goto done;
    st = ATTN_ERR_NOMEM;
    sorted = attn__alloc(ctx, (size_t)n_categories * sizeof *sorted);
    path = attn__alloc(ctx, strlen(dir) + ATTN_DATASET_MAX_LABEL_BYTES + 2);
    if (!sorted || !path) goto done;
    memcpy(sorted, categories, (size_t)n_categories * sizeof *sorted);
    qsort(sorted, (size_t)n_categories, sizeof *sorted, by_string);
    for (int32_t i = 1; i < n_categories; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0) {
            st = attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: category \"%s\" is listed twice", fn, sorted[i]);
            goto done;
        }
    for (int32_t i = 0; i < n_categories; i++) {
        int32_t label;
        size_t len;
        strcpy(path, dir);
        strcat(path, "/");
        strcat(path, sorted[i]);
        if ((st = attn__builder_label(&b, sorted[i], strlen(sorted[i]), path, &label)) != ATTN_OK) goto done;
        if ((st = attn__file_read_all(ctx, path, ATTN_DATASET_MAX_INPUT_BYTES - total, &data, &len)) != ATTN_OK) {
            if (st == ATTN_ERR_LIMIT && total > 0)
                attn__fail(ctx, st, "%s: the files read so far and %s together exceed the limit of %d bytes", fn,
                           path, ATTN_DATASET_MAX_INPUT_BYTES);
            goto done;
        }
        total += len;
        if ((st = attn__fortunes_parse(&b, fn, path, label, data, len)) != ATTN_OK) goto done;
        attn__free(ctx, data);
        data = NULL;
    }
    st = attn__builder_finish(&b, fn, dir, out);
done:
    attn__free(ctx, data);
    attn__free(ctx, path);
    attn__free(ctx, sorted);
    attn__builder_free(&b);
    return st;
}
