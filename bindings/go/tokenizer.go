package attn

/*
#include <stdlib.h>
#include <attn.h>
*/
import "C"

import "unsafe"

// Tokenizer applies Hugging Face's BertTokenizer rules with a vocab.txt.
type Tokenizer struct {
	ptr *C.attn_tokenizer
	ctx *Context
}

func (t *Tokenizer) release() {
	if t.ptr != nil {
		C.attn_tokenizer_destroy(t.ptr)
		t.ptr = nil
	}
}

// Close frees the tokenizer. Closing twice does nothing.
func (t *Tokenizer) Close() error {
	if t.ptr != nil {
		t.ctx.forget(t)
	}
	t.release()
	return nil
}

func (t *Tokenizer) raw() (*C.attn_tokenizer, *C.attn_ctx, error) {
	if t == nil || t.ptr == nil || t.ctx.ptr == nil {
		return nil, nil, invalid("the tokenizer is closed")
	}
	return t.ptr, t.ctx.ptr, nil
}

// LoadTokenizer reads a vocab.txt; lowercase for uncased BERT models.
func LoadTokenizer(ctx *Context, vocabPath string, lowercase bool) (*Tokenizer, error) {
	c, err := ctx.raw()
	if err != nil {
		return nil, err
	}
	path := C.CString(vocabPath)
	defer C.free(unsafe.Pointer(path))
	flags := C.uint32_t(0)
	if lowercase {
		flags = C.ATTN_TOKENIZER_LOWERCASE
	}
	var out *C.attn_tokenizer
	if err := check(C.attn_tokenizer_load(c, path, flags, &out), c); err != nil {
		return nil, err
	}
	t := &Tokenizer{ptr: out, ctx: ctx}
	ctx.adopt(t)
	return t, nil
}

// VocabSize is the number of vocab lines.
func (t *Tokenizer) VocabSize() int {
	p, _, err := t.raw()
	if err != nil {
		return 0
	}
	return int(C.attn_tokenizer_vocab_size(p))
}

// TokenToID finds an exact vocab entry (ErrNotFound if absent).
func (t *Tokenizer) TokenToID(token string) (int32, error) {
	p, c, err := t.raw()
	if err != nil {
		return 0, err
	}
	s := C.CString(token)
	defer C.free(unsafe.Pointer(s))
	var id C.int32_t
	return int32(id), check(C.attn_tokenizer_token_to_id(p, s, &id), c)
}

// IDToToken is the vocab line of id; false outside the vocab.
func (t *Tokenizer) IDToToken(id int32) (string, bool) {
	p, _, err := t.raw()
	if err != nil {
		return "", false
	}
	s := C.attn_tokenizer_id_to_token(p, C.int32_t(id))
	if s == nil {
		return "", false
	}
	return C.GoString(s), true
}

// Tokenize returns the WordPiece ids of text, without [CLS]/[SEP].
func (t *Tokenizer) Tokenize(text string) ([]int32, error) {
	p, c, err := t.raw()
	if err != nil {
		return nil, err
	}
	s := C.CString(text)
	defer C.free(unsafe.Pointer(s))
	var n C.int32_t
	if err := check(C.attn_tokenizer_tokenize(p, s, nil, 0, &n), c); err != nil { // count only
		return nil, err
	}
	ids := make([]int32, int(n))
	err = check(C.attn_tokenizer_tokenize(p, s, (*C.int32_t)(firstElem(ids)), n, &n), c)
	return ids, err
}

// Encode returns the ids and token types of "[CLS] text [SEP]"; maxLen > 0 truncates.
func (t *Tokenizer) Encode(text string, maxLen int) ([]int32, []int32, error) {
	return t.encode(text, nil, maxLen)
}

// EncodePair returns the ids and token types of "[CLS] text [SEP] pair [SEP]".
func (t *Tokenizer) EncodePair(text, pair string, maxLen int) ([]int32, []int32, error) {
	return t.encode(text, &pair, maxLen)
}

