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

/* What an unused tensor of the file is, for the notes; the encoder's own
 * tensors (ENCODER) have to find a place, or the file is of another model. */
enum { ENCODER, POOLER, CLASSIFIER, LM_HEAD, OTHER, SILENT, KINDS };

static int kind_of(const char *name)
{
    const char *bare = strncmp(name, "bert.", 5) == 0 ? name + 5 : name;
    if (strcmp(bare, "embeddings.position_ids") == 0) return SILENT; /* a buffer, not a parameter */
    if (strncmp(bare, "embeddings.", 11) == 0 || strncmp(bare, "encoder.", 8) == 0) return ENCODER;
    if (strncmp(bare, "pooler.", 7) == 0) return POOLER;
    if (strncmp(name, "classifier.", 11) == 0) return CLASSIFIER;
    if (strncmp(name, "cls.", 4) == 0) return LM_HEAD;
    return OTHER;
}

/* One note per kind of tensor the model left unused. */
static void note_unused(attn_model *m, const int32_t counts[KINDS], const char *first[KINDS])
{
    static const char *what[KINDS] = {NULL, "BERT's pooler", "a sequence classifier", "a language-model head", NULL};
    for (int k = POOLER; k <= OTHER; k++) {
        if (!counts[k]) continue;
        char why[96] = "";
        if (k == POOLER) snprintf(why, sizeof why, ": the model pools by %s", attn__pooling_name(m->cfg.pooling));
        if (k == CLASSIFIER) snprintf(why, sizeof why, ": the model has no classifier head");
        if (k == LM_HEAD) snprintf(why, sizeof why, ": not used for encoding or classification");
        if (what[k])
            attn__strbuf_appendf(&m->notes, "ignored: %d tensor%s of %s (%s ...)%s\n", (int)counts[k],
                                 counts[k] == 1 ? "" : "s", what[k], first[k], why);
        else
            attn__strbuf_appendf(&m->notes, "ignored: %d tensor%s this model has no place for (%s ...)\n",
                                 (int)counts[k], counts[k] == 1 ? "" : "s", first[k]);
    }
}

/* Marks which of the file's tensors the model's parameters take (each
 * lookup a binary search: linear in the number of tensors, not quadratic),
 * then refuses an encoder tensor the model has no place for (the file is of
 * another depth or width) and notes every other unused one. */
static attn_status check_extras(attn_model *m, attn_safetensors *st, const char *path)
{
    int32_t n = attn_safetensors_count(st);
    unsigned char *used = attn__calloc(m->ctx, (size_t)n + 1, 1);
    if (!used) return ATTN_ERR_NOMEM;
    for (int32_t p = 0; p < m->nparams; p++) {
        char found[2 * ATTN_PARAM_NAME_MAX];
        int32_t idx;
        if (find_in_file(st, m->params[p].name, found, sizeof found) && attn_safetensors_find(st, found, &idx) == ATTN_OK)
            used[idx] = 1;
    }
    int32_t counts[KINDS] = {0};
    const char *first[KINDS] = {NULL};
    attn_status status = ATTN_OK;
    for (int32_t i = 0; i < n && status == ATTN_OK; i++) {
        if (used[i]) continue;
        const char *name = attn_safetensors_name(st, i);
        int k = kind_of(name);
        if (k == ENCODER)
            status = attn__fail(m->ctx, ATTN_ERR_FORMAT,
                                "%s: tensor '%s' has no place in this model (does config.json match the checkpoint?)",
                                path, name);
        if (!counts[k]++) first[k] = name;
    }
    if (status == ATTN_OK) note_unused(m, counts, first);
    attn__free(m->ctx, used);
    return status;
}

/* A head parameter the file lacks, or has in another shape, keeps its
 * initialisation: one note per layer ("initialised: classifier.* ..."). */
static void note_initialised(attn_model *m, const bert_param *p, const char *file_name, attn_safetensors *st)
{
    const char *dot = strrchr(p->name, '.');
    int prefix = dot ? (int)(dot - p->name + 1) : (int)strlen(p->name);
    char head[ATTN_PARAM_NAME_MAX + 32];
    snprintf(head, sizeof head, "initialised: %.*s*", prefix, p->name);
    if (m->notes.len && strstr(m->notes.data, head)) return; /* the layer's other parameter */
    if (!file_name) {
        attn__strbuf_appendf(&m->notes, "%s (not in the file)\n", head);
        return;
    }
    int32_t idx, rank = 0;
    int64_t shape[ATTN_SAFETENSORS_MAX_RANK] = {0};
    if (attn_safetensors_find(st, file_name, &idx) == ATTN_OK) attn_safetensors_info(st, idx, NULL, &rank, shape);
    attn__strbuf_appendf(&m->notes, "%s (the file's %s has %lld rows, the model's %lld)\n", head, file_name,
                         (long long)shape[0], (long long)attn_tensor_dim(p->value, 0));
}

const char *attn_model_load_notes(const attn_model *m)
{
    return m && m->notes.len ? m->notes.data : "";
}

attn_status attn_model_load_weights(attn_model *m, const char *path, int32_t allow_missing_head)
{
    if (!m || !path) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_model_load_weights: NULL argument");
    attn_safetensors *st;
    ATTN_CHECK(attn_safetensors_open(m->ctx, path, &st));
    attn__strbuf_free(&m->notes);
    attn__strbuf_init(&m->notes, m->ctx);
    attn_status status = check_extras(m, st, path);
    for (int32_t i = 0; i < m->nparams && status == ATTN_OK; i++) {
        bert_param *p = &m->params[i];
        char found[2 * ATTN_PARAM_NAME_MAX];
        if (!find_in_file(st, p->name, found, sizeof found)) {
            if (allow_missing_head && is_head(p->name)) {
                note_initialised(m, p, NULL, st);
                continue;
            }
            status = attn__fail(m->ctx, ATTN_ERR_NOT_FOUND, "%s: missing tensor '%s'", path, p->name);
            break;
        }
        if (allow_missing_head && is_head(p->name) && !same_shape(st, found, p->value)) {
            note_initialised(m, p, found, st);
            continue;
        }
        status = attn_safetensors_read(st, found, p->value);
    }
    attn_safetensors_close(st);
    m->have_forward = 0;
    m->have_output = 0;
    if (status == ATTN_OK && m->notes.status != ATTN_OK) status = m->notes.status;
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
    /* the config decides what is built; a head it asks for that the file
     * lacks starts from the initialiser, and the notes say so */
    attn_status st = attn_model_load_weights(m, weights_path, 1);
    if (st != ATTN_OK) {
        attn__model_discard(m);
        return st;
    }
    *out = m;
    return ATTN_OK;
}
