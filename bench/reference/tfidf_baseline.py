#!/usr/bin/env python3
"""TF-IDF + logistic regression baseline on the fortunes task, NumPy only.

What scikit-learn's defaults would do, written out (python3-sklearn and scipy
are not needed):
  TfidfVectorizer(ngram_range=(1, 2)): lowercase, tokens = regex
    (?u)\\b\\w\\w+\\b, word 1- and 2-grams, vocabulary and idf from the training
    split, idf = ln((1 + n) / (1 + df)) + 1, raw counts * idf, rows L2-normalised.
  LogisticRegression(C=1.0): multinomial softmax over the classes, L2 on the
    weights but not the intercepts, objective sum(log loss) + ||W||^2 / (2C),
    minimised with L-BFGS until max |gradient| <= 1e-4 (scikit-learn stops
    at 100 iterations; this runs to convergence).
The data and split are bench/reference/fortunes_data.py's, the same as
libattn's attn_dataset_load_fortunes. Prints validation and test accuracy
and macro-F1, then one JSON line.

  .venv-ref/bin/python bench/reference/tfidf_baseline.py [--strip-attribution] [--C 1.0 | --tune-C] [--random-split SEED]

--tune-C picks C from 0.3 ... 100 by validation accuracy (ties: the smaller C).
"""
import argparse
import json
import random
import re
import sys
import time

import numpy as np

import fortunes_data

TOKEN = re.compile(r"(?u)\b\w\w+\b")


def ngrams(text):
    words = TOKEN.findall(text.lower())
    return words + [a + " " + b for a, b in zip(words, words[1:])]


class Tfidf:
    def fit(self, docs):
        df = {}
        for doc in docs:
            for g in set(ngrams(doc)):
                df[g] = df.get(g, 0) + 1
        self.vocab = {g: i for i, g in enumerate(sorted(df))}
        counts = np.array([df[g] for g in sorted(df)], dtype=np.float64)
        self.idf = np.log((1.0 + len(docs)) / (1.0 + counts)) + 1.0
        return self

    def transform(self, docs):
        """CSR arrays (data, indices, indptr) of the L2-normalised tf-idf rows."""
        data, indices, indptr = [], [], [0]
        for doc in docs:
            row = {}
            for g in ngrams(doc):
                j = self.vocab.get(g)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
            cols = np.array(sorted(row), dtype=np.int64)
            vals = np.array([row[j] for j in cols], dtype=np.float64) * self.idf[cols]
            norm = np.sqrt(np.sum(vals * vals))
            if norm > 0:
                vals /= norm
            data.append(vals)
            indices.append(cols)
            indptr.append(indptr[-1] + len(cols))
        return Csr(np.concatenate(data), np.concatenate(indices), np.array(indptr), len(self.vocab))


class Csr:
    def __init__(self, data, indices, indptr, n_cols):
        self.data, self.indices, self.indptr, self.n_cols = data, indices, indptr, n_cols
        self.rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        self.n_rows = len(indptr) - 1

    def dot(self, w):  # [n_rows, V] @ [V, K]
        out = np.zeros((self.n_rows, w.shape[1]))
        filled = np.diff(self.indptr) > 0
        if filled.any():  # reduceat sums each row's segment; empty rows stay 0
            sums = np.add.reduceat(self.data[:, None] * w[self.indices], self.indptr[:-1][filled], axis=0)
            out[filled] = sums
        return out

    def tdot(self, g):  # [V, n_rows] @ [n_rows, K]
        return np.stack([np.bincount(self.indices, weights=self.data * g[self.rows, k], minlength=self.n_cols)
                         for k in range(g.shape[1])], axis=1)


