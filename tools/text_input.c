/* Lines from files or stdin (see text_input.h). */
#include "text_input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void text_input_init(text_input *in, const char *const *files)
{
    memset(in, 0, sizeof *in);
    in->files = files;
}

static int open_next(text_input *in, const char *cmd)
{
    static const char *const stdin_only[] = {"-", NULL};
    const char *const *files = in->files && in->files[0] ? in->files : stdin_only;
    const char *path = files[in->next_file];
    if (!path) return 0;
    in->next_file++;
    in->line_no = 0;
    if (strcmp(path, "-") == 0) {
        in->f = stdin;
        in->name = "<stdin>";
        return 1;
    }
    in->f = fopen(path, "r");
    in->name = path;
    if (!in->f) {
        fprintf(stderr, "attn %s: %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    return 1;
}

static void close_current(text_input *in)
{
    if (in->f && in->f != stdin) fclose(in->f);
    in->f = NULL;
}

int text_input_next(text_input *in, const char *cmd)
{
    for (;;) {
        if (!in->f) {
            int rc = open_next(in, cmd);
            if (rc <= 0) return rc;
        }
        ssize_t got = getline(&in->line, &in->cap, in->f);
        if (got >= 0) {
            size_t len = (size_t)got;
            if (len > 0 && in->line[len - 1] == '\n') in->line[--len] = '\0';
            if (len > 0 && in->line[len - 1] == '\r') in->line[--len] = '\0';
            in->line_no++;
            int nul = 0;
            for (size_t i = 0; i < len; i++)
                if (in->line[i] == '\0') in->line[i] = (char)0xff, nul = 1;
            if (nul && in->nul_lines++ == 0) {
                in->first_nul_line = in->line_no;
                snprintf(in->first_nul_file, sizeof in->first_nul_file, "%s", in->name);
            }
            in->len = len;
            return 1;
        }
        int err = ferror(in->f);
        close_current(in);
        if (err) {
            fprintf(stderr, "attn %s: %s: read error\n", cmd, in->name);
            return -1;
        }
    }
}

void text_input_warn(const text_input *in, const char *cmd)
{
    if (in->nul_lines)
        fprintf(stderr,
                "attn %s: warning: %lld line%s held NUL bytes (first: %s line %ld); each NUL was deleted as Hugging "
                "Face deletes it, the text after it kept\n",
                cmd, (long long)in->nul_lines, in->nul_lines == 1 ? "" : "s", in->first_nul_file, in->first_nul_line);
}

void text_input_free(text_input *in)
{
    close_current(in);
    free(in->line);
    in->line = NULL;
}

int text_input_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\v' && *s != '\f') return 0;
    return 1;
}