func (t *Tokenizer) encode(text string, pair *string, maxLen int) ([]int32, []int32, error) {
	p, c, err := t.raw()
	if err != nil {
		return nil, nil, err
	}
	s := C.CString(text)
	defer C.free(unsafe.Pointer(s))
	var ps *C.char
	if pair != nil {
		ps = C.CString(*pair)
		defer C.free(unsafe.Pointer(ps))
	}
	var n C.int32_t
	if err := check(C.attn_tokenizer_encode(p, s, ps, C.int32_t(maxLen), nil, nil, 0, &n), c); err != nil {
		return nil, nil, err
	}
	ids, types := make([]int32, int(n)), make([]int32, int(n))
	err = check(C.attn_tokenizer_encode(p, s, ps, C.int32_t(maxLen), (*C.int32_t)(firstElem(ids)),
		(*C.int32_t)(firstElem(types)), n, &n), c)
	return ids, types, err
}

// EncodeBatch fills batch with texts (paired with pairs[i] when pairs is
// not nil; "" pairs nothing), truncated to maxLen and padded to padTo or to
// the longest sequence when padTo is 0. Tensors taken from the batch before
// are invalid afterwards.
func (t *Tokenizer) EncodeBatch(batch *Batch, texts, pairs []string, maxLen, padTo int) error {
	p, c, err := t.raw()
	if err != nil {
		return err
	}
	b, err := batch.raw()
	if err != nil {
		return err
	}
	if pairs != nil && len(pairs) != len(texts) {
		return invalid("%d pairs for %d texts", len(pairs), len(texts))
	}
	// arrays of C strings in C memory (the strings are C memory too)
	cTexts := cStrings(texts, false)
	defer freeCStrings(cTexts, len(texts))
	var cPairs **C.char
	if pairs != nil {
		cPairs = cStrings(pairs, true)
		defer freeCStrings(cPairs, len(pairs))
	}
	return check(C.attn_tokenizer_encode_batch(p, b, cTexts, cPairs, C.int32_t(len(texts)), C.int32_t(maxLen),
		C.int32_t(padTo)), c)
}

func cStrings(strs []string, emptyIsNull bool) **C.char {
	arr := (**C.char)(C.calloc(C.size_t(len(strs)+1), C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	view := unsafe.Slice(arr, len(strs)+1)
	for i, s := range strs {
		if !(emptyIsNull && s == "") {
			view[i] = C.CString(s)
		}
	}
	return arr
}

func freeCStrings(arr **C.char, n int) {
	for _, s := range unsafe.Slice(arr, n) {
		C.free(unsafe.Pointer(s))
	}
	C.free(unsafe.Pointer(arr))
}

// Batch holds three int32 [B, T] tensors filled by EncodeBatch.
type Batch struct {
	ptr *C.attn_batch
	ctx *Context
}

// NewBatch creates an empty batch.
func NewBatch(ctx *Context) (*Batch, error) {
	c, err := ctx.raw()
	if err != nil {
		return nil, err
	}
	var out *C.attn_batch
	if err := check(C.attn_batch_create(c, &out), c); err != nil {
		return nil, err
	}
	b := &Batch{ptr: out, ctx: ctx}
	ctx.adopt(b)
	return b, nil
}

func (b *Batch) release() {
	if b.ptr != nil {
		C.attn_batch_destroy(b.ptr)
		b.ptr = nil
	}
}

// Close frees the batch and its tensors.
func (b *Batch) Close() error {
	if b.ptr != nil {
		b.ctx.forget(b)
	}
	b.release()
	return nil
}

func (b *Batch) raw() (*C.attn_batch, error) {
	if b == nil || b.ptr == nil || b.ctx.ptr == nil {
		return nil, invalid("the batch is closed")
	}
	return b.ptr, nil
}

func (b *Batch) field(f C.attn_batch_field) *Tensor {
	p, err := b.raw()
	if err != nil {
		return &Tensor{ctx: b.ctx, borrowed: true}
	}
	return borrowed(b.ctx, C.attn_batch_tensor(p, f))
}

// InputIDs is the [B, T] ids tensor, borrowed until the next EncodeBatch.
func (b *Batch) InputIDs() *Tensor { return b.field(C.ATTN_BATCH_INPUT_IDS) }

// TokenTypeIDs is the [B, T] token types tensor.
func (b *Batch) TokenTypeIDs() *Tensor { return b.field(C.ATTN_BATCH_TOKEN_TYPE_IDS) }

// AttentionMask is the [B, T] mask tensor (1 real token, 0 padding).
func (b *Batch) AttentionMask() *Tensor { return b.field(C.ATTN_BATCH_ATTENTION_MASK) }