def softmax_rows(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def lbfgs(fun, x, gtol=1e-4, max_iter=5000, memory=10):
    """Minimises fun(x) -> (value, gradient) with L-BFGS and an Armijo backtracking line search."""
    f, g = fun(x)
    s_list, y_list = [], []
    it = 0
    for it in range(max_iter):
        if np.max(np.abs(g)) <= gtol:
            break
        q = g.copy()
        alphas = []
        for s, y in zip(reversed(s_list), reversed(y_list)):
            rho = 1.0 / y.dot(s)
            a = rho * s.dot(q)
            q -= a * y
            alphas.append((rho, a))
        gamma = s_list[-1].dot(y_list[-1]) / y_list[-1].dot(y_list[-1]) if s_list else 1.0 / max(1.0, np.linalg.norm(g))
        r = gamma * q
        for (s, y), (rho, a) in zip(zip(s_list, y_list), reversed(alphas)):
            r += s * (a - rho * y.dot(r))
        d = -r
        slope = g.dot(d)
        if slope >= 0:  # not a descent direction: restart from the gradient
            s_list, y_list = [], []
            d, slope = -g, -g.dot(g)
        t = 1.0
        while True:
            x_new = x + t * d
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * t * slope or t < 1e-20:
                break
            t *= 0.5
        s, y = x_new - x, g_new - g
        if y.dot(s) > 1e-12:
            s_list.append(s)
            y_list.append(y)
            if len(s_list) > memory:
                s_list.pop(0)
                y_list.pop(0)
        x, f, g = x_new, f_new, g_new
    return x, f, it


def fit_logistic(X, y, n_classes, C):
    V = X.n_cols
    Y = np.eye(n_classes)[y]

    def fun(theta):
        W = theta[:V * n_classes].reshape(V, n_classes)
        b = theta[V * n_classes:]
        z = X.dot(W) + b
        zmax = z.max(axis=1, keepdims=True)
        logsum = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        loss = np.sum(logsum - np.sum(z * Y, axis=1)) + 0.5 / C * np.sum(W * W)
        G = softmax_rows(z) - Y
        gW = X.tdot(G) + W / C
        return loss, np.concatenate([gW.ravel(), G.sum(axis=0)])

    theta, loss, iters = lbfgs(fun, np.zeros(V * n_classes + n_classes))
    return theta[:V * n_classes].reshape(V, n_classes), theta[V * n_classes:], loss, iters


def scores(pred, gold, n_classes):
    pred, gold = np.asarray(pred), np.asarray(gold)
    acc = float(np.mean(pred == gold))
    f1s = []
    for k in range(n_classes):
        tp = np.sum((pred == k) & (gold == k))
        fp = np.sum((pred == k) & (gold != k))
        fn = np.sum((pred != k) & (gold == k))
        f1s.append(0.0 if tp == 0 else 2.0 * tp / (2.0 * tp + fp + fn))
    return acc, float(np.mean(f1s))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--strip-attribution", action="store_true")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--tune-C", action="store_true", help="choose C on the validation split")
    ap.add_argument("--random-split", type=int, metavar="SEED",
                    help="instead of the hash split, a seeded random 80/10/10 split of the same texts "
                         "(to see how much the split alone moves the score)")
    args = ap.parse_args()
    start = time.time()
    ds = fortunes_data.load_fortunes(strip_attribution=args.strip_attribution)
    part = {s: ds.indices(s) for s in range(3)}
    if args.random_split is not None:
        order = sorted(i for s in range(3) for i in part[s])
        random.Random(args.random_split).shuffle(order)
        n_train, n_val = len(order) * 8 // 10, len(order) // 10
        part = {0: order[:n_train], 1: order[n_train:n_train + n_val], 2: order[n_train + n_val:]}
    docs = {s: [ds.texts[i] for i in part[s]] for s in range(3)}
    gold = {s: [ds.labels[i] for i in part[s]] for s in range(3)}
    k = len(ds.label_names)
    vec = Tfidf().fit(docs[0])
    X_train, X_val = vec.transform(docs[0]), vec.transform(docs[1])
    if args.tune_C:
        best = None
        for c in (0.3, 1.0, 3.0, 10.0, 30.0, 100.0):
            W, b, _, _ = fit_logistic(X_train, np.array(gold[0]), k, c)
            acc = scores(np.argmax(X_val.dot(W) + b, axis=1), gold[1], k)[0]
            print("C %-5g validation accuracy %.4f" % (c, acc))
            if best is None or acc > best[0]:
                best = (acc, c)
        args.C = best[1]
    W, b, loss, iters = fit_logistic(X_train, np.array(gold[0]), k, args.C)
    result = {"model": "tfidf-1-2gram-logreg", "C": args.C, "strip_attribution": args.strip_attribution,
              "split": "hash" if args.random_split is None else "random seed %d" % args.random_split,
              "features": len(vec.vocab), "lbfgs_iterations": iters, "train_objective": round(loss, 4),
              "train": len(docs[0]), "validation": len(docs[1]), "test": len(docs[2])}
    for s, name in ((0, "train"), (1, "val"), (2, "test")):
        pred = np.argmax(vec.transform(docs[s]).dot(W) + b, axis=1)
        acc, f1 = scores(pred, gold[s], k)
        result[name + "_accuracy"] = round(acc, 4)
        result[name + "_macro_f1"] = round(f1, 4)
        print("%-5s accuracy %.4f  macro-F1 %.4f  (%d examples)" % (name, acc, f1, len(docs[s])))
    result["seconds"] = round(time.time() - start, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
