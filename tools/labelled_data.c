/* Labelled TSV files for attn train and attn eval (see labelled_data.h). */
#include "labelled_data.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* More bad lines than this and the file is probably not what the user meant. */
#define MAX_BAD_LINES 100

typedef struct text_file {
    char *data;
    size_t len;
    size_t *line_start; /* [lines + 1]; line i (from 0) is [line_start[i], line_start[i+1]) with its LF */
    int64_t lines;
} text_file;

static void text_file_free(text_file *f)
{
    free(f->data);
    free(f->line_start);
}

static int read_text_file(const char *cmd, const char *path, text_file *f)
{
    memset(f, 0, sizeof *f);
    /* O_NONBLOCK: a FIFO given as a data file is refused instead of waited on */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0) {
        fprintf(stderr, "attn %s: %s: %s\n", cmd, path, strerror(errno));
        return 1;
    }
    FILE *in = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? fdopen(fd, "rb") : NULL;
    if (!in) {
        fprintf(stderr, "attn %s: %s is not a regular file\n", cmd, path);
        close(fd);
        return 1;
    }
    if ((uint64_t)sb.st_size > ATTN_DATASET_MAX_INPUT_BYTES) {
        fprintf(stderr, "attn %s: %s has %lld bytes, more than the limit of %d\n", cmd, path, (long long)sb.st_size,
                ATTN_DATASET_MAX_INPUT_BYTES);
        fclose(in);
        return 1;
    }
    f->data = malloc((size_t)sb.st_size + 1);
    if (!f->data) {
        fclose(in);
        fprintf(stderr, "attn %s: out of memory reading %s\n", cmd, path);
        return 1;
    }
    f->len = fread(f->data, 1, (size_t)sb.st_size, in);
    int err = ferror(in);
    fclose(in);
    if (err) {
        fprintf(stderr, "attn %s: %s: read error\n", cmd, path);
        return 1;
    }
    int64_t lines = 0;
    for (size_t i = 0; i < f->len; i++) lines += f->data[i] == '\n';
    if (f->len && f->data[f->len - 1] != '\n') lines++;
    f->lines = lines;
    f->line_start = malloc((size_t)(lines + 1) * sizeof *f->line_start);
    if (!f->line_start) {
        fprintf(stderr, "attn %s: out of memory reading %s\n", cmd, path);
        return 1;
    }
    int64_t l = 0;
    f->line_start[0] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->data[i] == '\n') f->line_start[++l] = i + 1;
    f->line_start[lines] = f->len;
    return 0;
}

/* Line i without its LF and CR: [*b, *e). */
static void line_span(const text_file *f, int64_t i, size_t *b, size_t *e)
{
    *b = f->line_start[i];
    *e = f->line_start[i + 1];
    if (*e > *b && f->data[*e - 1] == '\n') (*e)--;
    if (*e > *b && f->data[*e - 1] == '\r') (*e)--;
}

static int span_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}

/* Blanking keeps the line (and the numbering); the library skips a line
 * of spaces and counts it. */
static void blank_line(text_file *f, int64_t i)
{
    size_t b, e;
    line_span(f, i, &b, &e);
    memset(f->data + b, ' ', e - b);
}

/* A blanked line can still be too long for the library (a line over
 * ATTN_DATASET_MAX_RECORD_BYTES stays one as spaces): remove its bytes,
 * keeping its LF so that the numbering holds. */
static void erase_line(text_file *f, int64_t i)
{
    size_t b, e;
    line_span(f, i, &b, &e);
    size_t gone = e - b;
    memmove(f->data + b, f->data + e, f->len - e);
    f->len -= gone;
    for (int64_t j = i + 1; j <= f->lines; j++) f->line_start[j] -= gone;
}

static int parse_number(const char *s, size_t n, double *out)
{
    char buf[64], *end;
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    *out = strtod(buf, &end);
    return !errno && *end == '\0' && isfinite(*out);
}

/* "1,0,1" or "1 0 1": values (when not NULL) and their count; 0 if malformed. */
static int32_t parse_multi_hot(const char *s, size_t n, float *values, int32_t cap)
{
    int32_t k = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] != '0' && s[i] != '1') return 0;
        if (k == cap) return 0;
        if (values) values[k] = (float)(s[i] - '0');
        k++;
        i++;
        if (i == n) break;
        if (s[i] != ',' && s[i] != ' ') return 0;
        i++;
        if (i == n) return 0;
    }
    return k;
}

