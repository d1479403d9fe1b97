/* attn train: trains a BERT-style text classifier (or a regression or
 * multi-label model) on the fortunes data set or a user's TSV files, with
 * AdamW, warmup + linear decay, weight-decay groups, gradient clipping,
 * dropout, model selection and early stopping on validation, atomic
 * checkpoints every epoch, resume, a progress bar, a training-curve SVG and
 * a test report. examples/classify.c is the same loop without the extras.
 * Options: train_opts.c; data files: labelled_data.c; metrics and the
 * report: evaluate.c; history.tsv: train_history.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "evaluate.h"
#include "labelled_data.h"
#include "model_files.h"
#include "progress.h"
#include "svg_curve.h"
#include "train_data.h"
#include "train_history.h"
#include "train_opts.h"

static const char *cmd = "train";

/* The vocabulary: --vocab, $ATTN_VOCAB, the installed copy, the source tree's copy. */
const char *attn_cmd_find_vocab(const char *given)
{
    static const char *candidates[] = {NULL, NULL, ATTN_DATADIR "/bert-base-uncased-vocab.txt",
                                       ATTN_SOURCE_DATADIR "/bert-base-uncased-vocab.txt"};
    candidates[0] = given;
    candidates[1] = getenv("ATTN_VOCAB");
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        struct stat sb;
        if (candidates[i] && stat(candidates[i], &sb) == 0) return candidates[i];
        if (i == 0 && given) return given; /* report the user's path as given */
    }
    return NULL;
}

/* Everything one run holds, released by run_free. */
typedef struct run {
    attn_ctx *ctx;
    attn_tokenizer *tok;
    attn_dataset *ds[3];       /* the --tsv (or fortunes) data, --val, --test; NULL when not given */
    const char *path[3];
    label_space labels;
    label_map maps[3];
    encoded_set sets[3];       /* train, validation, test */
    attn_model *model;
    attn_optim *opt;
    batch_tensors bt;
    evaluation eval;
    history hist;
    int64_t *order;
    char ckpt[4096], best[4096], config[4096], curve[4096];
} run;

static void run_free(run *r)
{
    free(r->order);
    history_free(&r->hist);
    evaluation_free(&r->eval);
    batch_tensors_free(&r->bt);
    for (int s = 0; s < 3; s++) {
        encoded_set_free(&r->sets[s]);
        label_map_free(&r->maps[s]);
        attn_dataset_destroy(r->ds[s]);
    }
    label_space_free(&r->labels);
    attn_optim_destroy(r->opt);
    attn_model_destroy(r->model);
    attn_tokenizer_destroy(r->tok);
    attn_ctx_destroy(r->ctx);
}

static int load_fortunes(attn_ctx *ctx, const train_opts *o, attn_dataset **ds)
{
    attn_dataset_opts dopts;
    memset(&dopts, 0, sizeof dopts);
    dopts.struct_size = sizeof dopts;
    dopts.strip_attribution = o->strip_attribution;
    char buf[1024];
    const char *names[64];
    int32_t n = 0;
    if (o->categories) {
        snprintf(buf, sizeof buf, "%s", o->categories);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && n < 64; tok = strtok_r(NULL, ",", &save))
            names[n++] = tok;
    }
    if (attn_dataset_load_fortunes(ctx, o->data, n ? names : NULL, n, &dopts, ds) != ATTN_OK)
        return cli_fail(cmd, ctx, "loading fortunes");
    return 0;
}

/* The three sets: the --tsv file's hash split, except where --val or
 * --test name a file of their own (then the share of the --tsv file that
 * split would have held trains too). */
