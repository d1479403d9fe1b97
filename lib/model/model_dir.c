/* Model folders as Hugging Face's save_pretrained and sentence-transformers'
 * save write them: which files say what, and how each becomes part of the
 * model (config, weights, tokenizer, pooling, Dense and Normalize modules).
 * A sentence-transformers folder lists its modules in modules.json, in
 * order: a Transformer (the BERT, in the folder itself or a subfolder), a
 * Pooling, then any Dense and Normalize; a plain Hugging Face folder is a
 * Transformer alone. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "io/json.h"
#include "model/bert_internal.h"

#define PATH_MAX_LEN 4096
/* the small JSON files of a folder */
static const attn__json_limits small_json = {1 << 20, 32, 1 << 16, 0};

/* what the folder's files say, gathered before the model is built */
typedef struct folder {
    char root[PATH_MAX_LEN];        /* the folder itself */
    char transformer[PATH_MAX_LEN]; /* the Transformer module's folder (often the root) */
    int32_t pooling;                /* -1: no Pooling module */
    char pooling_config[PATH_MAX_LEN];
    int32_t normalize;
    int32_t max_seq_length;         /* 0: none given */
    int32_t ndense;
    char dense[ATTN__MAX_DENSE][PATH_MAX_LEN];
} folder;

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static attn_status join(attn_ctx *ctx, char *out, const char *dir, const char *name)
{
    int n = snprintf(out, PATH_MAX_LEN, "%s%s%s", dir, *name ? "/" : "", name);
    if (n < 0 || n >= PATH_MAX_LEN) return attn__fail(ctx, ATTN_ERR_LIMIT, "path too long: %s/%s", dir, name);
    return ATTN_OK;
}

/* A module's path from modules.json: relative, inside the folder. */
static attn_status module_dir(attn_ctx *ctx, const attn__json_doc *doc, const attn__json *entry, const char *root,
                              char *out)
{
    const char *path = "";
    ATTN_CHECK(attn__json_opt_string(doc, entry, "path", &path));
    if (path[0] == '/' || strstr(path, ".."))
        return attn__json_fail(doc, entry, ATTN_ERR_FORMAT, "module path \"%.200s\" leaves the folder", path);
    return join(ctx, out, root, path);
}

/* modules.json: [{"idx", "name", "path", "type"}, ...] in order */
static attn_status read_modules(attn_ctx *ctx, folder *f)
{
    char path[PATH_MAX_LEN];
    ATTN_CHECK(join(ctx, path, f->root, "modules.json"));
    if (!is_file(path)) return join(ctx, f->transformer, f->root, "");
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse_file(ctx, path, &small_json, &doc));
    const attn__json *list = attn__json_root(doc);
    attn_status st = ATTN_OK;
    int have_transformer = 0;
    if (attn__json_type_of(list) != ATTN_JSON_ARRAY)
        st = attn__json_fail(doc, list, ATTN_ERR_FORMAT, "modules.json must be a list of modules");
    for (size_t i = 0; st == ATTN_OK && i < attn__json_array_size(list); i++) {
        const attn__json *entry = attn__json_array_at(list, i);
        const char *type = NULL;
        st = attn__json_need_string(doc, entry, "type", &type);
        if (st != ATTN_OK) break;
        char dir[PATH_MAX_LEN];
        st = module_dir(ctx, doc, entry, f->root, dir);
        if (st != ATTN_OK) break;
        if (attn__ends_with(type, ".Transformer") && !have_transformer) {
            memcpy(f->transformer, dir, sizeof dir);
            have_transformer = 1;
        } else if (attn__ends_with(type, ".Pooling")) {
            if (f->pooling_config[0] || f->ndense)
                st = attn__json_fail(doc, entry, ATTN_ERR_UNSUPPORTED, "a second Pooling module, or one after Dense");
            else
                st = join(ctx, f->pooling_config, dir, "config.json");
        } else if (attn__ends_with(type, ".Dense")) {
            if (f->ndense == ATTN__MAX_DENSE)
                st = attn__json_fail(doc, entry, ATTN_ERR_LIMIT, "more than %d Dense modules", ATTN__MAX_DENSE);
            else
                memcpy(f->dense[f->ndense++], dir, sizeof dir);
        } else if (attn__ends_with(type, ".Normalize")) {
            f->normalize = 1;
        } else {
            st = attn__json_fail(doc, entry, ATTN_ERR_UNSUPPORTED,
                                 "module type \"%.200s\" is not supported (Transformer, Pooling, Dense, Normalize are)",
                                 type);
        }
    }
    if (st == ATTN_OK && !have_transformer)
        st = attn__json_fail(doc, list, ATTN_ERR_UNSUPPORTED, "modules.json has no Transformer module");
    attn__json_free(doc);
    return st;
}

