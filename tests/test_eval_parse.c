/* test_eval_parse.c — eval_parse.c: questions-words files and word-pair
 * files, default and other layouts. */
#include <stdint.h>

#include "test.h"
#include "w2v/eval.h"

static void test_questions_parse(void)
{
    const char text[] = ": capital\r\n"
                        "Athens Greece Oslo Norway\r\n"
                        "\n"
                        "   \t \n"
                        "too few words\n"
                        ":   gram1 adj to adv  \n"
                        ": empty\n"
                        ": gram2\n"
                        "a b c d\n"
                        "a b c d e\n"
                        "x\ty  z   w"; /* no final newline */
    struct eval_questions qs;
    struct w2v_err err = {0};
    eval_questions_init(&qs);
    CHECK(eval_questions_parse(&qs, text, sizeof text - 1, "t", &err) == 0);
    CHECK(qs.n_sections == 4);
    if (qs.n_sections == 4) {
        CHECK(strcmp(qs.section_names[0], "capital") == 0);
        CHECK(strcmp(qs.section_names[1], "gram1 adj to adv") == 0);
        CHECK(strcmp(qs.section_names[2], "empty") == 0);
        CHECK(strcmp(qs.section_names[3], "gram2") == 0);
    }
    CHECK(qs.n == 3);
    if (qs.n == 3) {
        CHECK(strcmp(qs.q[0].w[0], "Athens") == 0 && strcmp(qs.q[0].w[3], "Norway") == 0);
        CHECK(qs.q[0].section == 0 && qs.q[0].line == 2);
        CHECK(qs.q[1].section == 3 && qs.q[1].line == 9);
        CHECK(strcmp(qs.q[2].w[1], "y") == 0 && strcmp(qs.q[2].w[3], "w") == 0);
    }
    CHECK(qs.malformed == 2);
    CHECK(qs.first_malformed_line == 5);
    eval_questions_release(&qs);

    /* A question before any section line is an error naming the line. */
    const char early[] = "\n# comment\na b c d\n: s\n";
    CHECK(eval_questions_parse(&qs, early, sizeof early - 1, "t", &err) == W2V_EFORMAT);
    CHECK(err.line == 3);
    CHECK(strstr(err.message, "line 3") != NULL);
    CHECK(qs.n == 0 && qs.text == NULL);

    /* No usable line. */
    const char none[] = ": only a section\nnot a question\n\n";
    CHECK(eval_questions_parse(&qs, none, sizeof none - 1, "t", &err) == W2V_EEMPTY);
    CHECK(eval_questions_parse(&qs, "", 0, "t", &err) == W2V_EEMPTY);

    /* A NUL byte is not text. */
    const char nul[] = ": s\na b c d\na b\0c d\n";
    CHECK(eval_questions_parse(&qs, nul, sizeof nul - 1, "t", &err) == W2V_EFORMAT);
    CHECK(err.line == 3);

    /* A missing file. */
    CHECK(eval_questions_read(&qs, "/nonexistent/q.txt", &err) == W2V_EIO);
    CHECK(strstr(err.message, "/nonexistent/q.txt") != NULL);
    eval_questions_release(&qs);
}