static int label_ok(int32_t problem, const char *s, size_t n, int32_t *width)
{
    double v;
    if (problem == ATTN_PROBLEM_REGRESSION) return parse_number(s, n, &v);
    if (problem != ATTN_PROBLEM_MULTI_LABEL) return 1;
    int32_t k = parse_multi_hot(s, n, NULL, 1 << 20);
    if (k == 0) return 0;
    if (*width == 0) *width = k;
    return k == *width;
}

static int word_in(const char *s, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && strncasecmp(s, *words, n) == 0) return 1;
    return 0;
}

/* Fields of a line: label [lb, le) and text [tb, te), in the file's order. */
static int fields(const text_file *f, int64_t i, int text_first, size_t *lb, size_t *le, size_t *tb, size_t *te)
{
    size_t b, e;
    line_span(f, i, &b, &e);
    const char *s = f->data;
    size_t tab = e;
    if (text_first) {
        for (size_t j = e; j > b; j--)
            if (s[j - 1] == '\t') {
                tab = j - 1;
                break;
            }
    } else {
        for (size_t j = b; j < e; j++)
            if (s[j] == '\t') {
                tab = j;
                break;
            }
    }
    if (tab == e) return 0;
    if (text_first) *tb = b, *te = tab, *lb = tab + 1, *le = e;
    else *lb = b, *le = tab, *tb = tab + 1, *te = e;
    return 1;
}

/* text<TAB>label becomes label<TAB>text: the same bytes, the same length. */
static int swap_columns(text_file *f)
{
    char *tmp = malloc(f->len + 1);
    if (!tmp) return 1;
    for (int64_t i = 0; i < f->lines; i++) {
        size_t lb, le, tb, te;
        if (!fields(f, i, 1, &lb, &le, &tb, &te)) continue;
        size_t at = tb;
        memcpy(tmp + at, f->data + lb, le - lb);
        at += le - lb;
        tmp[at++] = '\t';
        memcpy(tmp + at, f->data + tb, te - tb);
        memcpy(f->data + tb, tmp + tb, le - tb);
    }
    free(tmp);
    return 0;
}

/* A header is recognised by its words, or (numbers and multi-hot labels) by
 * a first label that does not parse when the next lines' labels do. */
static int looks_like_header(const text_file *f, int64_t first, int32_t problem)
{
    static const char *const label_words[] = {"label", "labels", "class", "category", "categories", "target",
                                              "tag", "tags", "score", "value", "sentiment", NULL};
    static const char *const text_words[] = {"text", "texts", "sentence", "review", "document", "content", "body",
                                             "message", NULL};
    size_t lb, le, tb, te;
    if (!fields(f, first, 0, &lb, &le, &tb, &te)) return 0;
    if (problem == ATTN_PROBLEM_SINGLE_LABEL) {
        if (!word_in(f->data + lb, le - lb, label_words) && !word_in(f->data + tb, te - tb, text_words)) return 0;
        /* a label that other lines carry too is a class, not a column name */
        for (int64_t i = first + 1; i < f->lines; i++) {
            size_t b2, e2, t2, u2;
            if (fields(f, i, 0, &b2, &e2, &t2, &u2) && e2 - b2 == le - lb && memcmp(f->data + b2, f->data + lb, le - lb) == 0)
                return 0;
        }
        return 1;
    }
    if (word_in(f->data + lb, le - lb, label_words) || word_in(f->data + tb, te - tb, text_words)) return 1;
    int32_t width = 0;
    if (label_ok(problem, f->data + lb, le - lb, &width)) return 0;
    for (int64_t i = first + 1, seen = 0; i < f->lines && seen < 3; i++) {
        size_t b2, e2, t2, u2;
        if (!fields(f, i, 0, &b2, &e2, &t2, &u2)) continue;
        seen++;
        width = 0;
        if (label_ok(problem, f->data + b2, e2 - b2, &width)) return 1;
    }
    return 0;
}

/* The columns look swapped when most first fields are sentences and the
 * last fields are few distinct words (or numbers for regression). */
