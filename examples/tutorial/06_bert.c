/* Tutorial chapter 6 (doc/tutorial/06-bert.md): BERT. The WordPiece
 * tokenizer step by step; a real pretrained encoder (all-MiniLM-L6-v2, a
 * sentence-embedding BERT: 6 layers, hidden 384, 12 heads) loaded from its
 * Hugging Face folder; sentence embeddings by mean pooling and L2
 * normalisation, by hand and with attn_model_embed; and the same encoder
 * assembled from the public layers of chapters 4 and 5 with the
 * checkpoint's weights, shown equal.
 *
 *   cc 06_bert.c $(pkg-config --cflags --libs libattn) -lm -o 06_bert
 *   ./06_bert MODEL_DIR        (a Hugging Face / sentence-transformers folder with a vocab.txt)
 *
 * Legend: B = sentences, T = tokens (padded), H = hidden size, L = layers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attn.h>

#define CHECK(call)                                                          \
    do {                                                                     \
        if ((call) != ATTN_OK) {                                             \
            fprintf(stderr, "%s: %s\n", #call, attn_ctx_last_error(ctx));   \
            return 1;                                                        \
        }                                                                    \
    } while (0)

enum { B = 2, MAX_LAYERS = 48 };

/* Copies the checkpoint's parameters into a layer: the layer's parameter
 * "n" is the model's "<prefix>n" (both use Hugging Face names). */
static attn_status copy_params(attn_model *model, attn_layer *layer, const char *prefix)
{
    for (int32_t i = 0; i < attn_layer_param_count(layer); i++) {
        const char *name;
        attn_tensor *dst, *src;
        char full[160];
        attn_status st = attn_layer_param(layer, i, &name, &dst, NULL);
        if (st != ATTN_OK) return st;
        snprintf(full, sizeof full, "%s%s", prefix, name);
        if ((st = attn_model_find_param(model, full, &src, NULL)) != ATTN_OK) return st;
        if ((st = attn_tensor_copy(dst, src)) != ATTN_OK) return st;
    }
    return ATTN_OK;
}

/* out[b] = mean of h[b, t] over the real tokens t (mask 1), then scaled to
 * length 1: sentence-transformers' Pooling(mean) + Normalize. */
static void mean_pool_normalize(const float *h, const int32_t *mask, int64_t t_len, int64_t hid, float *out)
{
    for (int b = 0; b < B; b++) {
        double count = 0, norm = 0;
        for (int64_t c = 0; c < hid; c++) out[b * hid + c] = 0;
        for (int64_t t = 0; t < t_len; t++)
            if (mask[b * t_len + t]) {
                count++;
                for (int64_t c = 0; c < hid; c++) out[b * hid + c] += h[(b * t_len + t) * hid + c];
            }
        for (int64_t c = 0; c < hid; c++) {
            out[b * hid + c] /= (float)count;
            norm += (double)out[b * hid + c] * out[b * hid + c];
        }
        for (int64_t c = 0; c < hid; c++) out[b * hid + c] /= (float)sqrt(norm);
    }
}

