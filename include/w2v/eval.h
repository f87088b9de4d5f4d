/* eval.h — intrinsic evaluation of word vectors: analogy accuracy on a
 * questions-words file and Spearman/Pearson correlation on a word-pair file.
 *
 * Both follow gensim's evaluate_word_analogies / evaluate_word_pairs with
 * case_insensitive=True, folding ASCII letters to lower case (gensim
 * upper-cases; for ASCII the two are the same). When several rows fold to
 * the same word, the first row (the most frequent, vector files being
 * frequency-ordered) stands for it.
 *
 * Files are parsed into structs first (no vectors needed, eval_parse.c),
 * then evaluated against a struct query_model (read or mapped: the query
 * engine's unit rows, eval.c), so each half can be tested alone; the
 * statistics are in eval_stats.c. Nothing here prints. *
 * Thread safety, unless a prototype says otherwise: functions that take a
 * const struct may run concurrently on it; those that take a non-const one
 * need the caller to serialise calls on that struct (distinct structs are
 * independent). */
#ifndef W2V_EVAL_H
#define W2V_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/query.h"

/* ---- case-folded lookup ------------------------------------------------ */

/* An index over the first `rows` rows of a query model keyed by the
 * ASCII-lower-cased word. Every row belongs to the class of its folded
 * spelling; the class is named by its head, the first row with that
 * spelling. */
struct eval_vocab {
    const struct query_model *model; /* borrowed */
    int64_t rows;              /* rows indexed: min(restrict, model->rows) */
    int64_t *head;             /* [rows] class head of each row */
    int64_t *next;             /* [rows] next row of the same class, or -1 */
    int64_t *slots;            /* hash of heads, -1 empty */
    size_t n_slots;            /* power of two */
};

void eval_vocab_init(struct eval_vocab *ev);
void eval_vocab_release(struct eval_vocab *ev); /* safe on zeroed/released */

/* Index the first min(restrict_rows, m->rows) rows (restrict_rows <= 0:
 * all). m must outlive ev. Returns 0, W2V_ENOMEM or W2V_EOVERFLOW (ev is
 * then released). Not thread-safe on one ev. */
int eval_vocab_build(struct eval_vocab *ev, const struct query_model *m, int64_t restrict_rows,
                     struct w2v_err *err);

/* Class head of word (folded), or -1 when no indexed row folds to it.
 * Thread-safe for readers. */
int64_t eval_vocab_find(const struct eval_vocab *ev, const char *word);

/* ---- analogy questions -------------------------------------------------- */

struct eval_question {
    const char *w[4];  /* a b c d, pointing into the owning eval_questions' text */
    int32_t section;   /* index into sections */
    int64_t line;      /* 1-based line in the file */
};

struct eval_questions {
    char *text;                      /* owned copy of the file, tokens NUL-cut in place */
    char **section_names;            /* [n_sections], pointing into text */
    int32_t n_sections;
    struct eval_question *q;         /* [n] */
    size_t n;
    int64_t malformed;               /* lines skipped: not ": name" and not 4 words */
    int64_t first_malformed_line;    /* 1-based, 0 when none */
};

void eval_questions_init(struct eval_questions *qs);
void eval_questions_release(struct eval_questions *qs); /* safe on zeroed/released */

/* Parse questions-words text (len bytes, need not be NUL-terminated; a copy
 * is kept). A line starting with ':' opens a section named by the rest of
 * the line (trimmed); other non-blank lines must hold exactly four words
 * (any whitespace), otherwise they are skipped and counted as malformed.
 * Blank lines are ignored. Returns 0; W2V_EFORMAT (err->line set) for a
 * question before the first section line or a NUL byte; W2V_EEMPTY when
 * there is no question at all; W2V_ENOMEM. On failure qs is left empty. */
int eval_questions_parse(struct eval_questions *qs, const char *text, size_t len,
                         const char *name, struct w2v_err *err);

/* eval_questions_parse on the contents of path. Adds W2V_EIO (cannot
 * open/read, with errno text) and W2V_EEMPTY for an empty file. */
int eval_questions_read(struct eval_questions *qs, const char *path, struct w2v_err *err);

enum eval_method { EVAL_3COSADD = 0, EVAL_3COSMUL = 1 };