static int looks_swapped(const text_file *f, int32_t problem, int64_t *n_lines, int64_t *distinct_out)
{
    enum { MAX_DISTINCT = 64 };
    size_t db[MAX_DISTINCT], dl[MAX_DISTINCT];
    int64_t distinct = 0, n = 0, first_spaced = 0, last_word = 0, first_number = 0, last_number = 0;
    for (int64_t i = 0; i < f->lines; i++) {
        size_t lb, le, tb, te, xb, xe, yb, ye;
        if (!fields(f, i, 0, &lb, &le, &tb, &te) || !fields(f, i, 1, &yb, &ye, &xb, &xe)) continue;
        n++;
        first_spaced += memchr(f->data + lb, ' ', le - lb) != NULL;
        last_word += memchr(f->data + yb, ' ', ye - yb) == NULL && ye > yb;
        double v;
        first_number += parse_number(f->data + lb, le - lb, &v);
        last_number += parse_number(f->data + yb, ye - yb, &v);
        int64_t d = 0;
        while (d < distinct && !(dl[d] == ye - yb && memcmp(f->data + db[d], f->data + yb, dl[d]) == 0)) d++;
        if (d == distinct && distinct < MAX_DISTINCT) db[distinct] = yb, dl[distinct++] = ye - yb;
    }
    *n_lines = n;
    *distinct_out = distinct;
    if (n < 4) return 0;
    if (problem == ATTN_PROBLEM_REGRESSION) return first_number * 5 < n && last_number * 10 >= n * 9;
    return first_spaced * 5 >= n * 4 && last_word * 10 >= n * 9 && distinct < MAX_DISTINCT && distinct * 4 <= n;
}

/* A library message about the buffer, said about the file: "FILE holds no
 * example ..." for "attn_dataset_load_tsv_buffer: <buffer> holds no example ...". */
static void print_about_file(const char *cmd, const char *path, const char *msg)
{
    const char *at = strstr(msg, "<buffer>");
    if (!at) {
        fprintf(stderr, "attn %s: %s: %s\n", cmd, path, msg);
        return;
    }
    fprintf(stderr, "attn %s: %s%s\n", cmd, path, at + 8);
}

/* "<buffer>:LINE..." in a library message: the line, and where the rest starts. */
static int64_t buffer_line(const char *msg, const char **rest)
{
    const char *at = strstr(msg, "<buffer>:");
    if (!at) return -1;
    char *end;
    long long line = strtoll(at + 9, &end, 10);
    *rest = end;
    return end == at + 9 ? -1 : line;
}

