/* The post-processor and truncation: a template of special tokens and the
 * sequences A and B with their type ids (TemplateProcessing; BertProcessing
 * and a vocab.txt's "[CLS] A [SEP] B [SEP]" are templates too), and the
 * cut that makes a sequence fit max_len before the template is applied,
 * by the rules of `tokenizers`' truncate_encodings. */
#include <string.h>

#include "text_internal.h"

void attn__template_free(attn_ctx *ctx, attn__template *t)
{
    attn__free(ctx, t->pieces);
    attn__free(ctx, t->ids);
    memset(t, 0, sizeof *t);
}

static attn_status add_piece(attn_ctx *ctx, attn__template *t, attn__template_piece p)
{
    if (t->n >= 1024) return attn__fail(ctx, ATTN_ERR_LIMIT, "a template has more than 1024 pieces");
    attn__template_piece *np = attn__alloc(ctx, (t->n + 1) * sizeof *np);
    if (!np) return ATTN_ERR_NOMEM;
    if (t->n) memcpy(np, t->pieces, t->n * sizeof *np);
    np[t->n++] = p;
    attn__free(ctx, t->pieces);
    t->pieces = np;
    return ATTN_OK;
}

attn_status attn__template_add_special(attn_ctx *ctx, attn__template *t, const int32_t *ids, size_t n,
                                       int32_t type_id)
{
    if (n > 1024 || t->n_ids + n > 65536)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "a template's special tokens have more than 65536 ids");
    int32_t *ni = attn__alloc(ctx, (t->n_ids + n + 1) * sizeof *ni);
    if (!ni) return ATTN_ERR_NOMEM;
    if (t->n_ids) memcpy(ni, t->ids, t->n_ids * sizeof *ni);
    if (n) memcpy(ni + t->n_ids, ids, n * sizeof *ni);
    attn__template_piece p = {ATTN__PIECE_SPECIAL, type_id, t->n_ids, n};
    attn_status st = add_piece(ctx, t, p);
    if (st != ATTN_OK) {
        attn__free(ctx, ni);
        return st;
    }
    attn__free(ctx, t->ids);
    t->ids = ni;
    t->n_ids += n;
    return ATTN_OK;
}

attn_status attn__template_add_sequence(attn_ctx *ctx, attn__template *t, attn__piece_kind which, int32_t type_id)
{
    attn__template_piece p = {which, type_id, 0, 0};
    return add_piece(ctx, t, p);
}

size_t attn__template_added(const attn__template *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->pieces[i].kind == ATTN__PIECE_SPECIAL) n += t->pieces[i].count;
    return n;
}

attn_status attn__truncate(attn_ctx *ctx, const char *fn, const attn__truncation *tr, int pair, size_t n1,
                           size_t n2, size_t budget, size_t *k1, size_t *k2)
{
    *k1 = n1;
    *k2 = n2;
    if (n1 + n2 <= budget) return ATTN_OK;
    size_t excess = n1 + n2 - budget;
    if (tr->strategy != ATTN__TRUNC_LONGEST_FIRST) {
        int second = tr->strategy == ATTN__TRUNC_ONLY_SECOND;
        if (second && !pair)
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: the truncation strategy only_second needs a pair", fn);
        size_t *k = second ? k2 : k1, n = second ? n2 : n1;
        if (n <= excess)
            return attn__fail(ctx, ATTN_ERR_LIMIT,
                              "%s: the %s sequence (%zu pieces) is too short to cut %zu pieces from (truncation strategy %s)",
                              fn, second ? "second" : "first", n, excess, second ? "only_second" : "only_first");
        *k = n - excess;
        return ATTN_OK;
    }
    if (!pair) {
        *k1 = budget;
        return ATTN_OK;
    }
    /* longest first: the shorter side stays whole if the longer can absorb
     * the whole cut; otherwise both get half the budget and the longer side
     * (the second on a tie) the odd piece. The old Python tokenizers removed
     * one piece at a time, which gives the odd piece to the first side on a
     * tie. */
    int swapped = n1 > n2;
    size_t shorter = swapped ? n2 : n1, longer;
    if (2 * shorter <= budget) {
        longer = budget - shorter;
    } else {
        shorter = budget / 2;
        longer = budget - shorter;
    }
    *k1 = swapped ? longer : shorter;
    *k2 = swapped ? shorter : longer;
    if (*k1 > n1) *k1 = n1;
    if (*k2 > n2) *k2 = n2;
    return ATTN_OK;
}

attn_status attn__template_apply(attn_ctx *ctx, const attn__template *t, const int32_t *a, size_t na,
                                 const int32_t *b, size_t nb, attn__text_ids *ids, attn__text_ids *types)
{
    for (size_t i = 0; i < t->n; i++) {
        const attn__template_piece *p = &t->pieces[i];
        const int32_t *src = p->kind == ATTN__PIECE_A ? a : p->kind == ATTN__PIECE_B ? b : t->ids + p->first;
        size_t n = p->kind == ATTN__PIECE_A ? na : p->kind == ATTN__PIECE_B ? nb : p->count;
        for (size_t k = 0; k < n; k++) {
            ATTN_CHECK(attn__text_ids_push(ctx, ids, src[k]));
            if (types) ATTN_CHECK(attn__text_ids_push(ctx, types, p->type_id));
        }
    }
    return ATTN_OK;
}