static int load_data(run *r, const train_opts *o)
{
    data_opts d = {cmd, o->problem, o->text_first, o->skip_bad, o->strip_attribution};
    const char *files[3] = {o->tsv, o->val, o->test};
    for (int s = 0; s < 3; s++) {
        r->path[s] = s == 0 && !o->tsv ? "fortunes" : files[s];
        if (s == 0 && !o->tsv) {
            if (load_fortunes(r->ctx, o, &r->ds[0])) return 1;
        } else if (files[s] && data_load_tsv(r->ctx, files[s], &d, &r->ds[s])) {
            return 1;
        }
    }
    if (label_space_from_data(cmd, r->ds[0], r->path[0], o->problem, o->label_names, &r->labels)) return 1;
    uint32_t train_mask = 1u | (o->val ? 2u : 0u) | (o->test ? 4u : 0u);
    for (int s = 1; s < 3; s++) {
        int64_t seen = r->ds[s] ? data_overlap(r->ds[0], train_mask, r->ds[s]) : 0;
        if (seen > 0)
            fprintf(stderr, "attn %s: warning: %lld texts of %s also occur in the training data (%s): %s scores on "
                            "them are not of unseen texts\n",
                    cmd, (long long)seen, r->path[s], r->path[0], s == 1 ? "validation" : "test");
    }
    for (int s = 0; s < 3; s++) {
        const attn_dataset *ds = r->ds[s] ? r->ds[s] : r->ds[0];
        if (r->ds[s] && label_map_build(cmd, ds, r->path[s], &r->labels, &r->maps[s])) return 1;
        const label_map *map = r->ds[s] ? &r->maps[s] : &r->maps[0];
        uint32_t mask = s == 0 ? train_mask : r->ds[s] ? SPLITS_ALL : 1u << s;
        if (encoded_set_build(&r->sets[s], r->tok, ds, mask, (int32_t)o->max_len, map))
            return cli_fail(cmd, r->ctx, "tokenizing");
    }
    return 0;
}

static void print_data_summary(const run *r, const train_opts *o, FILE *f)
{
    for (int s = 0; s < 3; s++) {
        const attn_dataset *ds = r->ds[s];
        if (!ds) continue;
        fprintf(f, "%s: %lld examples, %d labels; dropped %lld texts found under several labels and %lld repeats\n",
                r->path[s], (long long)attn_dataset_size(ds), attn_dataset_num_labels(ds),
                (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_CROSS_LABEL_DROPPED),
                (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_DUPLICATES_DROPPED));
        fprintf(f, "      cleaned %lld control characters, %lld mojibake sequences; %lld texts carry an attribution line\n",
                (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_CONTROL_CHARS),
                (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_MOJIBAKE),
                (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_ATTRIBUTIONS));
    }
    fprintf(f, "%-16s %7s %7s %7s\n", o->problem == ATTN_PROBLEM_SINGLE_LABEL ? "class" : "", "train", "val", "test");
    for (int32_t c = 0; c < r->labels.k && o->problem == ATTN_PROBLEM_SINGLE_LABEL; c++) {
        int64_t count[3] = {0, 0, 0};
        for (int s = 0; s < 3; s++)
            for (int64_t i = 0; i < r->sets[s].n; i++) count[s] += r->sets[s].labels[i] == c;
        fprintf(f, "%-16s %7lld %7lld %7lld\n", r->labels.names[c], (long long)count[0], (long long)count[1],
                (long long)count[2]);
    }
    fprintf(f, "%-16s %7lld %7lld %7lld\n", "examples", (long long)r->sets[0].n, (long long)r->sets[1].n,
            (long long)r->sets[2].n);
    int64_t all = 0, cut = 0, tokens = 0;
    for (int s = 0; s < 3; s++) all += r->sets[s].n, cut += r->sets[s].truncated, tokens += r->sets[s].tokens;
    fprintf(f, "max length %ld tokens: %lld of %lld texts (%.1f%%) are longer and truncated; mean length %.1f\n",
            o->max_len, (long long)cut, (long long)all, all ? 100.0 * (double)cut / (double)all : 0.0,
            all ? (double)tokens / (double)all : 0.0);
}

static int dump_tokens(const char *path, const run *r)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "attn %s: cannot write %s: %s\n", cmd, path, strerror(errno));
        return 1;
    }
    fprintf(f, "split\tlabel\tinput_ids\n");
    for (int s = 0; s < 3; s++) {
        const encoded_set *set = &r->sets[s];
        for (int64_t i = 0; i < set->n; i++) {
            fprintf(f, "%s\t", s == 0 ? "train" : s == 1 ? "validation" : "test");
            if (set->problem == ATTN_PROBLEM_SINGLE_LABEL) fprintf(f, "%s", r->labels.names[set->labels[i]]);
            else
                for (int32_t j = 0; j < set->width; j++) fprintf(f, j ? ",%g" : "%g", (double)set->targets[i * set->width + j]);
            fprintf(f, "\t");
            for (int64_t t = set->start[i]; t < set->start[i + 1]; t++)
                fprintf(f, t > set->start[i] ? " %d" : "%d", set->ids[t]);
            fprintf(f, "\n");
        }
    }
    return fclose(f) == 0 ? 0 : 1;
}