int data_load_tsv(attn_ctx *ctx, const char *path, const data_opts *o, attn_dataset **ds)
{
    const char *cmd = o->cmd;
    text_file f;
    *ds = NULL;
    if (read_text_file(cmd, path, &f)) {
        text_file_free(&f);
        return 1;
    }
    int rc = 1;
    int64_t bad = 0, first = 0;
    if (o->text_first && swap_columns(&f)) {
        fprintf(stderr, "attn %s: out of memory\n", cmd);
        goto done;
    }
    int64_t n_lines, distinct;
    if (!o->text_first && looks_swapped(&f, o->problem, &n_lines, &distinct)) {
        fprintf(stderr,
                "attn %s: %s: the columns look swapped: most of its %lld lines hold a sentence before the first TAB "
                "and one of %lld values after the last; the file must be label<TAB>text (or pass --columns "
                "text,label)\n",
                cmd, path, (long long)n_lines, (long long)distinct);
        goto done;
    }
    while (first < f.lines) {
        size_t b, e;
        line_span(&f, first, &b, &e);
        if (!span_blank(f.data + b, e - b)) break;
        first++;
    }
    if (first < f.lines && looks_like_header(&f, first, o->problem)) {
        size_t b, e;
        line_span(&f, first, &b, &e);
        fprintf(stderr, "attn %s: warning: %s:%lld looks like a header (\"%.*s\"); skipped\n", cmd, path,
                (long long)first + 1, (int)(e - b > 60 ? 60 : e - b), f.data + b);
        blank_line(&f, first);
    }
    /* labels the library accepts as names but the problem type cannot read */
    int32_t width = 0;
    for (int64_t i = 0; i < f.lines && o->problem != ATTN_PROBLEM_SINGLE_LABEL; i++) {
        size_t lb, le, tb, te;
        if (!fields(&f, i, 0, &lb, &le, &tb, &te) || label_ok(o->problem, f.data + lb, le - lb, &width)) continue;
        fprintf(stderr, "attn %s: %s:%lld: the label \"%.*s\" is not %s%s\n", cmd, path, (long long)i + 1,
                (int)(le - lb > 40 ? 40 : le - lb), f.data + lb,
                o->problem == ATTN_PROBLEM_REGRESSION ? "a number (--problem regression)"
                                                      : "0/1 values like the first label's (--problem multi-label)",
                o->skip_bad ? " (line skipped)" : " (pass --on-bad-line skip to leave such lines out)");
        if (!o->skip_bad || ++bad > MAX_BAD_LINES) goto too_many;
        blank_line(&f, i);
    }
    attn_dataset_opts dopts;
    memset(&dopts, 0, sizeof dopts);
    dopts.struct_size = sizeof dopts;
    dopts.strip_attribution = o->strip_attribution;
    for (;;) {
        attn_status st = attn_dataset_load_tsv_buffer(ctx, f.data, f.len, &dopts, ds);
        if (st == ATTN_OK) break;
        const char *rest = "";
        int64_t line = buffer_line(attn_ctx_last_error(ctx), &rest);
        if (line < 1 || line > f.lines) {
            print_about_file(cmd, path, attn_ctx_last_error(ctx));
            goto done;
        }
        size_t b, e;
        line_span(&f, line - 1, &b, &e);
        if (span_blank(f.data + b, e - b)) { /* reported already; its length is what the library still sees */
            erase_line(&f, line - 1);
            continue;
        }
        fprintf(stderr, "attn %s: %s:%lld%s%s\n", cmd, path, (long long)line, rest,
                o->skip_bad ? " (line skipped)" : " (pass --on-bad-line skip to leave such lines out)");
        if (!o->skip_bad || ++bad > MAX_BAD_LINES) goto too_many;
        blank_line(&f, line - 1);
    }
    if (bad) fprintf(stderr, "attn %s: warning: %s: %lld bad line%s left out\n", cmd, path, (long long)bad, bad == 1 ? "" : "s");
    rc = 0;
    goto done;
too_many:
    if (o->skip_bad) fprintf(stderr, "attn %s: %s: more than %d bad lines; is this the right file?\n", cmd, path, MAX_BAD_LINES);
done:
    text_file_free(&f);
    return rc;
}