/* The Pooling module's config.json: "pooling_mode": "mean" (or a list), or
 * the older pooling_mode_*_token(s) booleans (none set means mean). */
static attn_status read_pooling(attn_ctx *ctx, const char *path, int32_t *pooling)
{
    static const struct {
        const char *legacy, *mode;
        int32_t value;
    } modes[] = {
        {"pooling_mode_cls_token", "cls", ATTN_POOL_CLS},
        {"pooling_mode_max_tokens", "max", ATTN_POOL_MAX},
        {"pooling_mode_mean_tokens", "mean", ATTN_POOL_MEAN},
        {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens", ATTN_POOL_MEAN_SQRT_LEN},
        {"pooling_mode_weightedmean_tokens", "weightedmean", ATTN_POOL_WEIGHTED_MEAN},
        {"pooling_mode_lasttoken", "lasttoken", ATTN_POOL_LAST_TOKEN},
    };
    const size_t n = sizeof modes / sizeof modes[0];
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse_file(ctx, path, &small_json, &doc));
    const attn__json *root = attn__json_root(doc), *mode = attn__json_object_get(root, "pooling_mode");
    attn_status st = ATTN_OK;
    int found = 0;
    if (attn__json_type_of(mode) == ATTN_JSON_ARRAY && attn__json_array_size(mode) == 1)
        mode = attn__json_array_at(mode, 0);
    if (mode) {
        const char *name = attn__json_get_string(mode, NULL);
        for (size_t i = 0; name && i < n && !found; i++)
            if (strcmp(name, modes[i].mode) == 0) *pooling = modes[i].value, found = 1;
        if (!found)
            st = attn__json_fail(doc, mode, ATTN_ERR_UNSUPPORTED,
                                 "pooling_mode: one of cls, max, mean, mean_sqrt_len_tokens, weightedmean, lasttoken "
                                 "(several modes concatenated are not supported)");
    } else {
        for (size_t i = 0; i < n && st == ATTN_OK; i++) {
            int on = 0;
            st = attn__json_opt_bool(doc, root, modes[i].legacy, &on);
            if (st != ATTN_OK || !on) continue;
            if (found++)
                st = attn__json_fail(doc, root, ATTN_ERR_UNSUPPORTED,
                                     "several pooling modes at once (concatenated) are not supported");
            else
                *pooling = modes[i].value;
        }
        if (st == ATTN_OK && !found) *pooling = ATTN_POOL_MEAN;
    }
    /* include_prompt false only matters with a prompt, which libattn never prepends */
    attn__json_free(doc);
    return st;
}

/* sentence_bert_config.json: max_seq_length (the tokenizer reads do_lower_case) */
static attn_status read_sentence_bert_config(attn_ctx *ctx, folder *f)
{
    char path[PATH_MAX_LEN];
    ATTN_CHECK(join(ctx, path, f->transformer, "sentence_bert_config.json"));
    if (!is_file(path)) return ATTN_OK;
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse_file(ctx, path, &small_json, &doc));
    int64_t max_len = 0;
    attn_status st = attn__json_opt_int64(doc, attn__json_root(doc), "max_seq_length", &max_len);
    if (st == ATTN_OK && (max_len < 0 || max_len > ATTN_BERT_MAX_POSITIONS))
        st = attn__json_fail(doc, attn__json_root(doc), ATTN_ERR_FORMAT, "max_seq_length %lld is out of range",
                             (long long)max_len);
    f->max_seq_length = (int32_t)max_len;
    attn__json_free(doc);
    return st;
}

/* torch activation class names as sentence-transformers stores them */
static attn_status activation_by_name(const attn__json_doc *doc, const attn__json *at, const char *name,
                                      int32_t *act)
{
    static const struct {
        const char *suffix;
        int32_t act;
    } known[] = {{".Tanh", ATTN_ACT_TANH},       {".Identity", ATTN_ACT_IDENTITY}, {".ReLU", ATTN_ACT_RELU},
                 {".Sigmoid", ATTN_ACT_SIGMOID}, {".GELU", ATTN_ACT_GELU}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strncmp(name, "torch.", 6) == 0 && attn__ends_with(name, known[i].suffix)) {
            *act = known[i].act;
            return ATTN_OK;
        }
    return attn__json_fail(doc, at, ATTN_ERR_UNSUPPORTED,
                           "activation \"%.200s\" is not supported (Tanh, Identity, ReLU, Sigmoid, GELU are)", name);
}

/* A Dense module: config.json {in_features, out_features, bias,
 * activation_function} and model.safetensors {linear.weight, linear.bias}. */
