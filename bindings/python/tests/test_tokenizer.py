"""Tokenizer through the binding gives Hugging Face's ids (tokens.json was
written by HF transformers' BertTokenizer with the same vocab)."""
import json
import unittest

import support
import libattn


class TokenizerMatchesHuggingFace(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ctx = libattn.Context()
        cls.tok = libattn.Tokenizer(cls.ctx, support.VOCAB, lowercase=True)
        with open(support.TOKENS_JSON, encoding="utf-8") as f:
            cls.reference = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.ctx.close()

    def test_single_texts_encode_to_hugging_faces_ids_and_tokens(self):
        for case in self.reference["single"]:
            with self.subTest(text=case["text"]):
                ids, types = self.tok.encode(case["text"])
                self.assertEqual(ids, case["input_ids"])
                self.assertEqual(types, case["token_type_ids"])
                self.assertEqual([self.tok.id_to_token(i) for i in ids], case["tokens"])

    def test_pairs_encode_with_token_types(self):
        for case in self.reference["pairs"]:
            with self.subTest(text=case["text_a"], pair=case["text_b"]):
                ids, types = self.tok.encode(case["text_a"], case["text_b"])
                self.assertEqual(ids, case["input_ids"])
                self.assertEqual(types, case["token_type_ids"])

    def test_tokenize_omits_the_special_tokens(self):
        self.assertEqual(self.tok.tokens("This is a sample sentence for text classification."),
                         ["this", "is", "a", "sample", "sentence", "for", "text", "classification", "."])

    def test_vocab_lookups(self):
        self.assertEqual(self.tok.vocab_size, 30522)
        self.assertEqual(self.tok.token_to_id("[CLS]"), 101)
        self.assertEqual(self.tok.id_to_token(102), "[SEP]")
        with self.assertRaises(libattn.NotFoundError):
            self.tok.token_to_id("no-such-token-in-the-vocab")
        with self.assertRaises(IndexError):
            self.tok.id_to_token(30522)

    def test_batches_are_padded_with_a_mask(self):
        batch = self.tok.encode_batch(["hello world", "hi"], max_len=8)
        self.assertEqual(batch.input_ids.tolist(), [[101, 7592, 2088, 102], [101, 7632, 102, 0]])
        self.assertEqual(batch.attention_mask.tolist(), [[1, 1, 1, 1], [1, 1, 1, 0]])
        self.assertEqual(batch.token_type_ids.tolist(), [[0, 0, 0, 0], [0, 0, 0, 0]])

    def test_batches_mix_pairs_and_single_texts(self):
        batch = self.tok.encode_batch(["hello", "hi"], pairs=["world", None])
        self.assertEqual(batch.input_ids.tolist(), [[101, 7592, 102, 2088, 102], [101, 7632, 102, 0, 0]])
        self.assertEqual(batch.token_type_ids.tolist(), [[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]])
        with self.assertRaises(ValueError):
            self.tok.encode_batch(["a"], pairs=["b", "c"])

    def test_a_missing_vocab_file_is_an_io_error_naming_it(self):
        with self.assertRaises(libattn.AttnIOError) as cm:
            libattn.Tokenizer(self.ctx, "/nonexistent/vocab.txt")
        self.assertIn("/nonexistent/vocab.txt", cm.exception.message)


if __name__ == "__main__":
    unittest.main()
