/* attn train: trains a BERT-style text classifier on the fortunes data set
 * (or a user's TSV file), with AdamW, warmup + linear decay, weight-decay
 * groups, gradient clipping, dropout, model selection and early stopping on
 * validation accuracy, atomic checkpoints every epoch, resume, a progress
 * bar, a training-curve SVG and a test report. examples/classify.c is the
 * same loop without the extras. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "history.h"
#include "metrics.h"
#include "progress.h"
#include "svg_curve.h"
#include "train_data.h"

#define MAX_EPOCHS 1000

typedef struct train_opts {
    const char *data, *tsv, *categories, *vocab, *out, *init, *init_config, *dump_tokens, *pooling;
    long layers, hidden, heads, ffn, max_len, batch, epochs, patience, seed, threads, memory_mb, stop_after;
    double lr, warmup, weight_decay, clip, dropout;
    int strip_attribution, quiet, resume;
} train_opts;

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

static int load_dataset(attn_ctx *ctx, const train_opts *o, attn_dataset **ds)
{
    attn_dataset_opts dopts;
    memset(&dopts, 0, sizeof dopts);
    dopts.struct_size = sizeof dopts;
    dopts.strip_attribution = o->strip_attribution;
    if (o->tsv) {
        if (attn_dataset_load_tsv(ctx, o->tsv, &dopts, ds) != ATTN_OK) return cli_fail(cmd, ctx, "--tsv");
        return 0;
    }
    char buf[1024];
    const char *names[64];
    int32_t n = 0;
    if (o->categories) {
        snprintf(buf, sizeof buf, "%s", o->categories);
        for (char *tok = strtok(buf, ","); tok && n < 64; tok = strtok(NULL, ",")) names[n++] = tok;
    }
    if (attn_dataset_load_fortunes(ctx, o->data, n ? names : NULL, n, &dopts, ds) != ATTN_OK)
        return cli_fail(cmd, ctx, "loading fortunes");
    return 0;
}

static void print_data_summary(const attn_dataset *ds, const encoded_set *sets, int32_t max_len, FILE *f)
{
    int32_t k = attn_dataset_num_labels(ds);
    fprintf(f, "data: %lld examples, %d classes; dropped %lld texts found under several labels and %lld repeats\n",
            (long long)attn_dataset_size(ds), k, (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_CROSS_LABEL_DROPPED),
            (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_DUPLICATES_DROPPED));
    fprintf(f, "      cleaned %lld control characters, %lld mojibake sequences; %lld texts carry an attribution line\n",
            (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_CONTROL_CHARS),
            (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_MOJIBAKE),
            (long long)attn_dataset_stat_get(ds, ATTN_DATASET_STAT_ATTRIBUTIONS));
    fprintf(f, "%-16s %7s %7s %7s\n", "class", "train", "val", "test");
    for (int32_t c = 0; c < k; c++)
        fprintf(f, "%-16s %7lld %7lld %7lld\n", attn_dataset_label_name(ds, c), (long long)attn_dataset_count(ds, 0, c),
                (long long)attn_dataset_count(ds, 1, c), (long long)attn_dataset_count(ds, 2, c));
    int64_t all = sets[0].n + sets[1].n + sets[2].n, cut = sets[0].truncated + sets[1].truncated + sets[2].truncated;
    fprintf(f, "max length %d tokens: %lld of %lld texts (%.1f%%) are longer and truncated; mean length %.1f\n", max_len,
            (long long)cut, (long long)all, all ? 100.0 * (double)cut / (double)all : 0.0,
            all ? (double)(sets[0].tokens + sets[1].tokens + sets[2].tokens) / (double)all : 0.0);
}

/* Loss, accuracy and confusion over a set in eval mode. */
static int evaluate(attn_model *model, const encoded_set *set, batch_tensors *bt, int32_t batch, metrics *m,
                    attn_ctx *ctx)
{
    metrics_reset(m);
    if (attn_model_set_training(model, 0) != ATTN_OK) return cli_fail(cmd, ctx, "eval mode");
    for (int64_t first = 0; first < set->n; first += batch) {
        int64_t count = set->n - first < batch ? set->n - first : batch;
        float loss;
        if (batch_tensors_fill(bt, set, NULL, first, count) ||
            attn_model_forward(model, bt->ids, NULL, bt->mask) != ATTN_OK ||
            attn_model_loss(model, bt->labels, &loss) != ATTN_OK)
            return cli_fail(cmd, ctx, "evaluation");
        const float *logits = attn_tensor_data_f32(attn_model_output(model, ATTN_OUT_LOGITS));
        const int32_t *labels = attn_tensor_data(bt->labels);
        for (int64_t b = 0; b < count; b++) {
            int32_t best = 0;
            for (int32_t c = 1; c < m->k; c++)
                if (logits[b * m->k + c] > logits[b * m->k + best]) best = c;
            metrics_add(m, labels[b], best);
        }
        m->loss_sum += (double)loss * (double)count;
    }
    return 0;
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

static int save_history(const char *dir, const history *h)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/history.tsv", dir);
    return history_save(h, path);
}

