/* Private layout shared by every layer: the common header (context, kind
 * tag, mode, parameter table), growable work buffers, and the validation
 * helpers the typed forward/backward functions use. Each layer kind embeds
 * struct attn_layer as its first member, so the generic attn_layer_* calls
 * work on any kind and the typed calls check the tag before casting. */
#ifndef ATTN_LAYERS_LAYER_H
#define ATTN_LAYERS_LAYER_H

#include "internal.h"

typedef enum attn__layer_kind {
    ATTN__LAYER_LINEAR = 1,
    ATTN__LAYER_LAYERNORM = 2,
    ATTN__LAYER_EMBEDDING = 3,
    ATTN__LAYER_DROPOUT = 4,
    ATTN__LAYER_ATTENTION = 5,
    ATTN__LAYER_FFN = 6
} attn__layer_kind;

/* Public parameters per layer (attention has the most: 4 x weight + bias). */
#define ATTN__MAX_PARAMS 8
/* Tensors a layer owns: values, gradients, and views into packed storage. */
#define ATTN__MAX_OWNED 24
/* Work buffers a layer keeps between calls. */
#define ATTN__MAX_BUFS 12

typedef struct attn__param {
    const char *name;      /* static string, HF name relative to the layer */
    attn_tensor *value;
    attn_tensor *grad;
} attn__param;

/* A work buffer that only grows: steady-state calls with the same or a
 * smaller N find it large enough and allocate nothing. Contents do not
 * survive a grow. */
typedef struct attn__layer_buf {
    void *p;
    size_t bytes;
} attn__layer_buf;

struct attn_layer {
    attn_ctx *ctx;
    attn__layer_kind kind;
    int32_t training;
    int32_t ready;          /* 1 once a forward completed: backward may follow */
    int32_t nparams;
    attn__param params[ATTN__MAX_PARAMS];
    int32_t nowned;
    attn_tensor *owned[ATTN__MAX_OWNED];
    int32_t nbufs;
    attn__layer_buf *bufs[ATTN__MAX_BUFS];
    int32_t uses_scratch;   /* joined the context's shared work area */
    int32_t drop_activations; /* forward keeps nothing for backward (attention, FFN) */
};

/* Allocates a zeroed layer struct of `size` bytes (a kind's struct that
 * starts with struct attn_layer) and fills the header. */
attn_status attn__layer_new(attn_ctx *ctx, attn__layer_kind kind, size_t size, attn_layer **out);
/* Creates a zero-filled float parameter and its (deferred) zero gradient,
 * registers both under name (a static string). value/grad may be NULL. */
attn_status attn__layer_add_param(attn_layer *l, const char *name, int32_t rank, const int64_t *shape,
                                  attn_tensor **value, attn_tensor **grad);
/* Creates a gradient tensor owned by the layer whose memory comes with the
 * first backward or attn_layer_param asking for it (attn__tensor_create_deferred). */
attn_status attn__layer_add_grad_tensor(attn_layer *l, int32_t rank, const int64_t *shape, attn_tensor **out);
/* Gives every gradient of the layer its (zeroed) memory if it has none yet:
 * each kind's backward calls it first. */
attn_status attn__layer_grads(attn_layer *l);
/* Registers the slice [start, start+len) along axis 0 of a packed value and
 * its packed gradient as a public parameter (views: no copy). */
attn_status attn__layer_add_param_view(attn_layer *l, const char *name, attn_tensor *value, attn_tensor *grad,
                                       int64_t start, int64_t len);
/* Creates a zero-filled float tensor owned by the layer but not public. */
attn_status attn__layer_add_tensor(attn_layer *l, int32_t rank, const int64_t *shape, attn_tensor **out);
/* Joins the context's shared work area (attn__scratch) until destroy:
 * for buffers a call needs only while it runs. */
void attn__layer_use_scratch(attn_layer *l);
/* Inference only (1) or ready for backward (0, the default): with 1, the
 * attention and feed-forward forwards put what only backward needs in the
 * context's shared work area, so the layers of a model share it, and a
 * backward after such a forward fails with ATTN_ERR_STATE. Setting 1 frees
 * the buffers a layer kept. Other kinds ignore it. */
void attn__layer_drop_activations(attn_layer *l, int32_t drop);
/* Frees a work buffer's memory (it grows again when next reserved). */
void attn__layer_buf_free(attn_ctx *ctx, attn__layer_buf *b);
/* Registers a work buffer so attn_layer_destroy frees it. */
void attn__layer_track_buf(attn_layer *l, attn__layer_buf *b);
/* Ensures b holds at least count elements of elem_size bytes. */
attn_status attn__layer_buf_reserve(attn_ctx *ctx, attn__layer_buf *b, size_t count, size_t elem_size, const char *what);

/* ATTN_ERR_INVALID_ARG unless layer is non-NULL and of the given kind. */
attn_status attn__layer_check(const attn_layer *l, attn__layer_kind kind, const char *fn);
/* Human name of a kind ("linear", "layernorm", ...). */
const char *attn__layer_kind_name(attn__layer_kind kind);

/* A float activation viewed as rows: checks t is a float32 tensor whose
 * last axis has `cols` elements (cols < 0: any) with unit stride and whose
 * leading axes collapse into rows with one row stride. `what` names the
 * argument in the message. */
attn_status attn__layer_rows(attn_ctx *ctx, const attn_tensor *t, const char *fn, const char *what, int64_t cols,
                             int64_t *rows, int64_t *ld);
/* ATTN_ERR_SHAPE naming both shapes when a and b do not have the same
 * number of rows (a's rows are `rows`). */
attn_status attn__layer_same_rows(attn_ctx *ctx, const char *fn, const attn_tensor *a, const char *what_a,
                                  int64_t rows_a, const attn_tensor *b, const char *what_b, int64_t rows_b);
/* ATTN_ERR_INVALID_ARG when the float ranges of two row-matrices overlap
 * (an output that aliases an input a GEMM still reads). */
attn_status attn__layer_no_overlap(attn_ctx *ctx, const char *fn, const attn_tensor *out, const char *what_out,
                                   int64_t rows_out, int64_t ld_out, int64_t cols_out, const attn_tensor *in,
                                   const char *what_in, int64_t rows_in, int64_t ld_in, int64_t cols_in);

#endif /* ATTN_LAYERS_LAYER_H */
