/* The BERT builder: assembles embeddings, encoder blocks, pooler and
 * classifier from the public layer handles, names every parameter as
 * Hugging Face does, and initialises them as BertPreTrainedModel does. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layers/layer.h"
#include "compute/compute.h"
#include "model/bert_internal.h"

void attn_bert_config_init(attn_bert_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->struct_size = sizeof *cfg;
    cfg->vocab_size = 30522;
    cfg->hidden_size = 768;
    cfg->num_layers = 12;
    cfg->num_heads = 12;
    cfg->intermediate_size = 3072;
    cfg->max_position_embeddings = 512;
    cfg->type_vocab_size = 2;
    cfg->hidden_act = ATTN_ACT_GELU;
    cfg->layer_norm_eps = 1e-12f;
    cfg->hidden_dropout = 0.1f;
    cfg->attention_dropout = 0.1f;
    cfg->classifier_dropout = -1.0f;
    cfg->initializer_range = 0.02f;
    cfg->num_labels = 2;
    cfg->problem_type = ATTN_PROBLEM_SINGLE_LABEL;
    cfg->pooling = ATTN_POOL_CLS_DENSE;
    cfg->norm_position = ATTN_NORM_POST;
    cfg->pad_token_id = 0;
}

attn_status attn__accept_versioned(attn_ctx *ctx, const char *what, const void *in, size_t v1_size, void *out,
                                   size_t out_size)
{
    if (!in) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s is NULL", what);
    uint32_t size = *(const uint32_t *)in;
    if (size < v1_size)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: struct_size %u is smaller than its first version's %zu", what,
                          size, v1_size);
    for (size_t i = out_size; i < size; i++)
        if (((const unsigned char *)in)[i] != 0)
            return attn__fail(ctx, ATTN_ERR_UNSUPPORTED,
                              "%s: struct_size %u is from a newer libattn and sets fields this one (%zu bytes) lacks", what,
                              size, out_size);
    memcpy(out, in, size < out_size ? size : out_size);
    *(uint32_t *)out = (uint32_t)out_size;
    return ATTN_OK;
}

attn_status attn__bert_config_accept(attn_ctx *ctx, const attn_bert_config *in, attn_bert_config *out)
{
    attn_bert_config_init(out);
    ATTN_CHECK(attn__accept_versioned(ctx, "bert config", in, ATTN__BERT_CONFIG_V1_SIZE, out, sizeof *out));
    return attn_bert_config_validate(ctx, out);
}

attn_status attn_bert_config_validate(attn_ctx *ctx, const attn_bert_config *in)
{
    if (!in) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config is NULL");
    if (in->struct_size != sizeof(attn_bert_config)) {
        attn_bert_config current;
        return attn__bert_config_accept(ctx, in, &current);
    }
    const attn_bert_config *c = in;
#define POSITIVE(f)                                                                               \
    if (c->f <= 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: " #f " must be positive (%d)", (int)c->f)
    POSITIVE(vocab_size);
    POSITIVE(hidden_size);
    POSITIVE(num_layers);
    POSITIVE(num_heads);
    POSITIVE(intermediate_size);
    POSITIVE(max_position_embeddings);
    POSITIVE(type_vocab_size);
#undef POSITIVE
    /* sizes come from files: bounded before any arithmetic on them, so that
     * every product below fits in 64 bits with room to spare */