/* mkdir -p: the output directory and its missing parents. */
static int make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* A finished run is never replaced silently: --force replaces it, --resume
 * continues it, and --resume needs something to continue. Checked before
 * the data is read, so a mistake costs no time. */
static int check_out(run *r, const train_opts *o)
{
    struct stat sb;
    snprintf(r->ckpt, sizeof r->ckpt, "%s/checkpoint.safetensors", o->out);
    snprintf(r->best, sizeof r->best, "%s/model.safetensors", o->out);
    snprintf(r->config, sizeof r->config, "%s/config.json", o->out);
    snprintf(r->curve, sizeof r->curve, "%s/curve.svg", o->out);
    if (o->resume && stat(r->ckpt, &sb) != 0) {
        fprintf(stderr, "attn %s: --resume: %s does not exist: there is no run to continue in %s%s\n", cmd, r->ckpt,
                o->out, o->out_given ? "" : " (the default --out)");
        return 1;
    }
    if (!o->resume && !o->force && (stat(r->best, &sb) == 0 || stat(r->ckpt, &sb) == 0)) {
        fprintf(stderr,
                "attn %s: %s%s already holds a trained model (%s): pass --force to replace it, --resume to continue "
                "it, or another --out\n",
                cmd, o->out_given ? "--out " : "the default --out ", o->out, stat(r->best, &sb) == 0 ? r->best : r->ckpt);
        return 1;
    }
    return 0;
}

/* attn_pooling's values in words */
static const char *pooling_words[] = {"BERT pooler", "[CLS]", "mean", "max", "mean/sqrt(length)", "weighted mean",
                                      "last-token"};

static int pooling_value(const char *name)
{
    return strcmp(name, "mean") == 0 ? ATTN_POOL_MEAN : strcmp(name, "cls") == 0 ? ATTN_POOL_CLS : ATTN_POOL_CLS_DENSE;
}

/* A pretrained model folder with a new classifier head of the task's
 * labels on its own pooling (or --pooling), its dropout (or --dropout),
 * frozen as asked. */
static int load_pretrained(run *r, const train_opts *o)
{
    attn_model_load_opts lo;
    attn_model_load_opts_init(&lo);
    lo.num_labels = r->labels.k;
    lo.problem_type = o->problem;
    if (cli_present(o->table, o->table_size, "--pooling")) lo.pooling = pooling_value(o->pooling);
    if (o->dropout_given) lo.dropout = (float)o->dropout;
    if (attn_model_load_dir(r->ctx, o->init, &lo, &r->model) != ATTN_OK) return cli_fail(cmd, r->ctx, "--init");
    const attn_bert_config *c = attn_model_config(r->model);
    static const char *frozen[] = {"", ", embeddings frozen", ", encoder frozen (only the head trains)"};
    fprintf(stderr, "fine-tuning %s: %d layers, hidden %d, %s pooling, dropout %.2g, a new head of %d labels; lr %.3g%s",
            o->init, (int)c->num_layers, (int)c->hidden_size, c->pooling >= 0 && c->pooling <= ATTN_POOL_LAST_TOKEN ? pooling_words[c->pooling] : "?",
            (double)c->hidden_dropout, (int)c->num_labels, o->lr, frozen[o->freeze]);
    if (o->layer_lr_decay != 1.0) fprintf(stderr, ", layer-wise lr decay %.3g", o->layer_lr_decay);
    fprintf(stderr, "\n");
    const char *notes = attn_model_load_notes(r->model);
    for (const char *line = notes; *line;) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        fprintf(stderr, "  %.*s\n", len, line);
        line += len + (end ? 1 : 0);
    }
    return 0;
}

/* The model: fresh from the options, a pretrained folder, or a Hugging
 * Face checkpoint with a new head. */