static void test_pairs_parse(void)
{
    const char text[] = "# a comment\n"
                        "Word 1\tWord 2\tHuman (mean)\n" /* header */
                        "love\tsex\t6.77\n"
                        "  # indented comment\n"
                        "tiger cat 7.35\n"
                        "\n"
                        "bad line\n"
                        "a b c\n"   /* score not a number */
                        "a b nan\n" /* not finite */
                        "a b 1 2\n" /* four fields */
                        "x\t \ty\t1e-1\r\n";
    struct eval_pairs ps;
    struct w2v_err err = {0};
    eval_pairs_init(&ps);
    CHECK(eval_pairs_parse(&ps, text, sizeof text - 1, "p", &err) == 0);
    CHECK(ps.n == 3);
    if (ps.n == 3) {
        CHECK(strcmp(ps.p[0].w1, "love") == 0 && strcmp(ps.p[0].w2, "sex") == 0);
        CHECK_NEAR(ps.p[0].score, 6.77, 1e-12);
        CHECK(ps.p[0].line == 3);
        CHECK(strcmp(ps.p[1].w1, "tiger") == 0);
        CHECK(strcmp(ps.p[2].w2, "y") == 0);
        CHECK_NEAR(ps.p[2].score, 0.1, 1e-12);
    }
    CHECK(ps.malformed == 4);
    CHECK(ps.first_malformed_line == 7);

    /* A valid first line is data, not a header; a bad second line counts. */
    const char noheader[] = "a b 1\nc d e\n";
    CHECK(eval_pairs_parse(&ps, noheader, sizeof noheader - 1, "p", &err) == 0);
    CHECK(ps.n == 1 && ps.malformed == 1 && ps.first_malformed_line == 2);

    const char none[] = "# only comments\nheader line here\n";
    CHECK(eval_pairs_parse(&ps, none, sizeof none - 1, "p", &err) == W2V_EEMPTY);
    CHECK(ps.n == 0);
    eval_pairs_release(&ps);
}

/* Other layouts: a delimiter splits at each occurrence (fields trimmed),
 * columns pick the words and the score; the default stays three fields. */
static void test_pairs_format(void)
{
    struct eval_pairs ps;
    struct w2v_err err = {0};
    eval_pairs_init(&ps);
    const char csv[] = "word1,word2,pos,score\n"
                       "old, new ,A,1.5\n"
                       "a,b,N\n"            /* too few fields: malformed */
                       "c,,N,2\n"           /* empty word: malformed */
                       "x,y,V,3,extra\n";   /* more fields: fine */
    struct eval_pairs_format f = {',', 1, 2, 4};
    CHECK(eval_pairs_parse_format(&ps, csv, sizeof csv - 1, "p", &f, &err) == 0);
    CHECK(ps.n == 2 && ps.malformed == 2 && ps.first_malformed_line == 3);
    if (ps.n == 2) {
        CHECK(strcmp(ps.p[0].w1, "old") == 0 && strcmp(ps.p[0].w2, "new") == 0);
        CHECK(ps.p[0].score == 1.5 && ps.p[0].line == 2);
        CHECK(strcmp(ps.p[1].w1, "x") == 0 && ps.p[1].score == 3);
    }
    const char swapped[] = "2 b a\n4 d c\n";
    struct eval_pairs_format g = {0, 3, 2, 1};
    CHECK(eval_pairs_parse_format(&ps, swapped, sizeof swapped - 1, "p", &g, &err) == 0);
    CHECK(ps.n == 2 && strcmp(ps.p[1].w1, "c") == 0 && strcmp(ps.p[1].w2, "d") == 0 &&
          ps.p[1].score == 4);
    /* Default: exactly three fields, with or without a NULL format. */
    const char four[] = "a b 1\na b 1 x\n";
    CHECK(eval_pairs_parse_format(&ps, four, sizeof four - 1, "p", NULL, &err) == 0);
    CHECK(ps.n == 1 && ps.malformed == 1);
    struct eval_pairs_format bad[] = {{0, 1, 1, 2}, {0, 0, 2, 3}, {0, 1, 2, EVAL_MAX_COLUMN + 1},
                                      {'\n', 0, 0, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(eval_pairs_format_check(&bad[i]) == W2V_EUSAGE);
        CHECK(eval_pairs_parse_format(&ps, four, sizeof four - 1, "p", &bad[i], &err) ==
              W2V_EUSAGE);
        CHECK(ps.n == 0 && ps.p == NULL);
    }
    eval_pairs_release(&ps);
}

int main(void)
{
    TEST_RUN(test_questions_parse);
    TEST_RUN(test_pairs_parse);
    TEST_RUN(test_pairs_format);
    return TEST_REPORT("test_eval_parse");
}