#define AT_MOST(f, limit)                                                                                          \
    if (c->f > (limit))                                                                                            \
    return attn__fail(ctx, ATTN_ERR_LIMIT, "bert config: " #f " %d is over the limit of %d", (int)c->f, (int)(limit))
    AT_MOST(vocab_size, ATTN_BERT_MAX_VOCAB);
    AT_MOST(hidden_size, ATTN_BERT_MAX_HIDDEN);
    AT_MOST(num_layers, ATTN_BERT_MAX_LAYERS);
    AT_MOST(intermediate_size, ATTN_BERT_MAX_INTERMEDIATE);
    AT_MOST(max_position_embeddings, ATTN_BERT_MAX_POSITIONS);
    AT_MOST(type_vocab_size, ATTN_BERT_MAX_POSITIONS);
    AT_MOST(num_labels, ATTN_BERT_MAX_LABELS);
#undef AT_MOST
    if (c->hidden_size % c->num_heads != 0)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: hidden_size %d is not a multiple of num_heads %d",
                          c->hidden_size, c->num_heads);
    if (c->hidden_act < ATTN_ACT_RELU || c->hidden_act > ATTN_ACT_IDENTITY)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: unknown hidden_act %d", c->hidden_act);
    if (!(c->layer_norm_eps > 0.0f) || !isfinite(c->layer_norm_eps))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: layer_norm_eps must be positive and finite");
    float drops[3] = {c->hidden_dropout, c->attention_dropout, c->classifier_dropout};
    for (int i = 0; i < 3; i++)
        if (!(drops[i] < 1.0f) || (i < 2 && !(drops[i] >= 0.0f)))
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: dropout probabilities must be in [0, 1)");
    if (!(c->initializer_range >= 0.0f) || !isfinite(c->initializer_range))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: initializer_range must be finite and >= 0");
    if (c->num_labels < 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: num_labels is negative");
    if (c->problem_type < ATTN_PROBLEM_SINGLE_LABEL || c->problem_type > ATTN_PROBLEM_MULTI_LABEL)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: unknown problem_type %d", c->problem_type);
    if (c->problem_type == ATTN_PROBLEM_REGRESSION && c->num_labels > 0 && c->num_labels != 1)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: regression needs num_labels = 1 (%d)", c->num_labels);
    if (c->pooling < ATTN_POOL_CLS_DENSE || c->pooling > ATTN_POOL_LAST_TOKEN)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: unknown pooling %d", c->pooling);
    if (c->norm_position != ATTN_NORM_POST && c->norm_position != ATTN_NORM_PRE)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: unknown norm_position %d", c->norm_position);
    if (c->pad_token_id < 0 || c->pad_token_id >= c->vocab_size)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "bert config: pad_token_id %d outside the vocabulary", c->pad_token_id);
    return ATTN_OK;
}

int64_t attn_bert_config_param_count(const attn_bert_config *in)
{
    attn_bert_config c;
    if (attn__bert_config_accept(NULL, in, &c) != ATTN_OK) return -1;
    /* within the limits of attn_bert_config_validate, every term fits in 2^62 */
    int64_t H = c.hidden_size, I = c.intermediate_size;
    int64_t embeddings = ((int64_t)c.vocab_size + c.max_position_embeddings + c.type_vocab_size) * H + 2 * H;
    int64_t block = 4 * (H * H + H) + 2 * H + (H * I + I) + (I * H + H) + 2 * H;
    int64_t total = embeddings + (int64_t)c.num_layers * block;
    if (c.norm_position == ATTN_NORM_PRE) total += 2 * H;
    if (c.pooling == ATTN_POOL_CLS_DENSE) total += H * H + H;
    if (c.num_labels > 0) total += (int64_t)c.num_labels * H + c.num_labels;
    return total;
}

/* Refuses, before anything is allocated, a model whose parameters alone
 * exceed what the context's memory limit leaves free. */
static attn_status check_model_size(attn_ctx *ctx, const attn_bert_config *c)
{
    int64_t bytes = attn_bert_config_param_count(c) * (int64_t)sizeof(float);
    if (ctx->memory_limit <= 0 || bytes <= ctx->memory_limit - ctx->bytes_in_use) return ATTN_OK;
    return attn__fail(ctx, ATTN_ERR_NOMEM,
                      "the model needs %.1f MB for its %lld parameters; the context's memory limit leaves %.1f MB "
                      "(ATTN_OPT_MEMORY_LIMIT; the CLI's --memory-limit)",
                      (double)bytes / 1e6, (long long)(bytes / (int64_t)sizeof(float)),
                      (double)(ctx->memory_limit - ctx->bytes_in_use) / 1e6);
}