static int build_model(run *r, const train_opts *o)
{
    if (o->init_dir) {
        if (load_pretrained(r, o)) return 1;
        int32_t limit = attn_model_config(r->model)->max_position_embeddings;
        if (limit < o->max_len) {
            fprintf(stderr, "attn %s: --max-len %ld exceeds the model's max_position_embeddings %d\n", cmd, o->max_len,
                    (int)limit);
            return 1;
        }
        return 0;
    }
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    if (o->init) {
        char path[4096];
        cli_config_path(o->init_config, o->init, path, sizeof path);
        if (cli_check_weights(cmd, "--init", o->init) || cli_check_config(cmd, "--init-config", path)) return 1;
        if (attn_bert_config_load(r->ctx, path, &cfg) != ATTN_OK) return cli_fail(cmd, r->ctx, "--init-config");
    } else {
        int pooling = pooling_value(o->pooling);
        cfg.vocab_size = attn_tokenizer_vocab_size(r->tok);
        cfg.hidden_size = (int32_t)o->hidden;
        cfg.num_layers = (int32_t)o->layers;
        cfg.num_heads = (int32_t)o->heads;
        cfg.intermediate_size = (int32_t)o->ffn;
        cfg.max_position_embeddings = o->max_len > 512 ? (int32_t)o->max_len : 512;
        cfg.hidden_dropout = cfg.attention_dropout = (float)o->dropout;
        cfg.pooling = pooling;
    }
    cfg.num_labels = r->labels.k;
    cfg.problem_type = o->problem;
    if (cfg.max_position_embeddings < o->max_len) {
        fprintf(stderr, "attn %s: --max-len %ld exceeds the model's max_position_embeddings %d\n", cmd, o->max_len,
                cfg.max_position_embeddings);
        return 1;
    }
    if (attn_bert_create(r->ctx, &cfg, &r->model) != ATTN_OK) return cli_fail(cmd, r->ctx, "building the model");
    if (o->init && attn_model_load_weights(r->model, o->init, 1) != ATTN_OK) return cli_fail(cmd, r->ctx, "--init");
    return 0;
}

/* The model, frozen as asked before the optimizer sees its parameters. */
static int build_frozen_model(run *r, const train_opts *o)
{
    if (build_model(r, o)) return 1;
    if (attn_model_set_int(r->model, ATTN_MODEL_OPT_FREEZE, o->freeze) != ATTN_OK) return cli_fail(cmd, r->ctx, "freezing");
    return 0;
}

static int build_optimizer(run *r, const train_opts *o)
{
    attn_optim_opts oo;
    memset(&oo, 0, sizeof oo);
    oo.struct_size = sizeof oo;
    oo.kind = ATTN_OPTIM_ADAMW;
    oo.lr = o->lr;
    oo.beta1 = 0.9;
    oo.beta2 = 0.999;
    oo.eps = 1e-8;
    oo.weight_decay = o->weight_decay;
    int32_t no_decay, pad_id = 0;
    attn_tokenizer_token_to_id(r->tok, "[PAD]", &pad_id);
    int32_t width = r->sets[0].width;
    if (attn_optim_create(r->ctx, &oo, &r->opt) != ATTN_OK || attn_optim_add_group(r->opt, 1.0, 0.0, &no_decay) != ATTN_OK ||
        (o->layer_lr_decay == 1.0 ? attn_model_add_to_optim(r->model, r->opt, 0, no_decay)
                                  : attn_model_add_to_optim_layerwise(r->model, r->opt, o->weight_decay,
                                                                      o->layer_lr_decay)) != ATTN_OK ||
        batch_tensors_init(&r->bt, r->ctx, (int32_t)(o->batch > 64 ? o->batch : 64), (int32_t)o->max_len, pad_id,
                           o->problem, width) ||
        evaluation_init(&r->eval, o->problem, r->labels.k))
        return cli_fail(cmd, r->ctx, "setting up training");
    if (!(r->order = malloc((size_t)r->sets[0].n * sizeof *r->order))) return cli_fail(cmd, NULL, "out of memory");
    return 0;
}

