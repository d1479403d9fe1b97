/* BERT configuration from and to Hugging Face config.json. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "io/json.h"
#include "model/bert_internal.h"

typedef struct {
    const char *name;
    int32_t value;
} named;

static const named activations[] = {
    {"gelu", ATTN_ACT_GELU}, {"gelu_new", ATTN_ACT_GELU_TANH}, {"gelu_pytorch_tanh", ATTN_ACT_GELU_TANH},
    {"relu", ATTN_ACT_RELU}, {"tanh", ATTN_ACT_TANH}, {"sigmoid", ATTN_ACT_SIGMOID},
};
static const named problems[] = {
    {"single_label_classification", ATTN_PROBLEM_SINGLE_LABEL},
    {"regression", ATTN_PROBLEM_REGRESSION},
    {"multi_label_classification", ATTN_PROBLEM_MULTI_LABEL},
};
static const named poolings[] = {{"cls_dense", ATTN_POOL_CLS_DENSE},
                                 {"cls", ATTN_POOL_CLS},
                                 {"mean", ATTN_POOL_MEAN},
                                 {"max", ATTN_POOL_MAX},
                                 {"mean_sqrt_len_tokens", ATTN_POOL_MEAN_SQRT_LEN},
                                 {"weightedmean", ATTN_POOL_WEIGHTED_MEAN},
                                 {"lasttoken", ATTN_POOL_LAST_TOKEN}};
static const named norms[] = {{"post", ATTN_NORM_POST}, {"pre", ATTN_NORM_PRE}};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const named *table, size_t n, int32_t value)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].value == value) return table[i].name;
    return NULL;
}

const char *attn__pooling_name(int32_t pooling)
{
    const char *name = name_of(poolings, COUNT(poolings), pooling);
    return name ? name : "?";
}

static attn_status read_named(const attn__json_doc *doc, const attn__json *root, const char *key,
                              const named *table, size_t n, int32_t *out)
{
    const char *s = NULL;
    ATTN_CHECK(attn__json_opt_string(doc, root, key, &s));
    if (!s) return ATTN_OK;
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, s) == 0) {
            *out = table[i].value;
            return ATTN_OK;
        }
    return attn__json_fail(doc, attn__json_object_get(root, key), ATTN_ERR_FORMAT, "\"%s\": unsupported value \"%s\"", key, s);
}

static attn_status read_int(const attn__json_doc *doc, const attn__json *root, const char *key, int32_t *out)
{
    int64_t v = *out;
    ATTN_CHECK(attn__json_opt_int64(doc, root, key, &v));
    if (v < INT32_MIN || v > INT32_MAX)
        return attn__json_fail(doc, attn__json_object_get(root, key), ATTN_ERR_FORMAT, "\"%s\" is out of range", key);
    *out = (int32_t)v;
    return ATTN_OK;
}

static attn_status read_float(const attn__json_doc *doc, const attn__json *root, const char *key, float *out)
{
    double v = *out;
    ATTN_CHECK(attn__json_opt_number(doc, root, key, &v));
    if (!(fabs(v) <= FLT_MAX)) /* also keeps the double-to-float conversion defined */
        return attn__json_fail(doc, attn__json_object_get(root, key), ATTN_ERR_FORMAT, "\"%s\" is out of the float range", key);
    *out = (float)v;
    return ATTN_OK;
}

/* Hugging Face architectures whose checkpoints hold no sequence classifier:
 * the encoder alone (BertModel), or language-model heads (cls.*) that the
 * weight loader skips with a note. has_pooler: whether the architecture
 * carries BERT's pooler (BertForMaskedLM is built without one). Any other
 * Bert* architecture (token classification, question answering) loads as
 * its encoder with BERT's pooler; its head is skipped with a note. */