/* Appends every parameter of layer under prefix to the model's table. */
static attn_status register_params(attn_model *m, attn_layer *layer, const char *prefix)
{
    /* read the table directly: attn_layer_param would give the gradients
     * their memory, which only training needs */
    for (int32_t i = 0; i < layer->nparams; i++) {
        const attn__param *lp = &layer->params[i];
        if (m->nparams >= m->max_params)
            return attn__fail(m->ctx, ATTN_ERR_LIMIT, "parameter table full at %s%s (%d entries)", prefix, lp->name,
                              (int)m->max_params);
        bert_param *p = &m->params[m->nparams++];
        int len = snprintf(p->name, sizeof p->name, "%s%s", prefix, lp->name);
        if (len < 0 || (size_t)len >= sizeof p->name)
            return attn__fail(m->ctx, ATTN_ERR_LIMIT, "parameter name too long: %s%s", prefix, lp->name);
        p->value = lp->value;
        p->grad = lp->grad;
    }
    return ATTN_OK;
}

int attn__ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* BertPreTrainedModel._init_weights: normal(0, range) for linear and
 * embedding weights, zero biases, LayerNorm 1 and 0, the padding row zero. */
static attn_status init_params(attn_model *m)
{
    for (int32_t i = 0; i < m->nparams; i++) {
        bert_param *p = &m->params[i];
        if (attn__ends_with(p->name, "LayerNorm.weight") || attn__ends_with(p->name, "layer_norm.weight"))
            ATTN_CHECK(attn_tensor_fill(p->value, 1.0));
        else if (attn__ends_with(p->name, "bias"))
            ATTN_CHECK(attn_tensor_fill(p->value, 0.0));
        else
            ATTN_CHECK(attn_tensor_init_normal(p->value, 0.0f, m->cfg.initializer_range));
    }
    attn_tensor *word, *row;
    ATTN_CHECK(attn_model_find_param(m, "embeddings.word_embeddings.weight", &word, NULL));
    ATTN_CHECK(attn_tensor_view_slice(word, 0, m->cfg.pad_token_id, 1, &row));
    attn_status st = attn_tensor_fill(row, 0.0);
    attn_tensor_destroy(row);
    return st;
}