/* Vectors for the words of a question or pair that are not among the
 * first N rows (eval --oov). Such a word first gets its own row when it is
 * further down the model (found case-folded, as above); a word the model
 * lacks altogether is handed to vector(), e.g. a subword model's n-gram
 * mean. The answer candidates stay the first N rows, so an analogy whose
 * d is not among them is still skipped. */
struct eval_oov {
    /* word's vector into out[0..dim) (any length; eval normalises it).
     * Returns 0; 1 when word has no vector (its question or pair is
     * skipped); or a negative W2V_E code, which fails the evaluation (err
     * filled). NULL: words the model lacks are skipped. Called from the
     * evaluating thread only, once per distinct (case-folded) word. */
    int (*vector)(void *ctx, const char *word, float *out, struct w2v_err *err);
    void *ctx;
};

#define EVAL_DEFAULT_RESTRICT 30000
#define EVAL_3COSMUL_EPSILON QUERY_3COSMUL_EPSILON /* query.h has the formula */

struct eval_analogy_options {
    int64_t restrict_rows;   /* search and accept the first N rows; <= 0: all */
    enum eval_method method;
    int threads;             /* <= 0: one per online processor */
    size_t block;            /* rows per work unit, rounded up to a multiple
                                of 16; 0: chosen from the sizes (tests set
                                it small to exercise several threads) */
};

struct eval_section_result {
    const char *name;        /* borrowed from the eval_questions */
    int64_t correct, total;  /* total = questions evaluated (all words known) */
    int64_t skipped;         /* questions with a word outside the restricted rows */
};

struct eval_analogy_result {
    struct eval_section_result *sections; /* [n_sections], owned */
    int32_t n_sections;
    int64_t correct, total, skipped;
    int64_t semantic_correct, semantic_total;   /* sections not starting "gram" */
    int64_t syntactic_correct, syntactic_total; /* sections starting "gram" */
    int64_t rows_used;       /* min(restrict, rows) */
    int64_t vocab_correct, vocab_total; /* the questions whose four words are
                                   among the first N rows (total without oov) */
    int64_t oov_rows, oov_hook; /* distinct question words given vectors from
                                   rows past N, and by oov->vector */
    int64_t *predicted;      /* [n questions] predicted row, -1 when the
                                question was skipped (or every row was
                                excluded); owned */
};

void eval_analogy_result_release(struct eval_analogy_result *r); /* safe on zeroed */

/* Answer every question whose four words are among the first N rows (case
 * folded): the prediction is the row among those N, other than rows folding
 * to a, b or c, maximising
 *   3CosAdd: cos(x,b) - cos(x,a) + cos(x,c)
 *   3CosMul: cos'(x,b) cos'(x,c) / (cos'(x,a) + 0.001), cos' = (cos+1)/2
 * on unit-normalised rows (ties: the lower row); it is correct when it
 * folds to d. Zero rows have cosine 0 with everything. The result does not
 * depend on the thread count. res must be zeroed or released; qs must
 * outlive it (section names are borrowed). A thread that cannot be
 * started only costs speed. Returns 0, W2V_ENOMEM, W2V_EOVERFLOW or
 * W2V_EFORMAT (a mapped row holds a non-finite value; err names it); on
 * failure res is left released. Thread-safe for distinct res (m is only
 * read). */
int eval_analogy(const struct query_model *m, const struct eval_questions *qs,
                 const struct eval_analogy_options *opt, struct eval_analogy_result *res,
                 struct w2v_err *err);

/* eval_analogy where a, b and c outside the first N rows get vectors as oov
 * says (NULL: eval_analogy); d must still be among them. Adds the hook's
 * errors. */
int eval_analogy_oov(const struct query_model *m, const struct eval_questions *qs,
                     const struct eval_analogy_options *opt, const struct eval_oov *oov,
                     struct eval_analogy_result *res, struct w2v_err *err);

/* ---- word-pair similarity ----------------------------------------------- */

struct eval_pair {
    const char *w1, *w2;     /* pointing into the owning eval_pairs' text */
    double score;            /* the human judgement */
    int64_t line;
};

struct eval_pairs {
    char *text;                   /* owned copy, tokens NUL-cut in place */
    struct eval_pair *p;          /* [n] */
    size_t n;
    int64_t malformed;            /* lines skipped: not "w1 w2 number" */
    int64_t first_malformed_line; /* 1-based, 0 when none */
};

void eval_pairs_init(struct eval_pairs *ps);
void eval_pairs_release(struct eval_pairs *ps); /* safe on zeroed/released */