static const struct {
    const char *name;
    int sequence_classifier, has_pooler;
} architectures[] = {
    {"BertForSequenceClassification", 1, 1}, {"BertModel", 0, 1},      {"BertForPreTraining", 0, 1},
    {"BertForNextSentencePrediction", 0, 1},  {"BertForMaskedLM", 0, 0}, {"BertLMHeadModel", 0, 0},
    {"BertForTokenClassification", 0, 0},     {"BertForQuestionAnswering", 0, 0},
    {"BertForMultipleChoice", 0, 1},
};

/* The config alone decides what is built: architectures[0] says whether
 * there is a classifier head (num_labels and id2label describe one only for
 * a sequence classifier) and whether there is a pooler. No architectures
 * (configs written by hand): the labels decide, as before. */
static attn_status read_architecture(const attn__json_doc *doc, const attn__json *root, attn_bert_config *cfg)
{
    const attn__json *list = attn__json_object_get(root, "architectures");
    if (!list || attn__json_type_of(list) == ATTN_JSON_NULL) return ATTN_OK;
    if (attn__json_type_of(list) != ATTN_JSON_ARRAY || attn__json_array_size(list) == 0 ||
        !attn__json_get_string(attn__json_array_at(list, 0), NULL))
        return attn__json_fail(doc, list, ATTN_ERR_FORMAT, "\"architectures\" must be a list of names");
    const char *arch = attn__json_get_string(attn__json_array_at(list, 0), NULL);
    for (size_t i = 0; i < COUNT(architectures); i++) {
        if (strcmp(arch, architectures[i].name) != 0) continue;
        if (!architectures[i].sequence_classifier) cfg->num_labels = 0;
        if (!architectures[i].has_pooler) cfg->pooling = ATTN_POOL_CLS;
        return ATTN_OK;
    }
    if (strncmp(arch, "Bert", 4) == 0) {
        cfg->num_labels = 0;
        return ATTN_OK;
    }
    return attn__json_fail(doc, list, ATTN_ERR_UNSUPPORTED,
                           "architecture \"%.100s\" is not a BERT model (supported: BertModel, "
                           "BertForSequenceClassification, BertForMaskedLM, BertForPreTraining, ...)",
                           arch);
}