static attn_status build(attn_model *m)
{
    attn_ctx *ctx = m->ctx;
    const attn_bert_config *c = &m->cfg;
    int64_t H = c->hidden_size;
    int32_t L = c->num_layers;
    /* embeddings 5, a block 16, final LayerNorm 2, pooler 2, classifier 2;
     * L <= ATTN_BERT_MAX_LAYERS keeps it far inside int32 */
    m->max_params = 5 + 16 * L + 2 + 2 + 2;
    m->params = attn__calloc(ctx, (size_t)m->max_params, sizeof *m->params);
    m->blocks = attn__calloc(ctx, (size_t)L, sizeof *m->blocks);
    if (!m->params || !m->blocks) return ATTN_ERR_NOMEM;

    ATTN_CHECK(attn_embedding_create(ctx, c->vocab_size, H, &m->word_emb));
    ATTN_CHECK(attn_embedding_create(ctx, c->max_position_embeddings, H, &m->pos_emb));
    ATTN_CHECK(attn_embedding_create(ctx, c->type_vocab_size, H, &m->type_emb));
    ATTN_CHECK(attn_layernorm_create(ctx, H, c->layer_norm_eps, &m->emb_ln));
    ATTN_CHECK(attn_dropout_create(ctx, c->hidden_dropout, &m->emb_drop));
    ATTN_CHECK(register_params(m, m->word_emb, "bert.embeddings.word_embeddings."));
    ATTN_CHECK(register_params(m, m->pos_emb, "bert.embeddings.position_embeddings."));
    ATTN_CHECK(register_params(m, m->type_emb, "bert.embeddings.token_type_embeddings."));
    ATTN_CHECK(register_params(m, m->emb_ln, "bert.embeddings.LayerNorm."));

    for (int32_t l = 0; l < L; l++) {
        bert_block *b = &m->blocks[l];
        char prefix[64];
        ATTN_CHECK(attn_attention_create(ctx, H, c->num_heads, c->attention_dropout, &b->attn));
        ATTN_CHECK(attn_dropout_create(ctx, c->hidden_dropout, &b->drop1));
        ATTN_CHECK(attn_layernorm_create(ctx, H, c->layer_norm_eps, &b->ln1));
        ATTN_CHECK(attn_ffn_create(ctx, H, c->intermediate_size, (attn_activation)c->hidden_act, &b->ffn));
        ATTN_CHECK(attn_dropout_create(ctx, c->hidden_dropout, &b->drop2));
        ATTN_CHECK(attn_layernorm_create(ctx, H, c->layer_norm_eps, &b->ln2));
        snprintf(prefix, sizeof prefix, "bert.encoder.layer.%d.attention.", (int)l);
        ATTN_CHECK(register_params(m, b->attn, prefix));
        snprintf(prefix, sizeof prefix, "bert.encoder.layer.%d.attention.output.LayerNorm.", (int)l);
        ATTN_CHECK(register_params(m, b->ln1, prefix));
        snprintf(prefix, sizeof prefix, "bert.encoder.layer.%d.", (int)l);
        ATTN_CHECK(register_params(m, b->ffn, prefix));
        snprintf(prefix, sizeof prefix, "bert.encoder.layer.%d.output.LayerNorm.", (int)l);
        ATTN_CHECK(register_params(m, b->ln2, prefix));
    }
    if (c->norm_position == ATTN_NORM_PRE) {
        ATTN_CHECK(attn_layernorm_create(ctx, H, c->layer_norm_eps, &m->final_ln));
        ATTN_CHECK(register_params(m, m->final_ln, "bert.encoder.final_layer_norm."));
    }
    if (c->pooling == ATTN_POOL_CLS_DENSE) {
        ATTN_CHECK(attn_linear_create(ctx, H, H, 1, &m->pooler));
        ATTN_CHECK(register_params(m, m->pooler, "bert.pooler.dense."));
    }
    if (c->num_labels > 0) {
        float p = c->classifier_dropout >= 0.0f ? c->classifier_dropout : c->hidden_dropout;
        ATTN_CHECK(attn_dropout_create(ctx, p, &m->cls_drop));
        ATTN_CHECK(attn_linear_create(ctx, H, c->num_labels, 1, &m->classifier));
        ATTN_CHECK(register_params(m, m->classifier, "classifier."));
        attn_loss_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.struct_size = sizeof lo;
        lo.kind = c->problem_type == ATTN_PROBLEM_REGRESSION    ? ATTN_LOSS_MSE
                  : c->problem_type == ATTN_PROBLEM_MULTI_LABEL ? ATTN_LOSS_BCE_WITH_LOGITS
                                                                : ATTN_LOSS_CROSS_ENTROPY;
        lo.reduction = ATTN_REDUCTION_MEAN;
        ATTN_CHECK(attn_loss_create(ctx, &lo, &m->loss));
    }
    return ATTN_OK;
}