/* One epoch of optimizer steps over the shuffled training set; the mean loss. */
static int train_epoch(run *r, const train_opts *o, attn_train_state *st, int64_t epoch, double *mean_loss)
{
    const encoded_set *train = &r->sets[0];
    int64_t steps = (train->n + o->batch - 1) / o->batch;
    double loss_sum = 0.0;
    progress bar;
    shuffle_order(r->order, train->n, (uint64_t)o->seed, epoch);
    if (attn_model_set_training(r->model, 1) != ATTN_OK) return cli_fail(cmd, r->ctx, "training");
    progress_start(&bar, o->quiet, steps);
    for (int64_t s = 0; s < steps; s++) {
        int64_t first = s * o->batch, count = train->n - first < o->batch ? train->n - first : o->batch;
        float loss;
        double lr, norm;
        if (batch_tensors_fill(&r->bt, train, r->order, first, count) || attn_model_zero_grad(r->model) != ATTN_OK ||
            attn_model_forward(r->model, r->bt.ids, NULL, r->bt.mask) != ATTN_OK ||
            attn_model_loss_backward(r->model, r->bt.labels, &loss) != ATTN_OK ||
            (o->clip > 0 && attn_optim_clip_grad_norm(r->opt, o->clip, &norm) != ATTN_OK) ||
            attn_lr_schedule(ATTN_LR_LINEAR, o->lr, st->step, st->warmup_steps, st->total_steps, &lr) != ATTN_OK ||
            attn_optim_set_lr(r->opt, lr) != ATTN_OK || attn_optim_step(r->opt) != ATTN_OK)
            return cli_fail(cmd, r->ctx, "training");
        st->step++;
        loss_sum += loss;
        progress_update(&bar, epoch + 1, o->epochs, s + 1, first + count, loss_sum / (double)(s + 1));
    }
    progress_end(&bar);
    *mean_loss = loss_sum / (double)steps;
    return 0;
}

