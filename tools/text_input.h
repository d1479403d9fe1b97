/* Lines of text from files named on the command line, or stdin: the input
 * of attn tokenize, predict and eval. Every line is handed over whole:
 *  - the LF (and one CR before it) is removed;
 *  - a NUL byte inside a line cannot pass through the library's C strings,
 *    so it becomes 0xFF, a byte that is never valid UTF-8, which the
 *    tokenizer deletes as Hugging Face deletes NUL: the text after it is
 *    kept. Such lines are counted, and text_input_warn says so with the
 *    first line's number. */
#ifndef ATTN_TOOLS_TEXT_INPUT_H
#define ATTN_TOOLS_TEXT_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct text_input {
    const char *const *files; /* NULL-terminated; NULL or empty: stdin ("-" is stdin too) */
    int next_file;
    FILE *f;
    const char *name;         /* of the current file ("<stdin>") */
    long line_no;             /* of the line just read, from 1 in each file */
    char *line;               /* the line just read (owned) */
    size_t cap;
    size_t len;
    int64_t nul_lines;        /* lines that held NUL bytes */
    long first_nul_line;
    char first_nul_file[256];
} text_input;

void text_input_init(text_input *in, const char *const *files);
/* Reads the next line into in->line: 1, or 0 at the end of the last file, or
 * -1 after printing "attn CMD: FILE: <error>" (a file that cannot be opened
 * or read). */
int text_input_next(text_input *in, const char *cmd);
/* 1 if the line holds only spaces, tabs, CR, VT and FF (a line predict,
 * embed and the other text commands skip). */
int text_input_blank(const char *line);
/* Prints one warning line if lines held NUL bytes. */
void text_input_warn(const text_input *in, const char *cmd);
void text_input_free(text_input *in);

#endif