static int load_history(const char *dir, history *h, int64_t epochs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/history.tsv", dir);
    return history_load(h, path, epochs);
}

static int dump_tokens(const char *path, const encoded_set *sets, const char *const *names)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "attn %s: cannot write %s: %s\n", cmd, path, strerror(errno));
        return 1;
    }
    fprintf(f, "split\tlabel\tinput_ids\n");
    for (int s = 0; s < 3; s++)
        for (int64_t i = 0; i < sets[s].n; i++) {
            fprintf(f, "%s\t%s\t", s == 0 ? "train" : s == 1 ? "validation" : "test", names[sets[s].labels[i]]);
            for (int64_t t = sets[s].start[i]; t < sets[s].start[i + 1]; t++)
                fprintf(f, t > sets[s].start[i] ? " %d" : "%d", sets[s].ids[t]);
            fprintf(f, "\n");
        }
    return fclose(f) == 0 ? 0 : 1;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static int parse_opts(int argc, char **argv, train_opts *o)
{
    cli_opt opts[] = {
        {"--data", "DIR", "fortunes directory", ATTN_DATASET_FORTUNES_DIR, 0},
        {"--categories", "A,B,...", "fortunes categories", "computers,politics,science,songs-poems", 0},
        {"--tsv", "FILE", "train on a label<TAB>text file instead (see doc/DATA.md)", NULL, 0},
        {"--strip-attribution", NULL, "remove trailing \"-- Author\" lines from the texts", NULL, 0},
        {"--vocab", "VOCAB.txt", "WordPiece vocabulary (default: bert-base-uncased)", NULL, 0},
        {"--out", "DIR", "where checkpoints, config, curve and report go", "runs/fortunes", 0},
        {"--layers", "N", "encoder blocks", "2", 0},
        {"--hidden", "N", "hidden size", "128", 0},
        {"--heads", "N", "attention heads", "2", 0},
        {"--ffn", "N", "feed-forward size", "512", 0},
        {"--max-len", "N", "tokens per text, [CLS] and [SEP] included", "128", 0},
        {"--batch", "N", "batch size", "32", 0},
        {"--epochs", "N", "maximum epochs", "10", 0},
        {"--patience", "N", "stop after N epochs without a better validation accuracy", "3", 0},
        {"--lr", "X", "peak learning rate (AdamW)", "1e-3", 0},
        {"--warmup", "X", "fraction of the steps for linear warmup", "0.1", 0},
        {"--weight-decay", "X", "AdamW weight decay (not on biases and LayerNorm)", "0.01", 0},
        {"--clip", "X", "clip gradients to this global L2 norm (0: off)", "1.0", 0},
        {"--dropout", "X", "dropout probability", "0.1", 0},
        {"--seed", "N", "seed for initialisation, dropout and shuffling", "42", 0},
        {"--threads", "N", "compute threads", "2", 0},
        {"--memory-limit", "MB", "fail cleanly beyond this much library memory", "4096", 0},
        {"--init", "CKPT", "fine-tune from a Hugging Face checkpoint instead of random weights", NULL, 0},
        {"--init-config", "config.json", "its config (default: config.json beside CKPT)", NULL, 0},
        {"--resume", NULL, "continue from DIR/checkpoint.safetensors", NULL, 0},
        {"--dump-tokens", "FILE", "write split, label and token ids of every text as TSV and exit", NULL, 0},
        {"--quiet", NULL, "no progress bar", NULL, 0},
        {"--stop-after", "N", "end this run after N epochs (continue later with --resume)", "0", 0},
        {"--pooling", "cls-dense|cls|mean", "sentence vector: BERT pooler, [CLS] as is, or mean of the tokens", "cls-dense", 0},
    };
    int n = sizeof opts / sizeof opts[0];
    int rc = cli_parse(cmd, "[--out DIR] [--tsv FILE] [options]", argc, argv, opts, n);
    if (rc) return rc == 1 ? -1 : 2;
    o->data = opts[0].value;
    o->categories = opts[1].value;
    o->tsv = opts[2].value;
    o->strip_attribution = opts[3].present;
    o->vocab = opts[4].value;
    o->out = opts[5].value;
    long *longs[] = {&o->layers, &o->hidden, &o->heads, &o->ffn, &o->max_len, &o->batch, &o->epochs, &o->patience};
    for (int i = 0; i < 8; i++)
        if (!cli_long(cmd, &opts[6 + i], longs[i])) return 2;
    double *doubles[] = {&o->lr, &o->warmup, &o->weight_decay, &o->clip, &o->dropout};
    for (int i = 0; i < 5; i++)
        if (!cli_double(cmd, &opts[14 + i], doubles[i])) return 2;
    if (!cli_long(cmd, &opts[19], &o->seed) || !cli_long(cmd, &opts[20], &o->threads) ||
        !cli_long(cmd, &opts[21], &o->memory_mb))
        return 2;
    o->init = opts[22].value;
    o->init_config = opts[23].value;
    o->resume = opts[24].present;
    o->dump_tokens = opts[25].value;
    o->quiet = opts[26].present;
    if (!cli_long(cmd, &opts[27], &o->stop_after)) return 2;
    o->pooling = opts[28].value;
    if (strcmp(o->pooling, "cls-dense") && strcmp(o->pooling, "cls") && strcmp(o->pooling, "mean")) {
        fprintf(stderr, "attn %s: --pooling must be cls-dense, cls or mean\n", cmd);
        return 2;
    }
    if (o->batch < 1 || o->epochs < 1 || o->epochs > MAX_EPOCHS || o->max_len < 8 || o->patience < 1) {
        fprintf(stderr, "attn %s: --batch, --epochs (<= %d), --max-len (>= 8) and --patience must be positive\n", cmd,
                MAX_EPOCHS);
        return 2;
    }
    return 0;
}