attn_status attn_bert_create(attn_ctx *ctx, const attn_bert_config *cfg, attn_model **out)
{
    if (!ctx || !out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_bert_create: NULL argument");
    *out = NULL;
    attn_bert_config accepted;
    ATTN_CHECK(attn__bert_config_accept(ctx, cfg, &accepted));
    ATTN_CHECK(check_model_size(ctx, &accepted));
    attn_model *m = attn__calloc(ctx, 1, sizeof *m);
    if (!m) return ATTN_ERR_NOMEM;
    m->ctx = ctx;
    m->cfg = accepted;
    m->skip_padding = 1;
    attn__strbuf_init(&m->notes, ctx);
    m->max_length = accepted.max_position_embeddings;
    m->batch_size = 32;
    m->score_activation = accepted.num_labels == 1 ? ATTN_ACT_SIGMOID : ATTN_ACT_IDENTITY;
    attn_status st = build(m);
    if (st == ATTN_OK) st = init_params(m);
    if (st != ATTN_OK) {
        attn__model_discard(m);
        return st;
    }
    *out = m;
    return attn__ok(ctx);
}

void attn_model_destroy(attn_model *m)
{
    if (!m) return;
    attn_ctx *ctx = m->ctx;
    attn_layer *layers[] = {m->word_emb, m->pos_emb, m->type_emb, m->emb_ln, m->emb_drop,
                            m->final_ln, m->pooler, m->cls_drop, m->classifier};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) attn_layer_destroy(layers[i]);
    attn_loss_destroy(m->loss);
    for (int32_t d = 0; d < m->ndense; d++) attn_layer_destroy(m->dense[d].linear);
    attn_tokenizer_destroy(m->tokenizer);
    if (m->blocks) {
        for (int32_t l = 0; l < m->cfg.num_layers; l++) {
            bert_block *b = &m->blocks[l];
            attn_layer_destroy(b->attn);
            attn_layer_destroy(b->drop1);
            attn_layer_destroy(b->ln1);
            attn_layer_destroy(b->ffn);
            attn_layer_destroy(b->drop2);
            attn_layer_destroy(b->ln2);
            attn_tensor *acts[] = {b->norm1, b->res1, b->norm2, b->res2, b->out};
            for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) attn_tensor_destroy(acts[i]);
        }
    }
    attn_tensor *bufs[] = {m->row_ids, m->row_pos, m->row_types, m->row_index, m->seq_offsets, m->key_mask,
                           m->emb_sum, m->x0, m->final_out, m->scratch, m->cls, m->pool_pre, m->pooled,
                           m->pooled_drop, m->logits, m->pool_argmax, m->in_ids, m->in_types, m->in_mask, m->dense_out[0],
                           m->dense_out[1], m->last_hidden, m->label_buf, m->dA, m->dB, m->dS, m->d_logits,
                           m->d_pooled_drop, m->d_pooled, m->d_pool_pre, m->d_cls};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) attn_tensor_destroy(bufs[i]);
    attn__strbuf_free(&m->notes);
    attn__free(ctx, m->blocks);
    attn__free(ctx, m->params);
    attn__free(ctx, m);
}

const attn_bert_config *attn_model_config(const attn_model *m) { return m ? &m->cfg : NULL; }
int32_t attn_model_param_count(const attn_model *m) { return m ? m->nparams : 0; }

void attn__model_discard(attn_model *m)
{
    attn_ctx *ctx = m->ctx;
    char msg[ATTN_ERRMSG_MAX];
    memcpy(msg, ctx->last_error, sizeof msg);
    attn_model_destroy(m);
    memcpy(ctx->last_error, msg, sizeof msg);
}

attn_status attn__model_grad_memory(attn_model *m, int32_t i)
{
    if (attn__tensor_materialize(m->params[i].grad) != ATTN_OK)
        return attn__fail(m->ctx, ATTN_ERR_NOMEM, "no memory for the gradient of %s", m->params[i].name);
    return ATTN_OK;
}

attn_status attn_model_param(attn_model *m, int32_t i, const char **name, attn_tensor **value, attn_tensor **grad)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    if (i < 0 || i >= m->nparams)
        return attn__fail(m->ctx, ATTN_ERR_RANGE, "attn_model_param: index %d outside [0, %d)", (int)i, (int)m->nparams);
    if (grad) ATTN_CHECK(attn__model_grad_memory(m, i));
    if (name) *name = m->params[i].name;
    if (value) *value = m->params[i].value;
    if (grad) *grad = m->params[i].grad;
    return attn__ok(m->ctx);
}

attn_status attn_model_find_param(attn_model *m, const char *name, attn_tensor **value, attn_tensor **grad)
{
    if (!m || !name) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_model_find_param: NULL argument");
    for (int32_t i = 0; i < m->nparams; i++) {
        const char *n = m->params[i].name;
        if (strcmp(n, name) == 0 || (strncmp(n, "bert.", 5) == 0 && strcmp(n + 5, name) == 0)) {
            if (grad) ATTN_CHECK(attn__model_grad_memory(m, i));
            if (value) *value = m->params[i].value;
            if (grad) *grad = m->params[i].grad;
            return attn__ok(m->ctx);
        }
    }
    return attn__fail(m->ctx, ATTN_ERR_NOT_FOUND, "model has no parameter '%s'", name);
}

