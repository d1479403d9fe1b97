/* Model parameters from and to safetensors checkpoints with Hugging Face
 * names. Loading accepts names with or without the "bert." prefix and the
 * legacy LayerNorm gamma/beta; saving writes BertForSequenceClassification's
 * names so Hugging Face's from_pretrained accepts the file. */
#include <stdio.h>
#include <string.h>

#include "model/bert_internal.h"

/* The file's name for parameter p, trying HF's spellings in turn. */
static int find_in_file(const attn_safetensors *st, const char *name, char *found, size_t n)
{
    const char *bare = strncmp(name, "bert.", 5) == 0 ? name + 5 : name;
    const char *prefixes[2] = {"bert.", ""};
    for (int legacy = 0; legacy < 2; legacy++)
        for (int p = 0; p < 2; p++) {
            char cand[2 * ATTN_PARAM_NAME_MAX];
            snprintf(cand, sizeof cand, "%s%s", strncmp(name, "bert.", 5) == 0 ? prefixes[p] : "", bare);
            if (legacy) {
                size_t len = strlen(cand);
                if (len > 16 && strcmp(cand + len - 16, "LayerNorm.weight") == 0) snprintf(cand + len - 6, 7, "gamma");
                else if (len > 14 && strcmp(cand + len - 14, "LayerNorm.bias") == 0) snprintf(cand + len - 4, 5, "beta");
                else continue;
            }
            int32_t idx;
            if (attn_safetensors_find(st, cand, &idx) == ATTN_OK) {
                snprintf(found, n, "%s", cand);
                return 1;
            }
        }
    return 0;
}

/* 1 if the file's tensor has exactly t's shape */
static int same_shape(const attn_safetensors *st, const char *name, const attn_tensor *t)
{
    int32_t idx, rank;
    int64_t shape[ATTN_SAFETENSORS_MAX_RANK];
    if (attn_safetensors_find(st, name, &idx) != ATTN_OK || attn_safetensors_info(st, idx, NULL, &rank, shape) != ATTN_OK)
        return 0;
    if (rank != attn_tensor_rank(t)) return 0;
    for (int32_t i = 0; i < rank; i++)
        if (shape[i] != attn_tensor_dim(t, i)) return 0;
    return 1;
}

static int is_head(const char *name)
{
    return strncmp(name, "classifier.", 11) == 0 || strncmp(name, "bert.pooler.", 12) == 0;
}

/* A tensor of the encoder family the model does not have means the file
 * describes another architecture (more layers, another head): refuse it. */
static attn_status check_extras(attn_model *m, attn_safetensors *st, const char *path)
{
    int32_t n = attn_safetensors_count(st);
    for (int32_t i = 0; i < n; i++) {
        const char *name = attn_safetensors_name(st, i);
        const char *bare = strncmp(name, "bert.", 5) == 0 ? name + 5 : name;
        int ours = strncmp(bare, "embeddings.", 11) == 0 || strncmp(bare, "encoder.", 8) == 0 ||
                   strncmp(bare, "pooler.", 7) == 0 || strncmp(name, "classifier.", 11) == 0;
        if (!ours || strcmp(bare, "embeddings.position_ids") == 0) continue;
        int known = 0;
        for (int32_t p = 0; p < m->nparams && !known; p++) {
            char found[2 * ATTN_PARAM_NAME_MAX];
            if (find_in_file(st, m->params[p].name, found, sizeof found) && strcmp(found, name) == 0) known = 1;
        }
        if (!known)
            return attn__fail(m->ctx, ATTN_ERR_FORMAT,
                              "%s: tensor '%s' has no place in this model (does config.json match the checkpoint?)", path, name);
    }
    return ATTN_OK;
}

attn_status attn_model_load_weights(attn_model *m, const char *path, int32_t allow_missing_head)
{
    if (!m || !path) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_model_load_weights: NULL argument");
    attn_safetensors *st;
    ATTN_CHECK(attn_safetensors_open(m->ctx, path, &st));
    attn_status status = check_extras(m, st, path);
    for (int32_t i = 0; i < m->nparams && status == ATTN_OK; i++) {
        bert_param *p = &m->params[i];
        char found[2 * ATTN_PARAM_NAME_MAX];
        if (!find_in_file(st, p->name, found, sizeof found)) {
            if (allow_missing_head && is_head(p->name)) continue;
            status = attn__fail(m->ctx, ATTN_ERR_NOT_FOUND, "%s: missing tensor '%s'", path, p->name);
            break;
        }
        if (allow_missing_head && is_head(p->name) && !same_shape(st, found, p->value)) continue;
        status = attn_safetensors_read(st, found, p->value);
    }
    attn_safetensors_close(st);
    m->have_forward = 0;
    m->have_output = 0;
    return status == ATTN_OK ? attn__ok(m->ctx) : status;
}

attn_status attn__model_add_params(attn_model *m, attn_safetensors_writer *w)
{
    for (int32_t i = 0; i < m->nparams; i++) ATTN_CHECK(attn_safetensors_writer_add(w, m->params[i].name, m->params[i].value));
    return ATTN_OK;
}

attn_status attn_model_save(attn_model *m, const char *path)
{
    if (!m || !path) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_model_save: NULL argument");
    attn_safetensors_writer *w;
    ATTN_CHECK(attn_safetensors_writer_create(m->ctx, &w));
    attn_status st = attn__model_add_params(m, w);
    if (st == ATTN_OK) st = attn_safetensors_writer_save(w, path);
    attn_safetensors_writer_destroy(w);
    return st == ATTN_OK ? attn__ok(m->ctx) : st;
}

attn_status attn_bert_load(attn_ctx *ctx, const char *weights_path, const char *config_path, attn_model **out)
{
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_bert_load: out is NULL");
    *out = NULL;
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    ATTN_CHECK(attn_bert_config_load(ctx, config_path, &cfg));
    attn_model *m;
    ATTN_CHECK(attn_bert_create(ctx, &cfg, &m));
    attn_status st = attn_model_load_weights(m, weights_path, 0);
    if (st != ATTN_OK) {
        attn__model_discard(m);
        return st;
    }
    *out = m;
    return ATTN_OK;
}