static void print_pieces(attn_tokenizer *tok, const char *what, const int32_t *ids, const int32_t *types, int32_t n)
{
    printf("%s:", what);
    for (int32_t i = 0; i < n; i++) printf(" %s", attn_tokenizer_id_to_token(tok, ids[i]));
    printf("\n%s ids:", what);
    for (int32_t i = 0; i < n; i++) printf(" %d", ids[i]);
    if (types) {
        printf("\n%s token types:", what);
        for (int32_t i = 0; i < n; i++) printf(" %d", types[i]);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODEL_DIR (a model folder with config.json, model.safetensors, vocab.txt)\n", argv[0]);
        return 2;
    }
    char vocab[4096];
    snprintf(vocab, sizeof vocab, "%s/vocab.txt", argv[1]);
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;

    /* ---- 1. the tokenizer, step by step ---- */
    attn_tokenizer *tok;
    CHECK(attn_tokenizer_load(ctx, vocab, ATTN_TOKENIZER_LOWERCASE, &tok));
    const char *text = "Transformers aren't magic: they're unaffable matrices!";
    int32_t ids[64], types[64], n;
    CHECK(attn_tokenizer_tokenize(tok, text, ids, 64, &n));
    print_pieces(tok, "pieces", ids, NULL, n);
    CHECK(attn_tokenizer_encode(tok, text, NULL, 0, ids, types, 64, &n));
    print_pieces(tok, "model input", ids, NULL, n);
    CHECK(attn_tokenizer_encode(tok, "Who is there?", "Nobody.", 0, ids, types, 64, &n));
    print_pieces(tok, "pair", ids, types, n);

    /* ---- 2. the pretrained encoder, from its folder ----
     * attn_model_load_dir reads config.json (BertModel: no classifier),
     * the weights, the tokenizer and sentence-transformers' modules
     * (mean pooling, L2 normalisation) and says what it did besides. */
    attn_model *bert;
    CHECK(attn_model_load_dir(ctx, argv[1], NULL, &bert));
    const attn_bert_config cfg = *attn_model_config(bert);
    printf("model: %d layers, hidden %d, %d heads, FFN %d, vocabulary %d\n", cfg.num_layers, cfg.hidden_size,
           cfg.num_heads, cfg.intermediate_size, cfg.vocab_size);
    const char *notes = attn_model_load_notes(bert);
    if (notes[0]) printf("load notes:\n%s%s", notes, notes[strlen(notes) - 1] == '\n' ? "" : "\n");

    const char *sentences[B] = {"A man is eating food.", "A man is eating a piece of bread."};
    attn_batch *batch;
    CHECK(attn_batch_create(ctx, &batch));
    CHECK(attn_tokenizer_encode_batch(tok, batch, sentences, NULL, B, 256, 0));
    attn_tensor *tids = attn_batch_tensor(batch, ATTN_BATCH_INPUT_IDS);
    attn_tensor *ttypes = attn_batch_tensor(batch, ATTN_BATCH_TOKEN_TYPE_IDS);
    attn_tensor *tmask = attn_batch_tensor(batch, ATTN_BATCH_ATTENTION_MASK);
    const int64_t t_len = attn_tensor_dim(tids, 1), hid = cfg.hidden_size;
    const int32_t *mask = attn_tensor_data(tmask);
    CHECK(attn_model_forward(bert, tids, ttypes, tmask));
    attn_tensor *last = attn_model_output(bert, ATTN_OUT_LAST_HIDDEN); /* [B, T, H] */

    float *emb = malloc(sizeof(float) * (size_t)(B * hid));
    if (!emb) return 1;
    mean_pool_normalize(attn_tensor_data_f32(last), mask, t_len, hid, emb);
    double dot = 0;
    for (int b = 0; b < B; b++)
        printf("embedding %d: [%.4f, %.4f, %.4f, %.4f, ...]\n", b, emb[b * hid], emb[b * hid + 1], emb[b * hid + 2],
               emb[b * hid + 3]);
    for (int64_t c = 0; c < hid; c++) dot += (double)emb[c] * emb[hid + c];
    printf("cosine similarity = %.4f\n", dot); /* both have length 1 */

    /* the library's own sentence embeddings: the same, in one call */
    float *lib_emb = malloc(sizeof(float) * (size_t)(B * attn_model_embedding_dim(bert)));
    if (!lib_emb || attn_model_embedding_dim(bert) != hid) return 1;
    CHECK(attn_model_embed(bert, sentences, B, lib_emb, B * hid));
    double embed_gap = 0;
    for (int64_t i = 0; i < B * hid; i++) embed_gap = fmax(embed_gap, fabs(lib_emb[i] - emb[i]));
    printf("attn_model_embed equals mean pooling by hand (within 1e-5): %s\n", embed_gap < 1e-5 ? "yes" : "NO");
    free(lib_emb);

    /* ---- 3. the same encoder from the public layers ----
     * embeddings: word + position + token type, LayerNorm;
     * L blocks: h = LN(x + Attention(x)), x = LN(h + FFN(h)). */
    const int L = cfg.num_layers;
    if (L > MAX_LAYERS) return 1;
    attn_layer *word, *position, *type, *emb_ln, *att[MAX_LAYERS], *ln1[MAX_LAYERS], *ffn[MAX_LAYERS], *ln2[MAX_LAYERS];
    CHECK(attn_embedding_create(ctx, cfg.vocab_size, hid, &word));
    CHECK(attn_embedding_create(ctx, cfg.max_position_embeddings, hid, &position));
    CHECK(attn_embedding_create(ctx, cfg.type_vocab_size, hid, &type));
    CHECK(attn_layernorm_create(ctx, hid, cfg.layer_norm_eps, &emb_ln));
    CHECK(copy_params(bert, word, "embeddings.word_embeddings."));
    CHECK(copy_params(bert, position, "embeddings.position_embeddings."));
    CHECK(copy_params(bert, type, "embeddings.token_type_embeddings."));
    CHECK(copy_params(bert, emb_ln, "embeddings.LayerNorm."));
    for (int l = 0; l < L; l++) {
        char prefix[96];
        CHECK(attn_attention_create(ctx, hid, cfg.num_heads, 0.0f, &att[l]));
        CHECK(attn_layernorm_create(ctx, hid, cfg.layer_norm_eps, &ln1[l]));
        CHECK(attn_ffn_create(ctx, hid, cfg.intermediate_size, (attn_activation)cfg.hidden_act, &ffn[l]));
        CHECK(attn_layernorm_create(ctx, hid, cfg.layer_norm_eps, &ln2[l]));
        snprintf(prefix, sizeof prefix, "encoder.layer.%d.attention.", l); /* self.query.weight, ..., output.dense.bias */
        CHECK(copy_params(bert, att[l], prefix));
        snprintf(prefix, sizeof prefix, "encoder.layer.%d.attention.output.LayerNorm.", l);
        CHECK(copy_params(bert, ln1[l], prefix));
        snprintf(prefix, sizeof prefix, "encoder.layer.%d.", l); /* intermediate.dense.*, output.dense.* */
        CHECK(copy_params(bert, ffn[l], prefix));
        snprintf(prefix, sizeof prefix, "encoder.layer.%d.output.LayerNorm.", l);
        CHECK(copy_params(bert, ln2[l], prefix));
    }
    int64_t bth[3] = {B, t_len, hid}, bt[2] = {B, t_len};
    attn_tensor *x, *y, *h, *pos_ids;
    CHECK(attn_tensor_create(ctx, ATTN_F32, 3, bth, &x));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 3, bth, &y));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 3, bth, &h));
    CHECK(attn_tensor_create(ctx, ATTN_I32, 2, bt, &pos_ids));
    int32_t *pp = attn_tensor_data(pos_ids);
    for (int b = 0; b < B; b++)
        for (int64_t t = 0; t < t_len; t++) pp[b * t_len + t] = (int32_t)t;
    CHECK(attn_embedding_forward(word, tids, x));
    CHECK(attn_embedding_forward(position, pos_ids, y));
    CHECK(attn_add(x, x, y));
    CHECK(attn_embedding_forward(type, ttypes, y));
    CHECK(attn_add(x, x, y));
    CHECK(attn_layernorm_forward(emb_ln, x, x));
    for (int l = 0; l < L; l++) {
        CHECK(attn_attention_forward(att[l], x, NULL, tmask, y)); /* padding masked out */
        CHECK(attn_add(y, x, y));
        CHECK(attn_layernorm_forward(ln1[l], y, h));
        CHECK(attn_ffn_forward(ffn[l], h, y));
        CHECK(attn_add(y, h, y));
        CHECK(attn_layernorm_forward(ln2[l], y, x));
    }
    /* compare the real tokens (the model skips padded rows and leaves them 0) */
    double gap = 0;
    for (int64_t r = 0; r < B * t_len; r++)
        if (mask[r])
            for (int64_t c = 0; c < hid; c++)
                gap = fmax(gap, fabs(attn_tensor_data_f32(x)[r * hid + c] - attn_tensor_data_f32(last)[r * hid + c]));
    printf("encoder from parts equals the model's last hidden state (within 1e-4): %s\n", gap < 1e-4 ? "yes" : "NO");

    for (int l = 0; l < L; l++) {
        attn_layer_destroy(att[l]);
        attn_layer_destroy(ln1[l]);
        attn_layer_destroy(ffn[l]);
        attn_layer_destroy(ln2[l]);
    }
    attn_layer_destroy(word);
    attn_layer_destroy(position);
    attn_layer_destroy(type);
    attn_layer_destroy(emb_ln);
    attn_tensor_destroy(x);
    attn_tensor_destroy(y);
    attn_tensor_destroy(h);
    attn_tensor_destroy(pos_ids);
    free(emb);
    attn_batch_destroy(batch);
    attn_model_destroy(bert);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
    return 0;
}