/* The model: fresh from the options, or a Hugging Face checkpoint with a new head. */
static int build_model(attn_ctx *ctx, const train_opts *o, int32_t num_labels, int32_t vocab_size, attn_model **model)
{
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    if (o->init) {
        char path[4096];
        cli_config_path(o->init_config, o->init, path, sizeof path);
        if (attn_bert_config_load(ctx, path, &cfg) != ATTN_OK) return cli_fail(cmd, ctx, "--init-config");
    } else {
        cfg.vocab_size = vocab_size;
        cfg.hidden_size = (int32_t)o->hidden;
        cfg.num_layers = (int32_t)o->layers;
        cfg.num_heads = (int32_t)o->heads;
        cfg.intermediate_size = (int32_t)o->ffn;
        cfg.max_position_embeddings = o->max_len > 512 ? (int32_t)o->max_len : 512;
        cfg.hidden_dropout = cfg.attention_dropout = (float)o->dropout;
        cfg.pooling = strcmp(o->pooling, "mean") == 0 ? ATTN_POOL_MEAN
                      : strcmp(o->pooling, "cls") == 0 ? ATTN_POOL_CLS
                                                         : ATTN_POOL_CLS_DENSE;
    }
    cfg.num_labels = num_labels;
    cfg.problem_type = ATTN_PROBLEM_SINGLE_LABEL;
    if (cfg.max_position_embeddings < o->max_len) {
        fprintf(stderr, "attn %s: --max-len %ld exceeds the model's max_position_embeddings %d\n", cmd, o->max_len,
                cfg.max_position_embeddings);
        return 2;
    }
    if (attn_bert_create(ctx, &cfg, model) != ATTN_OK) return cli_fail(cmd, ctx, "building the model");
    if (o->init && attn_model_load_weights(*model, o->init, 1) != ATTN_OK) return cli_fail(cmd, ctx, "--init");
    return 0;
}