/* Parse "w1 w2 score" lines (tabs or spaces). Lines whose first non-blank
 * character is '#', and blank lines, are ignored; so is the first other
 * line when it is not a valid pair (a header). Other lines that are not
 * three fields with a finite number last are skipped and counted as
 * malformed.
 * Returns 0; W2V_EFORMAT for a NUL byte; W2V_EEMPTY when no pair is left;
 * W2V_ENOMEM. On failure ps is left empty. */
int eval_pairs_parse(struct eval_pairs *ps, const char *text, size_t len, const char *name,
                     struct w2v_err *err);

/* eval_pairs_parse on the contents of path; adds W2V_EIO, and W2V_EEMPTY
 * for an empty file. */
int eval_pairs_read(struct eval_pairs *ps, const char *path, struct w2v_err *err);

#define EVAL_MAX_COLUMN 1000

/* Where a pair is on a line. delimiter: 0 splits at runs of blanks (the
 * default); any other byte but '\n' splits at each occurrence, fields
 * trimmed of blanks ("a, b,3" has fields a, b and 3). w1, w2, score: the
 * 1-based columns of the two words and the number; all 0 is the default,
 * columns 1, 2, 3 and exactly three fields; otherwise three distinct
 * columns in [1, EVAL_MAX_COLUMN] and a line needs at least the last of
 * them (other fields are ignored: SimLex-999 is --columns 1,2,4). */
struct eval_pairs_format {
    char delimiter;
    int w1, w2, score;
};

/* 0 when fmt (NULL: the default) is usable, else W2V_EUSAGE. Thread-safe. */
int eval_pairs_format_check(const struct eval_pairs_format *fmt);

/* eval_pairs_parse / eval_pairs_read with a format (NULL: the default;
 * the plain functions are these with NULL). A bad format is W2V_EUSAGE. */
int eval_pairs_parse_format(struct eval_pairs *ps, const char *text, size_t len,
                            const char *name, const struct eval_pairs_format *fmt,
                            struct w2v_err *err);
int eval_pairs_read_format(struct eval_pairs *ps, const char *path,
                           const struct eval_pairs_format *fmt, struct w2v_err *err);

struct eval_similarity_result {
    double spearman;   /* NaN when undefined (fewer than 2 pairs, or constant) */
    double pearson;    /* likewise */
    int64_t pairs;     /* pairs with both words known */
    int64_t skipped;   /* pairs with an unknown word */
    int64_t vocab_pairs; /* pairs with both words among the first N rows
                            (pairs without oov) */
    int64_t oov_rows, oov_hook; /* as in eval_analogy_result */
};

/* Correlate the cosine (query_similarity) of each pair's (case-folded) rows
 * among the first restrict_rows rows (<= 0: all) with its score. Returns 0,
 * W2V_ENOMEM, W2V_EOVERFLOW, W2V_EFORMAT (a mapped row is not finite), or
 * W2V_EEMPTY (err says so) when no pair has both words known — the result
 * is still filled (pairs 0, NaN scores). Thread-safe for distinct res. */
int eval_similarity(const struct query_model *m, const struct eval_pairs *ps,
                    int64_t restrict_rows, struct eval_similarity_result *res,
                    struct w2v_err *err);

/* eval_similarity where words outside the first restrict_rows rows get
 * vectors as oov says (NULL: eval_similarity). Adds the hook's errors. */
int eval_similarity_oov(const struct query_model *m, const struct eval_pairs *ps,
                        int64_t restrict_rows, const struct eval_oov *oov,
                        struct eval_similarity_result *res, struct w2v_err *err);

/* ---- statistics ------------------------------------------------------------ */

/* Pearson's r of x and y ([n] each), computed in double; NaN when n < 2 or
 * either is constant. Thread-safe. */
double eval_pearson(const double *x, const double *y, size_t n);

/* Spearman's rho: Pearson's r of the ranks, ties getting the average of the
 * ranks they span (as scipy.stats.spearmanr). NaN when undefined or when
 * memory runs out. Thread-safe. */
double eval_spearman(const double *x, const double *y, size_t n);

/* Average ranks (1-based) of x[0..n) into rank[0..n). Returns 0 or
 * W2V_ENOMEM. Thread-safe. */
int eval_rank(const double *x, size_t n, double *rank);

#endif