/* Zeroing the gradients is a pass over as many bytes as the model has
 * (440 MB for BERT-base): elements [begin, end) of all gradients in table
 * order, split over the context's threads by attn__parallel_for.
 * Gradients without memory yet (no backward so far) are zeros already. */
static void zero_range(void *arg, int64_t begin, int64_t end)
{
    const attn_model *m = arg;
    int64_t at = 0;
    for (int32_t i = 0; i < m->nparams && at < end; i++) {
        attn_tensor *g = m->params[i].grad;
        int64_t n = attn_tensor_numel(g), lo = begin > at ? begin : at, hi = end < at + n ? end : at + n;
        if (lo < hi && !attn__tensor_deferred(g)) memset(attn__f32(g) + (lo - at), 0, (size_t)(hi - lo) * sizeof(float));
        at += n;
    }
}

attn_status attn_model_zero_grad(attn_model *m)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    int64_t total = 0;
    for (int32_t i = 0; i < m->nparams; i++) {
        attn_tensor *g = m->params[i].grad;
        if (!attn_tensor_is_contiguous(g)) { /* not built that way today: the slow path stays correct */
            for (int32_t k = 0; k < m->nparams; k++)
                if (!attn__tensor_deferred(m->params[k].grad)) ATTN_CHECK(attn_tensor_fill(m->params[k].grad, 0.0));
            return attn__ok(m->ctx);
        }
        total += attn_tensor_numel(g);
    }
    attn__parallel_for(m->ctx, total, 1, zero_range, m);
    return attn__ok(m->ctx);
}

attn_status attn_model_set_training(attn_model *m, int32_t training)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    if (training != 0 && training != 1)
        return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG, "attn_model_set_training: mode must be 0 or 1");
    attn_layer *drops[] = {m->emb_drop, m->cls_drop};
    for (size_t i = 0; i < 2; i++)
        if (drops[i]) ATTN_CHECK(attn_layer_set_training(drops[i], training));
    for (int32_t l = 0; l < m->cfg.num_layers; l++) {
        ATTN_CHECK(attn_layer_set_training(m->blocks[l].attn, training));
        ATTN_CHECK(attn_layer_set_training(m->blocks[l].drop1, training));
        ATTN_CHECK(attn_layer_set_training(m->blocks[l].drop2, training));
    }
    m->training = training;
    return attn__ok(m->ctx);
}

static const char *option_name(attn_model_option key)
{
    switch (key) {
    case ATTN_MODEL_OPT_SKIP_PADDING: return "ATTN_MODEL_OPT_SKIP_PADDING";
    case ATTN_MODEL_OPT_INFERENCE_ONLY: return "ATTN_MODEL_OPT_INFERENCE_ONLY";
    case ATTN_MODEL_OPT_MAX_LENGTH: return "ATTN_MODEL_OPT_MAX_LENGTH";
    case ATTN_MODEL_OPT_BATCH_SIZE: return "ATTN_MODEL_OPT_BATCH_SIZE";
    case ATTN_MODEL_OPT_NORMALIZE: return "ATTN_MODEL_OPT_NORMALIZE";
    case ATTN_MODEL_OPT_POOLING: return "ATTN_MODEL_OPT_POOLING";
    case ATTN_MODEL_OPT_FREEZE: return "ATTN_MODEL_OPT_FREEZE";
    }
    return NULL;
}