int attn_cmd_train(int argc, char **argv)
{
    train_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_opts(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;

    attn_ctx *ctx = NULL;
    attn_tokenizer *tok = NULL;
    attn_dataset *ds = NULL;
    attn_model *model = NULL;
    attn_optim *opt = NULL;
    encoded_set sets[3];
    batch_tensors bt;
    metrics m;
    history *h = calloc(1, sizeof *h);
    int64_t *order = NULL;
    memset(sets, 0, sizeof sets);
    memset(&bt, 0, sizeof bt);
    memset(&m, 0, sizeof m);
    rc = 1;

    if (attn_ctx_create(&ctx) != ATTN_OK || !h) goto done;
    if (attn_ctx_set_int(ctx, ATTN_OPT_THREADS, o.threads) != ATTN_OK ||
        attn_ctx_set_int(ctx, ATTN_OPT_SEED, o.seed) != ATTN_OK ||
        attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, o.memory_mb * 1024 * 1024) != ATTN_OK ||
        attn_ctx_set_int(ctx, ATTN_OPT_CHECK_FINITE, 1) != ATTN_OK) {
        rc = cli_fail(cmd, ctx, "settings");
        goto done;
    }
    const char *vocab = attn_cmd_find_vocab(o.vocab);
    if (!vocab) {
        fprintf(stderr, "attn %s: no vocabulary found; pass --vocab bert-base-uncased/vocab.txt\n", cmd);
        goto done;
    }
    if (attn_tokenizer_load(ctx, vocab, ATTN_TOKENIZER_LOWERCASE, &tok) != ATTN_OK) {
        rc = cli_fail(cmd, ctx, "--vocab");
        goto done;
    }
    if (load_dataset(ctx, &o, &ds)) goto done;
    int32_t k = attn_dataset_num_labels(ds);
    const char *names[256];
    if (k > 256) {
        fprintf(stderr, "attn %s: %d labels; at most 256 are supported by this tool\n", cmd, k);
        goto done;
    }
    for (int32_t c = 0; c < k; c++) names[c] = attn_dataset_label_name(ds, c);
    for (int s = 0; s < 3; s++)
        if (encoded_set_build(&sets[s], tok, ds, s, (int32_t)o.max_len)) {
            rc = cli_fail(cmd, ctx, "tokenizing");
            goto done;
        }
    if (o.dump_tokens) {
        rc = dump_tokens(o.dump_tokens, sets, names);
        goto done;
    }
    print_data_summary(ds, sets, (int32_t)o.max_len, stderr);
    if (sets[0].n == 0 || sets[1].n == 0) {
        fprintf(stderr, "attn %s: the training and validation splits must not be empty\n", cmd);
        goto done;
    }
    int32_t pad_id = 0;
    attn_tokenizer_token_to_id(tok, "[PAD]", &pad_id);
    if ((rc = build_model(ctx, &o, k, attn_tokenizer_vocab_size(tok), &model))) goto done;
    rc = 1;

    attn_optim_opts oo;
    memset(&oo, 0, sizeof oo);
    oo.struct_size = sizeof oo;
    oo.kind = ATTN_OPTIM_ADAMW;
    oo.lr = o.lr;
    oo.beta1 = 0.9;
    oo.beta2 = 0.999;
    oo.eps = 1e-8;
    oo.weight_decay = o.weight_decay;
    int32_t no_decay;
    if (attn_optim_create(ctx, &oo, &opt) != ATTN_OK || attn_optim_add_group(opt, 1.0, 0.0, &no_decay) != ATTN_OK ||
        attn_model_add_to_optim(model, opt, 0, no_decay) != ATTN_OK ||
        batch_tensors_init(&bt, ctx, (int32_t)(o.batch > 64 ? o.batch : 64), (int32_t)o.max_len, pad_id) ||
        metrics_init(&m, k)) {
        rc = cli_fail(cmd, ctx, "setting up training");
        goto done;
    }
    order = malloc((size_t)sets[0].n * sizeof *order);
    if (make_dirs(o.out) != 0) {
        fprintf(stderr, "attn %s: cannot create --out %s: %s\n", cmd, o.out, strerror(errno));
        goto done;
    }
    char ckpt[4096], best[4096], config[4096], curve[4096];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.safetensors", o.out);
    snprintf(best, sizeof best, "%s/model.safetensors", o.out);
    snprintf(config, sizeof config, "%s/config.json", o.out);
    snprintf(curve, sizeof curve, "%s/curve.svg", o.out);

    int64_t steps_per_epoch = (sets[0].n + o.batch - 1) / o.batch;
    attn_train_state st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    st.total_steps = steps_per_epoch * o.epochs;
    st.warmup_steps = (int64_t)(o.warmup * (double)st.total_steps);
    st.base_lr = o.lr;
    st.best_metric = -1.0;
    if (o.resume) {
        if (attn_checkpoint_load(model, opt, &st, ckpt) != ATTN_OK) {
            rc = cli_fail(cmd, ctx, "--resume");
            goto done;
        }
        if (load_history(o.out, h, st.epoch)) {
            fprintf(stderr, "attn %s: %s/history.tsv does not match the checkpoint\n", cmd, o.out);
            goto done;
        }
        fprintf(stderr, "resuming after epoch %lld (step %lld)\n", (long long)st.epoch, (long long)st.step);
    }
    const char *schedule_error = attn_lr_schedule_error(ATTN_LR_LINEAR, o.lr, st.step, st.warmup_steps, st.total_steps);
    if (schedule_error) {
        fprintf(stderr, "attn %s: learning-rate schedule: %s (check --lr and --warmup)\n", cmd, schedule_error);
        goto done;
    }
    if (attn_bert_config_save(ctx, attn_model_config(model), names, config) != ATTN_OK) {
        rc = cli_fail(cmd, ctx, "writing config.json");
        goto done;
    }

    progress bar;
    int64_t first_epoch = st.epoch;
    for (int64_t epoch = st.epoch; epoch < o.epochs; epoch++) {
        if (st.epochs_without_improvement >= o.patience) break;
        if (o.stop_after > 0 && epoch - first_epoch >= o.stop_after) {
            fprintf(stderr, "stopping after %ld epochs as asked; continue with --resume\n", o.stop_after);
            rc = 0;
            goto done;
        }
        double t0 = now_seconds(), loss_sum = 0.0;
        shuffle_order(order, sets[0].n, (uint64_t)o.seed, epoch);
        if (attn_model_set_training(model, 1) != ATTN_OK) goto fail;
        progress_start(&bar, o.quiet, steps_per_epoch);
        for (int64_t s = 0; s < steps_per_epoch; s++) {
            int64_t first = s * o.batch, count = sets[0].n - first < o.batch ? sets[0].n - first : o.batch;
            float loss;
            double lr, norm;
            if (batch_tensors_fill(&bt, &sets[0], order, first, count) || attn_model_zero_grad(model) != ATTN_OK ||
                attn_model_forward(model, bt.ids, NULL, bt.mask) != ATTN_OK ||
                attn_model_loss_backward(model, bt.labels, &loss) != ATTN_OK ||
                (o.clip > 0 && attn_optim_clip_grad_norm(opt, o.clip, &norm) != ATTN_OK) ||
                attn_lr_schedule(ATTN_LR_LINEAR, o.lr, st.step, st.warmup_steps, st.total_steps, &lr) != ATTN_OK ||
                attn_optim_set_lr(opt, lr) != ATTN_OK || attn_optim_step(opt) != ATTN_OK)
                goto fail;
            st.step++;
            loss_sum += loss;
            progress_update(&bar, epoch + 1, o.epochs, s + 1, first + count, loss_sum / (double)(s + 1));
        }
        progress_end(&bar);
        double seconds = now_seconds() - t0;
        if (evaluate(model, &sets[1], &bt, 64, &m, ctx)) goto done;
        if (history_push(h, loss_sum / (double)steps_per_epoch, metrics_loss(&m), metrics_accuracy(&m),
                         metrics_macro_f1(&m), seconds) != 0) {
            fprintf(stderr, "attn %s: out of memory for the history\n", cmd);
            goto done;
        }
        st.epoch = epoch + 1;
        /* model selection on accuracy, macro-F1 breaking ties */
        double score = metrics_accuracy(&m) + 1e-6 * metrics_macro_f1(&m);
        int improved = score > st.best_metric;
        if (improved) {
            st.best_metric = score;
            st.best_epoch = epoch + 1;
            st.epochs_without_improvement = 0;
            if (attn_model_save(model, best) != ATTN_OK) goto fail;
        } else {
            st.epochs_without_improvement++;
        }
        fprintf(stderr, "epoch %2lld  train loss %.4f  val loss %.4f  acc %5.1f%%  macro-F1 %5.1f%%  %5.1f s  %.0f ex/s%s\n",
                (long long)epoch + 1, h->train_loss[h->n - 1], h->val_loss[h->n - 1], 100 * h->val_acc[h->n - 1],
                100 * h->val_f1[h->n - 1], seconds, (double)sets[0].n / seconds, improved ? "  (best, saved)" : "");
        if (attn_checkpoint_save(model, opt, &st, ckpt) != ATTN_OK) goto fail;
        if (save_history(o.out, h) || svg_curve_write(curve, "attn train", h->n, h->train_loss, h->val_loss, h->val_acc)) {
            fprintf(stderr, "attn %s: cannot write the history or curve in %s\n", cmd, o.out);
            goto done;
        }
    }
    if (st.epochs_without_improvement >= o.patience)
        fprintf(stderr, "early stop: no better validation accuracy for %ld epochs\n", o.patience);

    /* the test report uses the best epoch's weights */
    if (attn_model_load_weights(model, best, 0) != ATTN_OK) goto fail;
    if (evaluate(model, &sets[2], &bt, 64, &m, ctx)) goto done;
    double total_seconds = 0.0;
    for (int64_t i = 0; i < h->n; i++) total_seconds += h->seconds[i];
    int64_t peak;
    attn_ctx_get_int(ctx, ATTN_INFO_PEAK_BYTES, &peak);
    printf("test report (best epoch %lld of %lld, %lld test texts)\n", (long long)st.best_epoch, (long long)h->n,
           (long long)sets[2].n);
    metrics_report(&m, names, stdout);
    printf("\ntest accuracy %.4f  macro-F1 %.4f  seconds/epoch %.2f  library peak memory %.1f MB  process peak RSS %.1f MB\n",
           metrics_accuracy(&m), metrics_macro_f1(&m), h->n ? total_seconds / (double)h->n : 0.0,
           (double)peak / 1048576.0, peak_rss_mb());
    printf("{\"test_accuracy\": %.6f, \"test_macro_f1\": %.6f, \"seconds_per_epoch\": %.4f, \"epochs\": %lld, "
           "\"best_epoch\": %lld, \"library_peak_mb\": %.2f, \"peak_rss_mb\": %.2f}\n",
           metrics_accuracy(&m), metrics_macro_f1(&m), h->n ? total_seconds / (double)h->n : 0.0, (long long)h->n,
           (long long)st.best_epoch, (double)peak / 1048576.0, peak_rss_mb());
    fprintf(stderr, "saved %s, %s, %s and %s\n", best, config, ckpt, curve);
    rc = 0;
    goto done;
fail:
    rc = cli_fail(cmd, ctx, "training");
done:
    free(order);
    if (h) history_free(h);
    free(h);
    metrics_free(&m);
    batch_tensors_free(&bt);
    for (int s = 0; s < 3; s++) encoded_set_free(&sets[s]);
    attn_optim_destroy(opt);
    attn_model_destroy(model);
    attn_dataset_destroy(ds);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
    return rc;
}