static char *copy_string(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

int label_space_from_names(label_space *space, int32_t problem, int32_t k, const char *const *names)
{
    memset(space, 0, sizeof *space);
    space->problem = problem;
    space->k = k;
    space->names = calloc((size_t)k, sizeof *space->names);
    if (!space->names) return 1;
    for (int32_t c = 0; c < k; c++) {
        char fallback[32];
        snprintf(fallback, sizeof fallback, "LABEL_%d", (int)c);
        const char *name = names && names[c] ? names[c] : fallback;
        if (!(space->names[c] = copy_string(name, strlen(name)))) return 1;
    }
    return 0;
}

void label_space_free(label_space *space)
{
    for (int32_t c = 0; space->names && c < space->k; c++) free(space->names[c]);
    free(space->names);
    memset(space, 0, sizeof *space);
}

int label_space_from_data(const char *cmd, const attn_dataset *ds, const char *path, int32_t problem,
                          const char *names, label_space *space)
{
    int32_t n = attn_dataset_num_labels(ds);
    memset(space, 0, sizeof *space);
    if (problem == ATTN_PROBLEM_SINGLE_LABEL) {
        if (n < 2) {
            fprintf(stderr,
                    "attn %s: %s has a single label (\"%s\"): a classifier needs at least two (is the label the "
                    "first column? for numbers use --problem regression)\n",
                    cmd, path, n == 1 ? attn_dataset_label_name(ds, 0) : "");
            return 1;
        }
        const char **v = calloc((size_t)n, sizeof *v);
        if (!v) return 1;
        for (int32_t c = 0; c < n; c++) v[c] = attn_dataset_label_name(ds, c);
        int rc = label_space_from_names(space, problem, n, v);
        free(v);
        return rc;
    }
    if (problem == ATTN_PROBLEM_REGRESSION) {
        const char *value = "value";
        if (n < 2) fprintf(stderr, "attn %s: warning: every example of %s has the same value\n", cmd, path);
        return label_space_from_names(space, problem, 1, &value);
    }
    const char *first = attn_dataset_label_name(ds, 0);
    int32_t width = parse_multi_hot(first, strlen(first), NULL, 1 << 20);
    if (width < 1) {
        fprintf(stderr, "attn %s: %s: the label \"%s\" is not multi-hot\n", cmd, path, first);
        return 1;
    }
    char *copy = names ? copy_string(names, strlen(names)) : NULL;
    const char **v = calloc((size_t)width, sizeof *v);
    int32_t given = 0;
    if (!v || (names && !copy)) {
        free(copy);
        free(v);
        return 1;
    }
    for (char *save = NULL, *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        if (given < width) v[given] = tok;
        given++;
    }
    int rc = 0;
    if (names && given != width) {
        fprintf(stderr, "attn %s: --label-names gives %d names for %d multi-hot values per label\n", cmd, (int)given,
                (int)width);
        rc = 1;
    }
    if (!rc) rc = label_space_from_names(space, problem, width, v);
    free(copy);
    free(v);
    return rc;
}

int label_map_build(const char *cmd, const attn_dataset *ds, const char *path, const label_space *space, label_map *map)
{
    int32_t n = attn_dataset_num_labels(ds);
    memset(map, 0, sizeof *map);
    map->problem = space->problem;
    map->width = space->problem == ATTN_PROBLEM_SINGLE_LABEL ? 1 : space->k;
    map->n_file_labels = n;
    map->class_of = calloc((size_t)n + 1, sizeof *map->class_of);
    map->values = calloc(((size_t)n + 1) * (size_t)map->width, sizeof *map->values);
    if (!map->class_of || !map->values) {
        fprintf(stderr, "attn %s: out of memory\n", cmd);
        return 1;
    }
    for (int32_t l = 0; l < n; l++) {
        const char *name = attn_dataset_label_name(ds, l);
        if (space->problem == ATTN_PROBLEM_SINGLE_LABEL) {
            int32_t c = 0;
            while (c < space->k && strcmp(space->names[c], name) != 0) c++;
            if (c == space->k) {
                fprintf(stderr, "attn %s: %s: the label \"%s\" (%lld examples) is not one of the model's %d labels\n",
                        cmd, path, name, (long long)attn_dataset_count(ds, -1, l), (int)space->k);
                return 1;
            }
            map->class_of[l] = c;
        } else if (space->problem == ATTN_PROBLEM_REGRESSION) {
            double v;
            if (!parse_number(name, strlen(name), &v)) return 1; /* data_load_tsv checked every label */
            map->values[l] = (float)v;
        } else if (parse_multi_hot(name, strlen(name), map->values + (int64_t)l * map->width, map->width) != map->width) {
            fprintf(stderr, "attn %s: %s: the label \"%s\" does not have the model's %d values\n", cmd, path, name,
                    (int)map->width);
            return 1;
        }
    }
    return 0;
}

typedef struct keyed {
    uint64_t hash;
    int64_t index;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    uint64_t x = ((const keyed *)a)->hash, y = ((const keyed *)b)->hash;
    return x < y ? -1 : x > y;
}

int64_t data_overlap(const attn_dataset *ds, uint32_t mask, const attn_dataset *other)
{
    int64_t n = attn_dataset_size(ds), m = 0, found = 0;
    keyed *keys = malloc((size_t)(n ? n : 1) * sizeof *keys);
    if (!keys) return -1;
    for (int64_t i = 0; i < n; i++) {
        int32_t s = attn_dataset_split(ds, i);
        if (s < 0 || !(mask >> s & 1u)) continue;
        const char *t = attn_dataset_text(ds, i);
        keys[m].hash = attn_dataset_hash(t, strlen(t));
        keys[m++].index = i;
    }
    qsort(keys, (size_t)m, sizeof *keys, cmp_keyed);
    for (int64_t j = 0; j < attn_dataset_size(other); j++) {
        const char *t = attn_dataset_text(other, j);
        keyed key = {attn_dataset_hash(t, strlen(t)), 0};
        const keyed *hit = bsearch(&key, keys, (size_t)m, sizeof *keys, cmp_keyed);
        if (!hit) continue;
        /* equal hashes sit together: look at every one of them */
        while (hit > keys && hit[-1].hash == key.hash) hit--;
        for (; hit < keys + m && hit->hash == key.hash; hit++)
            if (strcmp(attn_dataset_text(ds, hit->index), t) == 0) {
                found++;
                break;
            }
    }
    free(keys);
    return found;
}
