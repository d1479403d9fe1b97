#include "case_file.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

#define MAX_ARRAYS 512

struct attn_case {
    int n;
    char *names[MAX_ARRAYS];
    attn_tensor *tensors[MAX_ARRAYS];
};

attn_case *attn_case_load(attn_ctx *ctx, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    attn_case *c = calloc(1, sizeof *c);
    char magic[8];
    uint32_t count;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "ATTNCASE", 8) != 0 || fread(&count, 4, 1, f) != 1 ||
        count > MAX_ARRAYS)
        goto bad;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t nl;
        uint8_t code, rank;
        int64_t dims[ATTN_MAX_RANK] = {1, 1, 1, 1};
        if (fread(&nl, 4, 1, f) != 1 || nl > 4096) goto bad;
        char *name = calloc(1, nl + 1);
        c->names[c->n] = name;
        if (fread(name, 1, nl, f) != nl || fread(&code, 1, 1, f) != 1 || fread(&rank, 1, 1, f) != 1 ||
            rank > ATTN_MAX_RANK)
            goto bad;
        if (rank && fread(dims, 8, rank, f) != rank) goto bad;
        int32_t r = rank ? rank : 1;
        attn_tensor *t;
        if (attn_tensor_create(ctx, (attn_dtype)code, r, dims, &t) != ATTN_OK) goto bad;
        c->tensors[c->n++] = t;
        size_t bytes = (size_t)attn_tensor_numel(t) * attn_dtype_size((attn_dtype)code);
        if (fread(attn_tensor_data(t), 1, bytes, f) != bytes) goto bad;
    }
    fclose(f);
    return c;
bad:
    fprintf(stderr, "malformed case file %s\n", path);
    fclose(f);
    attn_case_free(c);
    return NULL;
}

void attn_case_free(attn_case *c)
{
    if (!c) return;
    for (int i = 0; i < c->n; i++) {
        free(c->names[i]);
        attn_tensor_destroy(c->tensors[i]);
    }
    if (c->n < MAX_ARRAYS) free(c->names[c->n]);
    free(c);
}

attn_tensor *attn_case_get(attn_case *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->names[i], name) == 0) return c->tensors[i];
    return NULL;
}

attn_tensor *attn_case_need(attn_case *c, const char *name)
{
    attn_tensor *t = attn_case_get(c, name);
    ck_assert_msg(t != NULL, "case file has no array '%s'", name);
    return t;
}

double attn_case_scalar(attn_case *c, const char *name)
{
    attn_tensor *t = attn_case_need(c, name);
    double v;
    switch (attn_tensor_dtype(t)) {
    case ATTN_F32: v = attn_tensor_data_f32(t)[0]; break;
    case ATTN_I32: v = ((int32_t *)attn_tensor_data(t))[0]; break;
    default: v = (double)((int64_t *)attn_tensor_data(t))[0]; break;
    }
    return v;
}

int attn_case_write(const char *path, int n, const char *const *names, attn_tensor *const *tensors)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    uint32_t count = (uint32_t)n;
    fwrite("ATTNCASE", 1, 8, f);
    fwrite(&count, 4, 1, f);
    for (int i = 0; i < n; i++) {
        attn_tensor *t = tensors[i];
        uint32_t nl = (uint32_t)strlen(names[i]);
        uint8_t code = (uint8_t)attn_tensor_dtype(t), rank = (uint8_t)attn_tensor_rank(t);
        fwrite(&nl, 4, 1, f);
        fwrite(names[i], 1, nl, f);
        fwrite(&code, 1, 1, f);
        fwrite(&rank, 1, 1, f);
        for (int32_t a = 0; a < rank; a++) {
            int64_t d = attn_tensor_dim(t, a);
            fwrite(&d, 8, 1, f);
        }
        size_t bytes = (size_t)attn_tensor_numel(t) * attn_dtype_size(attn_tensor_dtype(t));
        void *buf = malloc(bytes ? bytes : 1);
        attn_tensor_read(t, attn_tensor_dtype(t), buf, bytes);
        fwrite(buf, 1, bytes, f);
        free(buf);
    }
    return fclose(f) == 0 ? 0 : -1;
}

void attn_case_run_python(const char *script, const char *args)
{
    char cmd[8192];
    const char *root = getenv("ATTN_SOURCE_ROOT");
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' '%s' %s", root ? root : ".", attn_test_python(), script, args);
    int rc = system(cmd);
    ck_assert_msg(rc == 0, "python reference failed (%d): %s", rc, cmd);
}
