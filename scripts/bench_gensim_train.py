#!/usr/bin/python3
"""Train gensim Word2Vec in corpus_file mode for scripts/bench.sh.

Run under Debian's /usr/bin/python3 (python3-gensim).  Everything the benchmark
varies is a flag; anything not given stays at gensim's default (alpha 0.025,
min_alpha 0.0001, seed 1), which docs/BENCHMARKS.md records.  The process is
timed from outside, so the import, vocabulary scan, training and the save all
count, as they do for the other tools.
"""
import argparse
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("corpus", help="plain-text corpus, one sentence per line")
    p.add_argument("-o", "--output", required=True, help="word2vec binary file to write")
    p.add_argument("--sg", type=int, choices=(0, 1), required=True, help="1 skip-gram, 0 CBOW")
    p.add_argument("--hs", type=int, choices=(0, 1), required=True, help="1 hierarchical softmax")
    p.add_argument("--negative", type=int, required=True)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-4)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--alpha", type=float, default=None,
                   help="starting learning rate (default: gensim's own, 0.025)")
    args = p.parse_args()

    try:
        from gensim.models import Word2Vec
        from gensim.models.word2vec import CORPUSFILE_VERSION
    except ImportError as e:
        sys.exit("bench_gensim_train: gensim with corpus_file support is needed: %s" % e)
    if CORPUSFILE_VERSION < 0:
        sys.exit("bench_gensim_train: this gensim was built without corpus_file support")

    kw = dict(corpus_file=args.corpus, sg=args.sg, hs=args.hs, negative=args.negative,
              vector_size=args.dim, window=args.window, sample=args.sample,
              min_count=args.min_count, epochs=args.epochs, workers=args.threads)
    if args.alpha is not None:
        kw["alpha"] = args.alpha
    model = Word2Vec(**kw)
    model.wv.save_word2vec_format(args.output, binary=True)


if __name__ == "__main__":
    main()
