package attn

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func dataDir() string {
	if d := os.Getenv("ATTN_TEST_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "tests", "data")
}

func tiny(name string) string { return filepath.Join(dataDir(), "hf-bert-tiny", name) }

func newCtx(t *testing.T) *Context {
	t.Helper()
	ctx, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctx.Close() })
	return ctx
}

// must unwraps (value, error); an error panics, which fails the running test
// with the error and the line (Go cannot pass t along with a call's two results).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func maxAbsDiff(t *testing.T, a, b []float32) float64 {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("lengths %d and %d", len(a), len(b))
	}
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

func TestLoadedLibraryHasTheExpectedMajorVersion(t *testing.T) {
	number, text := Version()
	if number/10000 != ExpectedMajor || number < MinimumVersion {
		t.Fatalf("library %s (%d)", text, number)
	}
	if err := CheckVersion(); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsCarryStatusAndTheLibraryMessage(t *testing.T) {
	ctx := newCtx(t)
	if err := ctx.Set(OptThreads, 2); err != nil {
		t.Fatal(err)
	}
	if v := must(ctx.Get(OptThreads)); v != 2 {
		t.Fatalf("threads = %d", v)
	}
	err := ctx.Set(OptThreads, 0)
	var e *Error
	if !errors.As(err, &e) || e.Status != ErrInvalidArg || !errors.Is(err, ErrInvalidArg) || errors.Is(err, ErrShape) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(e.Message, "outside") || e.Message != ctx.LastError() {
		t.Fatalf("message %q, last error %q", e.Message, ctx.LastError())
	}
	if !strings.HasSuffix(err.Error(), "[ATTN_ERR_INVALID_ARG]") {
		t.Fatalf("Error() = %q", err.Error())
	}
}

func TestClosingTheContextClosesItsObjects(t *testing.T) {
	ctx, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	a := must(NewTensor(ctx, []int64{2, 2}, Float32))
	b := must(NewTensor(ctx, []int64{3}, Int64))
	b.Close()
	ctx.Close()
	if _, err := a.Float32s(); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("use after the context closed: %v", err)
	}
	if _, err := NewTensor(ctx, []int64{1}, Float32); err == nil {
		t.Fatal("created a tensor on a closed context")
	}
	a.Close()
	ctx.Close()
}

func TestTensorsRoundTripAndConvert(t *testing.T) {
	ctx := newCtx(t)
	x := must(FromFloat32(ctx, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6}))
	if !reflect.DeepEqual(x.Shape(), []int64{2, 3}) || x.DType() != Float32 || x.Len() != 6 {
		t.Fatalf("shape %v dtype %v", x.Shape(), x.DType())
	}
	if got := must(x.Int64s()); !reflect.DeepEqual(got, []int64{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("as int64: %v", got)
	}
	if err := x.SetFloat32s([]float32{1}); err == nil || err.(*Error).Message == "" {
		t.Fatalf("a write of 1 value into 6 gave %v", err)
	}
	if _, err := NewTensor(ctx, []int64{1, 1, 1, 1, 1}, Float32); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("rank 5: %v", err)
	}
}