static attn_status parse_config(attn_ctx *ctx, const attn__json_doc *doc, attn_bert_config *cfg)
{
    const attn__json *root = attn__json_root(doc);
    if (attn__json_type_of(root) != ATTN_JSON_OBJECT)
        return attn__json_fail(doc, root, ATTN_ERR_FORMAT, "the top level must be an object");
    const char *model_type = NULL;
    ATTN_CHECK(attn__json_opt_string(doc, root, "model_type", &model_type));
    if (model_type && strcmp(model_type, "bert") != 0)
        return attn__json_fail(doc, attn__json_object_get(root, "model_type"), ATTN_ERR_UNSUPPORTED,
                               "model_type \"%s\" is not \"bert\"", model_type);
    ATTN_CHECK(read_int(doc, root, "vocab_size", &cfg->vocab_size));
    ATTN_CHECK(read_int(doc, root, "hidden_size", &cfg->hidden_size));
    ATTN_CHECK(read_int(doc, root, "num_hidden_layers", &cfg->num_layers));
    ATTN_CHECK(read_int(doc, root, "num_attention_heads", &cfg->num_heads));
    ATTN_CHECK(read_int(doc, root, "intermediate_size", &cfg->intermediate_size));
    ATTN_CHECK(read_int(doc, root, "max_position_embeddings", &cfg->max_position_embeddings));
    ATTN_CHECK(read_int(doc, root, "type_vocab_size", &cfg->type_vocab_size));
    ATTN_CHECK(read_int(doc, root, "pad_token_id", &cfg->pad_token_id));
    ATTN_CHECK(read_named(doc, root, "hidden_act", activations, COUNT(activations), &cfg->hidden_act));
    ATTN_CHECK(read_float(doc, root, "layer_norm_eps", &cfg->layer_norm_eps));
    ATTN_CHECK(read_float(doc, root, "hidden_dropout_prob", &cfg->hidden_dropout));
    ATTN_CHECK(read_float(doc, root, "attention_probs_dropout_prob", &cfg->attention_dropout));
    ATTN_CHECK(read_float(doc, root, "classifier_dropout", &cfg->classifier_dropout));
    ATTN_CHECK(read_float(doc, root, "initializer_range", &cfg->initializer_range));
    const attn__json *id2label = attn__json_object_get(root, "id2label");
    if (attn__json_type_of(id2label) == ATTN_JSON_OBJECT) cfg->num_labels = (int32_t)attn__json_object_size(id2label);
    ATTN_CHECK(read_int(doc, root, "num_labels", &cfg->num_labels));
    cfg->problem_type = cfg->num_labels == 1 ? ATTN_PROBLEM_REGRESSION : ATTN_PROBLEM_SINGLE_LABEL;
    ATTN_CHECK(read_named(doc, root, "problem_type", problems, COUNT(problems), &cfg->problem_type));
    ATTN_CHECK(read_architecture(doc, root, cfg));
    ATTN_CHECK(read_named(doc, root, "attn_pooling", poolings, COUNT(poolings), &cfg->pooling));
    ATTN_CHECK(read_named(doc, root, "attn_norm_position", norms, COUNT(norms), &cfg->norm_position));
    attn_status st = attn_bert_config_validate(ctx, cfg);
    if (st != ATTN_OK) {
        char msg[ATTN_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%.200s: %.300s", attn__json_label(doc), ctx->last_error);
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s", msg);
    }
    return ATTN_OK;
}

attn_status attn_bert_config_load(attn_ctx *ctx, const char *path, attn_bert_config *cfg)
{
    if (!ctx || !path || !cfg) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_bert_config_load: NULL argument");
    attn__json_limits limits = {1 << 20, 16, 1 << 16, 0}; /* a config is small: refuse anything else */
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse_file(ctx, path, &limits, &doc));
    attn_bert_config c;
    attn_bert_config_init(&c);
    attn_status st = parse_config(ctx, doc, &c);
    attn__json_free(doc);
    /* the caller's struct may be an older, shorter version: fill only what it has */
    if (st == ATTN_OK) {
        if (cfg->struct_size < ATTN__BERT_CONFIG_V1_SIZE)
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_bert_config_load: set cfg->struct_size (call attn_bert_config_init)");
        uint32_t size = cfg->struct_size < sizeof c ? cfg->struct_size : (uint32_t)sizeof c;
        memcpy(cfg, &c, size);
        cfg->struct_size = size;
    }
    return st;
}

attn_status attn_bert_config_label(attn_ctx *ctx, const char *path, int32_t index, char *buf, size_t size)
{
    if (!ctx || !path || !buf || size == 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_bert_config_label: bad argument");
    attn__json_limits limits = {1 << 20, 16, 1 << 16, 0};
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse_file(ctx, path, &limits, &doc));
    char key[16];
    snprintf(key, sizeof key, "%d", (int)index);
    const char *name = NULL;
    const attn__json *id2label = attn__json_object_get(attn__json_root(doc), "id2label");
    attn_status st = ATTN_OK;
    if (id2label) st = attn__json_opt_string(doc, id2label, key, &name);
    if (st == ATTN_OK && !name) st = attn__fail(ctx, ATTN_ERR_NOT_FOUND, "%s: no id2label entry \"%s\"", path, key);
    if (st == ATTN_OK) snprintf(buf, size, "%s", name);
    attn__json_free(doc);
    return st;
}

/* the shortest decimal that reads back as the same float: 1e-12, not 9.99999996e-13 */
static void append_float(attn__strbuf *b, const char *key, float v)
{
    char num[32];
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(num, sizeof num, "%.*g", digits, (double)v);
        if (strtof(num, NULL) == v) break;
    }
    attn__strbuf_appendf(b, "  \"%s\": %s,\n", key, num);
}