static attn_status load_dense(attn_model *m, const char *dir, int64_t in_features, dense_module *out,
                              int64_t *out_features)
{
    attn_ctx *ctx = m->ctx;
    char path[PATH_MAX_LEN];
    ATTN_CHECK(join(ctx, path, dir, "config.json"));
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse_file(ctx, path, &small_json, &doc));
    const attn__json *root = attn__json_root(doc);
    int64_t in = 0, n_out = 0;
    int bias = 1;
    const char *act = "torch.nn.modules.activation.Tanh";
    attn_status st = attn__json_need_int64(doc, root, "in_features", &in);
    if (st == ATTN_OK) st = attn__json_need_int64(doc, root, "out_features", &n_out);
    if (st == ATTN_OK) st = attn__json_opt_bool(doc, root, "bias", &bias);
    if (st == ATTN_OK) st = attn__json_opt_string(doc, root, "activation_function", &act);
    if (st == ATTN_OK) st = activation_by_name(doc, attn__json_object_get(root, "activation_function"), act, &out->activation);
    if (st == ATTN_OK && in != in_features)
        st = attn__json_fail(doc, root, ATTN_ERR_FORMAT, "in_features %lld, but the module before gives %lld",
                             (long long)in, (long long)in_features);
    if (st == ATTN_OK && (n_out < 1 || n_out > ATTN_BERT_MAX_HIDDEN))
        st = attn__json_fail(doc, root, ATTN_ERR_FORMAT, "out_features %lld is out of range", (long long)n_out);
    attn__json_free(doc);
    ATTN_CHECK(st);
    *out_features = n_out;
    ATTN_CHECK(attn_linear_create(ctx, in, n_out, bias, &out->linear));
    ATTN_CHECK(join(ctx, path, dir, "model.safetensors"));
    if (!is_file(path))
        return attn__fail(ctx, ATTN_ERR_UNSUPPORTED,
                          "%s: no model.safetensors (a pytorch_model.bin is not read: load the folder once with "
                          "sentence-transformers and save it again, which writes safetensors)",
                          dir);
    attn_safetensors *file;
    ATTN_CHECK(attn_safetensors_open(ctx, path, &file));
    const char *names[2] = {"linear.weight", "linear.bias"};
    for (int32_t i = 0; i < (bias ? 2 : 1) && st == ATTN_OK; i++) {
        attn_tensor *value;
        st = attn_layer_param(out->linear, i, NULL, &value, NULL); /* 0 weight, 1 bias */
        if (st == ATTN_OK) st = attn_safetensors_read(file, names[i], value);
    }
    attn_safetensors_close(file);
    return st;
}

/* config.json's sentence_transformers.activation_fn (cross-encoders): the
 * activation CrossEncoder.predict applies to the logits. */
static attn_status read_score_activation(attn_model *m, const char *config_path)
{
    m->score_activation = m->cfg.num_labels == 1 ? ATTN_ACT_SIGMOID : ATTN_ACT_IDENTITY;
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse_file(m->ctx, config_path, &small_json, &doc));
    const attn__json *root = attn__json_root(doc), *st_cfg = attn__json_object_get(root, "sentence_transformers");
    const char *name = NULL;
    attn_status st = ATTN_OK;
    if (st_cfg) st = attn__json_opt_string(doc, st_cfg, "activation_fn", &name);
    if (st == ATTN_OK && !name) st = attn__json_opt_string(doc, root, "sbert_ce_default_activation_function", &name);
    if (st == ATTN_OK && name) st = activation_by_name(doc, root, name, &m->score_activation);
    attn__json_free(doc);
    return st;
}

void attn_model_load_opts_init(attn_model_load_opts *opts)
{
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
    opts->num_labels = -1;
    opts->problem_type = -1;
    opts->pooling = -1;
    opts->dropout = -1.0f;
}

#define LOAD_OPTS_V1_SIZE (offsetof(attn_model_load_opts, pooling) + sizeof(int32_t))

/* The BERT of the Transformer module, built as config.json and the options
 * say, with the folder's pooling. */