/* The number model selection maximises. */
static double selection_score(const evaluation *e, int select)
{
    if (select == SELECT_VAL_LOSS) return -evaluation_loss(e);
    /* macro-F1 breaks accuracy ties between classifiers */
    return evaluation_score(e) + (e->problem == ATTN_PROBLEM_REGRESSION ? 0.0 : 1e-6 * evaluation_second(e));
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static int test_report(run *r, const train_opts *o, const attn_train_state *st)
{
    const encoded_set *test = &r->sets[2];
    double total_seconds = 0.0;
    for (int64_t i = 0; i < r->hist.n; i++) total_seconds += r->hist.seconds[i];
    if (test->n == 0) {
        printf("test report: none, the test split is empty (%s%s)\n",
               o->test ? "the --test file has no examples" : "too few examples for its 10% share",
               o->test ? "" : "; pass --test FILE");
        evaluation_reset(&r->eval); /* empty: the JSON says null */
    } else {
        if (attn_model_load_weights(r->model, r->best, 0) != ATTN_OK) return cli_fail(cmd, r->ctx, r->best);
        if (evaluate(cmd, r->model, test, &r->bt, 64, &r->eval, r->ctx)) return 1;
        printf("test report (%s epoch %lld of %lld, %lld test texts)\n", o->select == SELECT_LAST ? "last" : "best",
               (long long)st->best_epoch, (long long)r->hist.n, (long long)test->n);
        evaluation_report(&r->eval, (const char *const *)r->labels.names, stdout);
        printf("\ntest ");
        evaluation_summary(&r->eval, stdout);
        printf("  ");
    }
    int64_t peak = 0, threads = 0;
    attn_ctx_get_int(r->ctx, ATTN_INFO_PEAK_BYTES, &peak);
    attn_ctx_get_int(r->ctx, ATTN_OPT_THREADS, &threads);
    double spe = r->hist.n ? total_seconds / (double)r->hist.n : 0.0;
    printf("seconds/epoch %.2f  library peak memory %.1f MB  process peak RSS %.1f MB\n", spe, (double)peak / 1048576.0,
           peak_rss_mb());
    printf("{");
    evaluation_json(&r->eval, stdout);
    printf(", \"test_examples\": %lld, \"seconds_per_epoch\": %.4f, \"epochs\": %lld, \"best_epoch\": %lld, "
           "\"threads\": %lld, \"library_peak_mb\": %.2f, \"peak_rss_mb\": %.2f}\n",
           (long long)test->n, spe, (long long)r->hist.n, (long long)st->best_epoch, (long long)threads,
           (double)peak / 1048576.0, peak_rss_mb());
    fprintf(stderr, "saved %s, %s, %s and %s\n", r->best, r->config, r->ckpt, r->curve);
    return 0;
}

/* Context, vocabulary, data, output folder, model and optimizer. Returns 0
 * to go on, 1 on an error, -1 when the run is over (--dump-tokens). */
static int prepare(run *r, const train_opts *o)
{
    if (!cli_ctx_opts(cmd, o->table, o->table_size, &r->ctx)) return 1;
    if (attn_ctx_set_int(r->ctx, ATTN_OPT_SEED, o->seed) != ATTN_OK ||
        attn_ctx_set_int(r->ctx, ATTN_OPT_CHECK_FINITE, 1) != ATTN_OK)
        return cli_fail(cmd, r->ctx, "settings");
    if (o->init_dir) {
        /* the folder's own tokenizer: its token ids are the ones the encoder learnt */
        if (attn_tokenizer_load_dir(r->ctx, o->init, &r->tok) != ATTN_OK) return cli_fail(cmd, r->ctx, "--init");
    } else {
        const char *vocab = attn_cmd_find_vocab(o->vocab);
        if (!vocab) {
            fprintf(stderr, "attn %s: no vocabulary found; pass --vocab bert-base-uncased/vocab.txt\n", cmd);
            return 1;
        }
        if (attn_tokenizer_load(r->ctx, vocab, ATTN_TOKENIZER_LOWERCASE, &r->tok) != ATTN_OK)
            return cli_fail(cmd, r->ctx, "--vocab");
    }
    if (!o->dump_tokens && check_out(r, o)) return 1;
    if (load_data(r, o)) return 1;
    if (o->dump_tokens) return dump_tokens(o->dump_tokens, r) ? 1 : -1;
    print_data_summary(r, o, stderr);
    if (r->sets[0].n == 0 || r->sets[1].n == 0) {
        fprintf(stderr, "attn %s: the %s split is empty%s\n", cmd, r->sets[0].n == 0 ? "training" : "validation",
                r->sets[0].n == 0 || o->val ? "" : " (too few examples for its 10% share: pass --val FILE)");
        return 1;
    }
    if (make_dirs(o->out) != 0) {
        fprintf(stderr, "attn %s: cannot create --out %s: %s\n", cmd, o->out, strerror(errno));
        return 1;
    }
    return build_frozen_model(r, o) || build_optimizer(r, o);
}

/* The schedule, or where a resumed run stands; config.json. */
static int start(run *r, const train_opts *o, int64_t steps_per_epoch, attn_train_state *st)
{
    memset(st, 0, sizeof *st);
    st->struct_size = sizeof *st;
    st->total_steps = steps_per_epoch * o->epochs;
    st->warmup_steps = (int64_t)(o->warmup * (double)st->total_steps);
    st->base_lr = o->lr;
    int single = o->problem == ATTN_PROBLEM_SINGLE_LABEL;
    history_init(&r->hist, o->problem == ATTN_PROBLEM_REGRESSION ? "val_r2" : single ? "val_accuracy" : "val_exact_match",
                 o->problem == ATTN_PROBLEM_REGRESSION ? "val_mae" : "val_macro_f1");
    if (o->resume) {
        if (attn_checkpoint_load(r->model, r->opt, st, r->ckpt) != ATTN_OK) return cli_fail(cmd, r->ctx, "--resume");
        if (history_load(&r->hist, o->out, st->epoch)) {
            fprintf(stderr, "attn %s: %s/history.tsv does not match the checkpoint (epoch %lld)\n", cmd, o->out,
                    (long long)st->epoch);
            return 1;
        }
        fprintf(stderr, "resuming after epoch %lld (step %lld)\n", (long long)st->epoch, (long long)st->step);
    }
    const char *why = attn_lr_schedule_error(ATTN_LR_LINEAR, o->lr, st->step, st->warmup_steps, st->total_steps);
    if (why) {
        fprintf(stderr, "attn %s: learning-rate schedule: %s (see --lr and --warmup)\n", cmd, why);
        return 1;
    }
    if (attn_bert_config_save(r->ctx, attn_model_config(r->model), (const char *const *)r->labels.names, r->config) !=
        ATTN_OK)
        return cli_fail(cmd, r->ctx, "writing config.json");
    /* with the tokenizer beside config and weights, --out is a model folder
     * that attn predict, eval and embed (and --init) read as it is */
    if (o->init_dir && model_files_copy_tokenizer(cmd, o->init, o->out)) return 1;
    return 0;
}

/* After an epoch: model selection, the epoch's line, checkpoint, history and curve. */
static int end_epoch(run *r, const train_opts *o, attn_train_state *st, double train_loss, double seconds)
{
    if (history_add(&r->hist, train_loss, evaluation_loss(&r->eval), evaluation_score(&r->eval),
                    evaluation_second(&r->eval), seconds))
        return cli_fail(cmd, NULL, "out of memory");
    st->epoch++;
    double score = selection_score(&r->eval, o->select);
    int improved = o->select == SELECT_LAST || st->best_epoch == 0 || score > st->best_metric;
    if (improved) {
        st->best_metric = score;
        st->best_epoch = st->epoch;
        st->epochs_without_improvement = 0;
        if (attn_model_save(r->model, r->best) != ATTN_OK) return cli_fail(cmd, r->ctx, "saving the model");
    } else {
        st->epochs_without_improvement++;
    }
    char scores[96];
    if (o->problem == ATTN_PROBLEM_REGRESSION)
        snprintf(scores, sizeof scores, "R^2 %.4f  MAE %.4g", evaluation_score(&r->eval), evaluation_second(&r->eval));
    else
        snprintf(scores, sizeof scores, "%s %5.1f%%  macro-F1 %5.1f%%", evaluation_score_name(&r->eval),
                 100 * evaluation_score(&r->eval), 100 * evaluation_second(&r->eval));
    fprintf(stderr, "epoch %2lld  train loss %.4f  val loss %.4f  %s  %5.1f s  %.0f ex/s%s\n", (long long)st->epoch,
            train_loss, evaluation_loss(&r->eval), scores, seconds, (double)r->sets[0].n / seconds,
            improved && o->select != SELECT_LAST ? "  (best, saved)" : "");
    if (attn_checkpoint_save(r->model, r->opt, st, r->ckpt) != ATTN_OK) return cli_fail(cmd, r->ctx, "checkpoint");
    if (history_save(&r->hist, o->out) ||
        svg_curve_write(r->curve, "attn train", r->hist.n, r->hist.train_loss, r->hist.val_loss, r->hist.val_score)) {
        fprintf(stderr, "attn %s: cannot write the history or curve in %s\n", cmd, o->out);
        return 1;
    }
    return 0;
}

static int train(run *r, const train_opts *o)
{
    int rc = prepare(r, o);
    if (rc) return rc < 0 ? 0 : rc;
    int64_t steps_per_epoch = (r->sets[0].n + o->batch - 1) / o->batch;
    long patience = train_opts_patience(o, (long)steps_per_epoch);
    const char *score_name = o->select == SELECT_VAL_LOSS ? "loss" : evaluation_score_name(&r->eval);
    attn_train_state st;
    if (start(r, o, steps_per_epoch, &st)) return 1;
    if (o->select != SELECT_LAST)
        fprintf(stderr, "early stopping: after %ld epochs without a better validation %s (%s), not before epoch %ld\n",
                patience, score_name, o->patience > 0 ? "--patience" : "--patience auto", o->min_epochs);
    for (int64_t first_epoch = st.epoch; st.epoch < o->epochs;) {
        if (o->select != SELECT_LAST && st.epoch >= o->min_epochs && st.epochs_without_improvement >= patience) {
            fprintf(stderr, "early stop: no better validation %s for %ld epochs\n", score_name, patience);
            break;
        }
        if (o->stop_after > 0 && st.epoch - first_epoch >= o->stop_after) {
            fprintf(stderr, "stopping after %ld epochs as asked; continue with --resume\n", o->stop_after);
            return 0;
        }
        double t0 = now_seconds(), train_loss = 0.0;
        if (train_epoch(r, o, &st, st.epoch, &train_loss)) return 1;
        double seconds = now_seconds() - t0;
        if (evaluate(cmd, r->model, &r->sets[1], &r->bt, 64, &r->eval, r->ctx) ||
            end_epoch(r, o, &st, train_loss, seconds))
            return 1;
    }
    return test_report(r, o, &st);
}

int attn_cmd_train(int argc, char **argv)
{
    train_opts o;
    int rc = train_opts_parse(argc, argv, &o);
    if (rc) {
        train_opts_free(&o);
        return rc < 0 ? 0 : rc;
    }
    run r;
    memset(&r, 0, sizeof r);
    rc = train(&r, &o);
    run_free(&r);
    train_opts_free(&o);
    return rc;
}