attn_status attn_bert_config_save(attn_ctx *ctx, const attn_bert_config *cfg, const char *const *labels, const char *path)
{
    if (!ctx || !path) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_bert_config_save: NULL argument");
    attn_bert_config accepted;
    ATTN_CHECK(attn__bert_config_accept(ctx, cfg, &accepted));
    cfg = &accepted;
    attn__strbuf b;
    attn__strbuf_init(&b, ctx);
    attn__strbuf_appendf(&b, "{\n  \"architectures\": [\"%s\"],\n  \"model_type\": \"bert\",\n",
                         cfg->num_labels > 0 ? "BertForSequenceClassification" : "BertModel");
    attn__strbuf_appendf(&b, "  \"vocab_size\": %d,\n  \"hidden_size\": %d,\n  \"num_hidden_layers\": %d,\n",
                         cfg->vocab_size, cfg->hidden_size, cfg->num_layers);
    attn__strbuf_appendf(&b, "  \"num_attention_heads\": %d,\n  \"intermediate_size\": %d,\n", cfg->num_heads,
                         cfg->intermediate_size);
    attn__strbuf_appendf(&b, "  \"max_position_embeddings\": %d,\n  \"type_vocab_size\": %d,\n  \"pad_token_id\": %d,\n",
                         cfg->max_position_embeddings, cfg->type_vocab_size, cfg->pad_token_id);
    attn__strbuf_appendf(&b, "  \"hidden_act\": \"%s\",\n", name_of(activations, COUNT(activations), cfg->hidden_act));
    append_float(&b, "layer_norm_eps", cfg->layer_norm_eps);
    append_float(&b, "hidden_dropout_prob", cfg->hidden_dropout);
    append_float(&b, "attention_probs_dropout_prob", cfg->attention_dropout);
    if (cfg->classifier_dropout >= 0.0f) append_float(&b, "classifier_dropout", cfg->classifier_dropout);
    else attn__strbuf_appendf(&b, "  \"classifier_dropout\": null,\n");
    append_float(&b, "initializer_range", cfg->initializer_range);
    attn__strbuf_appendf(&b, "  \"problem_type\": \"%s\",\n", name_of(problems, COUNT(problems), cfg->problem_type));
    if (cfg->pooling != ATTN_POOL_CLS_DENSE)
        attn__strbuf_appendf(&b, "  \"attn_pooling\": \"%s\",\n", name_of(poolings, COUNT(poolings), cfg->pooling));
    if (cfg->norm_position != ATTN_NORM_POST)
        attn__strbuf_appendf(&b, "  \"attn_norm_position\": \"%s\",\n", name_of(norms, COUNT(norms), cfg->norm_position));
    for (int pass = 0; pass < 2; pass++) {
        attn__strbuf_appendf(&b, pass ? "  \"label2id\": {" : "  \"id2label\": {");
        for (int32_t i = 0; i < cfg->num_labels; i++) {
            char fallback[32];
            snprintf(fallback, sizeof fallback, "LABEL_%d", (int)i);
            const char *name = labels && labels[i] ? labels[i] : fallback;
            attn__strbuf_appendf(&b, "%s\n    ", i ? "," : "");
            if (pass) {
                attn__json_append_string(&b, name, strlen(name));
                attn__strbuf_appendf(&b, ": %d", (int)i);
            } else {
                attn__strbuf_appendf(&b, "\"%d\": ", (int)i);
                attn__json_append_string(&b, name, strlen(name));
            }
        }
        attn__strbuf_appendf(&b, "%s}%s\n", cfg->num_labels ? "\n  " : "", pass ? "" : ",");
    }
    attn__strbuf_appendf(&b, "}\n");
    attn_status st = b.status;
    if (st == ATTN_OK) st = attn__write_file_atomic(ctx, path, b.data, b.len);
    attn__strbuf_free(&b);
    return st;
}