static attn_status build_model(attn_ctx *ctx, const folder *f, const attn_model_load_opts *o, attn_model **out)
{
    char config[PATH_MAX_LEN], weights[PATH_MAX_LEN];
    ATTN_CHECK(join(ctx, config, f->transformer, "config.json"));
    ATTN_CHECK(join(ctx, weights, f->transformer, "model.safetensors"));
    if (!is_file(config)) return attn__fail(ctx, ATTN_ERR_NOT_FOUND, "%s: no config.json (is it a model folder?)", f->transformer);
    if (!is_file(weights)) {
        char bin[PATH_MAX_LEN];
        ATTN_CHECK(join(ctx, bin, f->transformer, "pytorch_model.bin"));
        if (is_file(bin))
            return attn__fail(ctx, ATTN_ERR_UNSUPPORTED,
                              "%s holds pytorch_model.bin, which libattn does not read (it is a pickle); convert it "
                              "once with: python -c \"import transformers as t; "
                              "t.AutoModel.from_pretrained('%s').save_pretrained('%s', safe_serialization=True)\"",
                              f->transformer, f->transformer, f->transformer);
        return attn__fail(ctx, ATTN_ERR_NOT_FOUND, "%s: no model.safetensors", f->transformer);
    }
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    ATTN_CHECK(attn_bert_config_load(ctx, config, &cfg));
    if (f->pooling >= 0) cfg.pooling = f->pooling;
    if (o->pooling >= 0) cfg.pooling = o->pooling;
    if (o->num_labels >= 0) {
        cfg.num_labels = o->num_labels;
        cfg.problem_type = o->num_labels == 1 ? ATTN_PROBLEM_REGRESSION : ATTN_PROBLEM_SINGLE_LABEL;
    }
    if (o->problem_type >= 0) cfg.problem_type = o->problem_type;
    if (o->dropout >= 0.0f) cfg.hidden_dropout = cfg.attention_dropout = cfg.classifier_dropout = o->dropout;
    attn_model *m;
    ATTN_CHECK(attn_bert_create(ctx, &cfg, &m));
    attn_status st = attn_model_load_weights(m, weights, 1);
    if (st == ATTN_OK) st = read_score_activation(m, config);
    if (st != ATTN_OK) {
        attn__model_discard(m);
        return st;
    }
    *out = m;
    return ATTN_OK;
}

attn_status attn_model_load_dir(attn_ctx *ctx, const char *dir, const attn_model_load_opts *opts, attn_model **out)
{
    if (!ctx || !dir || !out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_model_load_dir: NULL argument");
    *out = NULL;
    attn_model_load_opts o;
    attn_model_load_opts_init(&o);
    if (opts) ATTN_CHECK(attn__accept_versioned(ctx, "model load options", opts, LOAD_OPTS_V1_SIZE, &o, sizeof o));
    if (o.pooling < -1 || o.pooling > ATTN_POOL_LAST_TOKEN || o.num_labels < -1 || o.problem_type < -1 ||
        o.problem_type > ATTN_PROBLEM_MULTI_LABEL || !(o.dropout < 1.0f))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                          "attn_model_load_dir: pooling, num_labels, problem_type or dropout out of range");
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return attn__fail(ctx, ATTN_ERR_IO, "%s is not a folder (attn_model_load_dir takes the folder a model was saved in)", dir);
    folder *f = attn__calloc(ctx, 1, sizeof *f);
    if (!f) return ATTN_ERR_NOMEM;
    f->pooling = -1;
    attn_status st = join(ctx, f->root, dir, "");
    if (st == ATTN_OK) st = read_modules(ctx, f);
    if (st == ATTN_OK && f->pooling_config[0]) st = read_pooling(ctx, f->pooling_config, &f->pooling);
    if (st == ATTN_OK) st = read_sentence_bert_config(ctx, f);
    attn_model *m = NULL;
    if (st == ATTN_OK) st = build_model(ctx, f, &o, &m);
    if (st == ATTN_OK) {
        if (f->pooling >= 0 && o.pooling < 0)
            attn__strbuf_appendf(&m->notes, "pooling: %s (sentence-transformers Pooling module)\n",
                                 attn__pooling_name(m->cfg.pooling));
        int64_t width = m->cfg.hidden_size;
        for (int32_t i = 0; i < f->ndense && st == ATTN_OK; i++) {
            st = load_dense(m, f->dense[i], width, &m->dense[i], &width);
            if (m->dense[i].linear) m->ndense = i + 1;
        }
    }
    if (st == ATTN_OK) st = attn_tokenizer_load_dir(ctx, f->transformer, &m->tokenizer);
    if (st == ATTN_OK) {
        m->normalize = f->normalize;
        int32_t max_len = m->cfg.max_position_embeddings, tok_max = attn_tokenizer_max_length(m->tokenizer);
        if (tok_max > 0 && tok_max < max_len) max_len = tok_max;
        if (f->max_seq_length > 0) max_len = f->max_seq_length;
        if (max_len > m->cfg.max_position_embeddings) max_len = m->cfg.max_position_embeddings;
        m->max_length = max_len;
    }
    attn__free(ctx, f);
    if (st != ATTN_OK) {
        if (m) attn__model_discard(m);
        return st;
    }
    *out = m;
    return attn__ok(ctx);
}

attn_tokenizer *attn_model_tokenizer(attn_model *m) { return m ? m->tokenizer : NULL; }

attn_status attn_model_set_tokenizer(attn_model *m, attn_tokenizer *tok)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    if (tok == m->tokenizer) return attn__ok(m->ctx);
    attn_tokenizer_destroy(m->tokenizer);
    m->tokenizer = tok;
    return attn__ok(m->ctx);
}
