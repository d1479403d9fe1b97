/* What a file looks like, so that a weights file passed as a config (or a
 * vocabulary passed as weights) is named for what it is instead of being
 * reported by the parser that choked on it ("header length
 * 6560070501446799451" is the first 8 bytes of "[PAD]\n[u" read as a
 * number). Only the first bytes are read. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef enum { KIND_UNREADABLE, KIND_NOT_REGULAR, KIND_EMPTY, KIND_SAFETENSORS, KIND_JSON, KIND_TEXT, KIND_BINARY } kind;

typedef struct {
    kind k;
    unsigned char head[512];
    size_t len;
    int64_t size;
} sniff;

static void take(sniff *s, const char *path)
{
    memset(s, 0, sizeof *s);
    /* O_NONBLOCK: a FIFO named like a model must not hang the command */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        s->k = KIND_UNREADABLE;
        if (fd >= 0) close(fd);
        return;
    }
    if (!S_ISREG(sb.st_mode)) {
        s->k = KIND_NOT_REGULAR;
        close(fd);
        return;
    }
    s->size = (int64_t)sb.st_size;
    ssize_t got = read(fd, s->head, sizeof s->head);
    close(fd);
    if (got < 0) {
        s->k = KIND_UNREADABLE;
        return;
    }
    s->len = (size_t)got;
    if (s->len == 0) {
        s->k = KIND_EMPTY;
        return;
    }
    if (s->len >= 9) {
        uint64_t n = 0;
        for (int i = 7; i >= 0; i--) n = n << 8 | s->head[i];
        if (n + 8 <= (uint64_t)s->size && s->head[8] == '{') {
            s->k = KIND_SAFETENSORS;
            return;
        }
    }
    size_t i = s->len >= 3 && memcmp(s->head, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (i < s->len && (s->head[i] == ' ' || s->head[i] == '\t' || s->head[i] == '\n' || s->head[i] == '\r')) i++;
    if (i < s->len && s->head[i] == '{') {
        s->k = KIND_JSON;
        return;
    }
    for (size_t j = 0; j < s->len; j++)
        if (s->head[j] < 0x20 && s->head[j] != '\t' && s->head[j] != '\n' && s->head[j] != '\r') {
            s->k = KIND_BINARY;
            return;
        }
    s->k = KIND_TEXT;
}

/* "text, one token per line, like a WordPiece vocabulary (it starts with "[PAD]")" */
static void describe(const sniff *s, char *buf, size_t size)
{
    char first[48];
    size_t n = 0;
    while (n < s->len && n < sizeof first - 1 && s->head[n] != '\n' && s->head[n] != '\r') {
        first[n] = s->head[n] >= 0x20 && s->head[n] < 0x7f ? (char)s->head[n] : '?';
        n++;
    }
    first[n] = '\0';
    switch (s->k) {
    case KIND_SAFETENSORS: snprintf(buf, size, "it is a safetensors weights file"); return;
    case KIND_JSON: snprintf(buf, size, "it is a JSON file (it starts with \"%.40s\")", first); return;
    case KIND_EMPTY: snprintf(buf, size, "it is empty"); return;
    case KIND_NOT_REGULAR: snprintf(buf, size, "it is not a regular file"); return;
    case KIND_BINARY: snprintf(buf, size, "it holds binary data that is not safetensors"); return;
    default: break;
    }
    int tabs = memchr(s->head, '\t', s->len) != NULL, spaces = 0;
    for (size_t j = 0; j < s->len && s->head[j] != '\n'; j++) spaces += s->head[j] == ' ';
    if (tabs)
        snprintf(buf, size, "it is text with TABs, like a label<TAB>text data file (it starts with \"%s\")", first);
    else if (!spaces)
        snprintf(buf, size, "it is text, one token per line, like a WordPiece vocabulary (it starts with \"%s\")", first);
    else
        snprintf(buf, size, "it is plain text (it starts with \"%s\")", first);
}

/* 0 if path is of kind want (or unreadable: the library will say why),
 * else "attn CMD: OPTION PATH is not WHAT: it ...HINT" and 1. */
static int check_kind(const char *cmd, const char *option, const char *path, kind want, const char *what,
                      kind hint_kind, const char *hint)
{
    sniff s;
    take(&s, path);
    if (s.k == want || s.k == KIND_UNREADABLE) return 0;
    char looks[160];
    describe(&s, looks, sizeof looks);
    fprintf(stderr, "attn %s: %s %s is not %s: %s%s\n", cmd, option, path, what, looks, s.k == hint_kind ? hint : "");
    return 1;
}

int cli_check_weights(const char *cmd, const char *option, const char *path)
{
    return check_kind(cmd, option, path, KIND_SAFETENSORS, "a safetensors weights file", KIND_JSON,
                      " (a config? pass it as --config)");
}

int cli_check_config(const char *cmd, const char *option, const char *path)
{
    return check_kind(cmd, option, path, KIND_JSON, "a JSON config", KIND_SAFETENSORS,
                      " (pass the model's config.json here and the weights as --model)");
}