func TestTokenizerGivesHuggingFacesIDs(t *testing.T) {
	ctx := newCtx(t)
	tok := must(LoadTokenizer(ctx, filepath.Join(dataDir(), "bert-base-uncased", "vocab.txt"), true))
	defer tok.Close()
	if tok.VocabSize() != 30522 {
		t.Fatalf("vocab size %d", tok.VocabSize())
	}
	// bert-base-uncased/tokens.json, written by Hugging Face's BertTokenizer
	ids, types, err := tok.Encode("This is a sample sentence for text classification.", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []int32{101, 2023, 2003, 1037, 7099, 6251, 2005, 3793, 5579, 1012, 102}
	if !reflect.DeepEqual(ids, want) || !reflect.DeepEqual(types, make([]int32, len(want))) {
		t.Fatalf("ids %v types %v", ids, types)
	}
	if got := must(tok.Tokenize("Hello, world!")); !reflect.DeepEqual(got, []int32{7592, 1010, 2088, 999}) {
		t.Fatalf("tokenize: %v", got)
	}
	if _, types, _ := tok.EncodePair("hello", "world", 0); !reflect.DeepEqual(types, []int32{0, 0, 0, 1, 1}) {
		t.Fatalf("pair types %v", types)
	}
	if s, ok := tok.IDToToken(101); !ok || s != "[CLS]" {
		t.Fatalf("id 101 = %q", s)
	}
	if _, ok := tok.IDToToken(30522); ok {
		t.Fatal("id beyond the vocab")
	}
	if _, err := tok.TokenToID("no-such-token"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}

	batch := must(NewBatch(ctx))
	defer batch.Close()
	if err := tok.EncodeBatch(batch, []string{"hello world", "hi"}, nil, 8, 0); err != nil {
		t.Fatal(err)
	}
	if got := must(batch.InputIDs().Int32s()); !reflect.DeepEqual(got, []int32{101, 7592, 2088, 102, 101, 7632, 102, 0}) {
		t.Fatalf("batch ids %v", got)
	}
	if got := must(batch.AttentionMask().Int32s()); !reflect.DeepEqual(got, []int32{1, 1, 1, 1, 1, 1, 1, 0}) {
		t.Fatalf("batch mask %v", got)
	}

	_, err = LoadTokenizer(ctx, "/nonexistent/vocab.txt", true)
	var e *Error
	if !errors.As(err, &e) || e.Status != ErrIO || !strings.Contains(e.Message, "/nonexistent/vocab.txt") {
		t.Fatalf("missing vocab: %v", err)
	}
}

func TestTinyBertMatchesHuggingFaceForwardAndAdamWStep(t *testing.T) {
	ctx := newCtx(t)
	model := must(LoadBert(ctx, tiny("tiny_a.safetensors"), tiny("tiny_a.config.json")))
	defer model.Close()
	cfg := model.Config()
	if cfg.HiddenSize != 64 || cfg.NumLayers != 2 || cfg.NumHeads != 4 || cfg.NumLabels != 3 {
		t.Fatalf("config %+v", cfg)
	}
	ref := must(OpenSafetensors(ctx, tiny("tiny_a.expected.safetensors")))
	defer ref.Close()
	load := func(name string, d DType) *Tensor { return must(ref.Load(name, d)) }
	ids, types, mask := load("input_ids", Int64), load("token_type_ids", Int64), load("attention_mask", Int64)
	labels := load("labels", Int64)

	out := must(model.Forward(ids, types, mask))
	expected := must(load("logits", Float32).Float32s())
	scale := 0.0
	for _, v := range expected {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	if !reflect.DeepEqual(out.Logits.Shape, []int64{4, 3}) || maxAbsDiff(t, out.Logits.Data, expected) > 1e-4*scale {
		t.Fatalf("logits %v vs %v", out.Logits.Data, expected)
	}
	if d := maxAbsDiff(t, out.PoolerOutput.Data, must(load("pooler_output", Float32).Float32s())); d > 1e-4 {
		t.Fatalf("pooled output differs by %g", d)
	}
	expectedLoss := must(load("loss", Float32).Float32s())[0]
	if l := must(model.Loss(labels)); math.Abs(float64(l-expectedLoss)) > 1e-5 {
		t.Fatalf("loss %g vs %g", l, expectedLoss)
	}

	opt := must(NewAdamW(ctx, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 0.01}))
	defer opt.Close()
	if err := opt.AddModel(model); err != nil {
		t.Fatal(err)
	}
	names := must(model.ParamNames())
	if opt.ParamCount() != len(names) {
		t.Fatalf("optimizer has %d of %d parameters", opt.ParamCount(), len(names))
	}
	loss := must(model.TrainStep(opt, labels, ids, types, mask))
	if math.Abs(float64(loss-expectedLoss)) > 1e-5 {
		t.Fatalf("train step loss %g vs %g", loss, expectedLoss)
	}
	if s := must(opt.Steps()); s != 1 {
		t.Fatalf("steps = %d", s)
	}
	compared := 0
	for _, name := range names {
		if !ref.Has("adamw1." + name) {
			continue
		}
		value, _, err := model.Param(name)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(t, must(value.Float32s()), must(load("adamw1."+name, Float32).Float32s())); d > 5e-5 {
			t.Fatalf("%s after one AdamW step differs by %g", name, d)
		}
		compared++
	}
	if compared < 30 {
		t.Fatalf("compared only %d parameters", compared)
	}

	saved := filepath.Join(t.TempDir(), "saved.safetensors")
	if err := model.Save(saved); err != nil {
		t.Fatal(err)
	}
	again := must(LoadBert(ctx, saved, tiny("tiny_a.config.json")))
	defer again.Close()
	a, b := must(model.Forward(ids, types, mask)), must(again.Forward(ids, types, mask))
	if !reflect.DeepEqual(a.Logits, b.Logits) {
		t.Fatal("reloaded model gives other logits")
	}

	if _, err := LoadBert(ctx, "/nonexistent/model.safetensors", tiny("tiny_a.config.json")); !errors.Is(err, ErrIO) ||
		!strings.Contains(err.Error(), "/nonexistent/model.safetensors") {
		t.Fatalf("missing weights: %v", err)
	}
	short := must(FromInt64(ctx, []int64{1, 2}, []int64{101, 102}))
	if _, err := model.Forward(ids, short, nil); !errors.Is(err, ErrShape) {
		t.Fatalf("mismatched token types: %v", err)
	}
}