attn_status attn_model_set_int(attn_model *m, attn_model_option key, int64_t value)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    const char *name = option_name(key);
    if (!name) return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG, "attn_model_set_int: unknown option %d", (int)key);
    int64_t lo = 0, hi = 1;
    if (key == ATTN_MODEL_OPT_MAX_LENGTH) lo = 2, hi = m->cfg.max_position_embeddings;
    if (key == ATTN_MODEL_OPT_BATCH_SIZE) lo = 1, hi = 65536;
    if (key == ATTN_MODEL_OPT_POOLING) hi = ATTN_POOL_LAST_TOKEN;
    if (key == ATTN_MODEL_OPT_FREEZE) hi = ATTN_FREEZE_ENCODER;
    if (value < lo || value > hi)
        return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG, "attn_model_set_int: %s must be in [%lld, %lld], not %lld", name,
                          (long long)lo, (long long)hi, (long long)value);
    switch (key) {
    case ATTN_MODEL_OPT_SKIP_PADDING: m->skip_padding = (int32_t)value; break;
    case ATTN_MODEL_OPT_INFERENCE_ONLY:
    case ATTN_MODEL_OPT_FREEZE: {
        if (key == ATTN_MODEL_OPT_INFERENCE_ONLY) m->inference_only = (int32_t)value;
        else m->freeze = (int32_t)value;
        /* no backward runs through the blocks of a frozen encoder either */
        int32_t drop = m->inference_only || m->freeze == ATTN_FREEZE_ENCODER;
        for (int32_t l = 0; l < m->cfg.num_layers; l++) {
            attn__layer_drop_activations(m->blocks[l].attn, drop);
            attn__layer_drop_activations(m->blocks[l].ffn, drop);
        }
        break;
    }
    case ATTN_MODEL_OPT_MAX_LENGTH: m->max_length = (int32_t)value; break;
    case ATTN_MODEL_OPT_BATCH_SIZE: m->batch_size = (int32_t)value; break;
    case ATTN_MODEL_OPT_NORMALIZE: m->normalize = (int32_t)value; break;
    case ATTN_MODEL_OPT_POOLING:
        if (value == ATTN_POOL_CLS_DENSE && !m->pooler)
            return attn__fail(m->ctx, ATTN_ERR_STATE,
                              "attn_model_set_int: the model has no pooler (BERT's pooler pooling needs its weights)");
        m->cfg.pooling = (int32_t)value;
        break;
    }
    m->have_forward = 0;
    return attn__ok(m->ctx);
}

attn_status attn_model_get_int(const attn_model *m, attn_model_option key, int64_t *value)
{
    if (!m || !value) return ATTN_ERR_INVALID_ARG;
    switch (key) {
    case ATTN_MODEL_OPT_SKIP_PADDING: *value = m->skip_padding; return ATTN_OK;
    case ATTN_MODEL_OPT_INFERENCE_ONLY: *value = m->inference_only; return ATTN_OK;
    case ATTN_MODEL_OPT_MAX_LENGTH: *value = m->max_length; return ATTN_OK;
    case ATTN_MODEL_OPT_BATCH_SIZE: *value = m->batch_size; return ATTN_OK;
    case ATTN_MODEL_OPT_NORMALIZE: *value = m->normalize; return ATTN_OK;
    case ATTN_MODEL_OPT_POOLING: *value = m->cfg.pooling; return ATTN_OK;
    case ATTN_MODEL_OPT_FREEZE: *value = m->freeze; return ATTN_OK;
    }
    return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG, "attn_model_get_int: unknown option %d", (int)key);
}

attn_status attn__model_buffer(attn_ctx *ctx, attn_tensor **t, attn_dtype dtype, int64_t rows, int64_t cols)
{
    int64_t shape[2] = {rows, cols};
    int32_t rank = cols > 0 ? 2 : 1;
    if (*t && attn_tensor_dtype(*t) == dtype) {
        /* reuse silently; only a miss that needs more room reallocates */
        char saved[ATTN_ERRMSG_MAX];
        memcpy(saved, ctx->last_error, sizeof saved);
        if (attn_tensor_set_shape(*t, rank, shape) == ATTN_OK) return ATTN_OK;
        memcpy(ctx->last_error, saved, sizeof saved);
    }
    attn_tensor_destroy(*t);
    *t = NULL;
    return attn_tensor_create(ctx, dtype, rank, shape, t);
}
