/* Reads and writes the case files of tests/parity/casefile.py: named arrays
 * that a PyTorch script produced (inputs, parameters, expected outputs). */
#ifndef ATTN_TEST_CASE_FILE_H
#define ATTN_TEST_CASE_FILE_H

#include "attn.h"

typedef struct attn_case attn_case;

/* Loads every array of the file; NULL on error (message on stderr). */
attn_case *attn_case_load(attn_ctx *ctx, const char *path);
void attn_case_free(attn_case *c);
/* Borrowed tensor by name; NULL if absent. */
attn_tensor *attn_case_get(attn_case *c, const char *name);
/* Like attn_case_get but fails the current Check test if absent. */
attn_tensor *attn_case_need(attn_case *c, const char *name);
/* Scalar helpers: the first element as double / int64. */
double attn_case_scalar(attn_case *c, const char *name);

/* Writes tensors (names[i], tensors[i]) to path; 0 on success. */
int attn_case_write(const char *path, int n, const char *const *names, attn_tensor *const *tensors);

/* Runs "$ATTN_REF_PYTHON <src>/<script> <args>" from the source root and
 * fails the current test if it exits non-zero. */
void attn_case_run_python(const char *script, const char *args);

#endif
