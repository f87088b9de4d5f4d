/* test_vectors_scan.c — the binary-record scanner shared by reading and
 * mapping: each result it can give, the optional '\n' rule, the fused hash,
 * and the one message per result. */
#include "test.h"
#include "vectors_scan.h"

static const unsigned char *rec_bytes(const char *s) { return (const unsigned char *)s; }

static void test_scan_ok(void)
{
    /* "ab " + 2 floats (8 bytes) + '\n' of the next row's separator */
    unsigned char buf[32];
    memcpy(buf, "ab ", 3);
    vectors_store_le(buf + 3, 1.5f);
    vectors_store_le(buf + 7, -2.0f);
    buf[11] = '\n';
    struct vectors_record rec;
    CHECK(vectors_scan_record(buf, 11, 1, 0, 2, &rec) == VECTORS_SCAN_OK);
    CHECK(rec.word == 0 && rec.word_len == 2 && rec.floats == 3 && rec.end == 11);
    CHECK(rec.hash == w2v_fnv1a("ab", 2));
    CHECK(vectors_load_le(buf + rec.floats) == 1.5f);
    CHECK(vectors_load_le(buf + rec.floats + 4) == -2.0f);
    /* A leading '\n' belongs to the previous row, only from row 1 on. */
    unsigned char nl[32];
    nl[0] = '\n';
    memcpy(nl + 1, buf, 11);
    CHECK(vectors_scan_record(nl, 12, 1, 1, 2, &rec) == VECTORS_SCAN_OK);
    CHECK(rec.word == 1 && rec.word_len == 2 && rec.end == 12);
    CHECK(vectors_scan_record(nl, 12, 1, 0, 2, &rec) == VECTORS_SCAN_CONTROL_BYTE &&
          rec.bad == '\n');
}

static void test_scan_more_and_truncation(void)
{
    unsigned char buf[16] = "ab \1\2\3\4\5\6\7";
    struct vectors_record rec;
    /* Short of the floats: more wanted while streaming, an error at the end. */
    CHECK(vectors_scan_record(buf, 8, 0, 0, 2, &rec) == VECTORS_SCAN_MORE);
    CHECK(vectors_scan_record(buf, 8, 1, 0, 2, &rec) == VECTORS_SCAN_SHORT_VECTOR);
    CHECK(vectors_scan_record(buf, 2, 0, 0, 2, &rec) == VECTORS_SCAN_MORE);
    CHECK(vectors_scan_record(buf, 2, 1, 0, 2, &rec) == VECTORS_SCAN_TRUNCATED);
    CHECK(vectors_scan_record(buf, 0, 0, 3, 2, &rec) == VECTORS_SCAN_MORE);
    CHECK(vectors_scan_record(buf, 0, 1, 3, 2, &rec) == VECTORS_SCAN_TRUNCATED);
    CHECK(vectors_scan_record(rec_bytes(" xxxxxxxx"), 9, 1, 0, 2, &rec) ==
          VECTORS_SCAN_EMPTY_WORD);
    CHECK(vectors_scan_record(rec_bytes("a\tb xxxxxxxx"), 12, 1, 0, 2, &rec) ==
          VECTORS_SCAN_CONTROL_BYTE && rec.bad == '\t');
}

static void test_scan_long_word(void)
{
    size_t n = W2V_MAX_FILE_WORD_BYTES + 2;
    unsigned char *big = malloc(n + 16);
    CHECK(big != NULL);
    if (!big)
        return;
    memset(big, 'x', n + 16);
    struct vectors_record rec;
    /* Not at the end: a long word is an error as soon as it is longer than
     * the limit, not "more". */
    CHECK(vectors_scan_record(big, n, 0, 0, 2, &rec) == VECTORS_SCAN_LONG_WORD);
    CHECK(vectors_scan_record(big, W2V_MAX_FILE_WORD_BYTES, 0, 0, 2, &rec) == VECTORS_SCAN_MORE);
    /* The longest word allowed is accepted. */
    big[W2V_MAX_FILE_WORD_BYTES] = ' ';
    CHECK(vectors_scan_record(big, n + 16, 1, 0, 2, &rec) == VECTORS_SCAN_OK &&
          rec.word_len == W2V_MAX_FILE_WORD_BYTES);
    free(big);
}

static void test_messages(void)
{
    struct w2v_err err = {0};
    struct vectors_record rec = {.word = 0, .word_len = 3, .bad = 0x07};
    const unsigned char *p = rec_bytes("cat ");
    CHECK(vectors_record_fail(&err, VECTORS_SCAN_TRUNCATED, "f", p, &rec, 2, 5) == W2V_EFORMAT);
    CHECK(strcmp(err.message, "'f' is truncated: 2 of 5 vectors present") == 0);
    vectors_record_fail(&err, VECTORS_SCAN_SHORT_VECTOR, "f", p, &rec, 2, 5);
    CHECK(strcmp(err.message, "'f' is truncated in the vector of 'cat' (row 3 of 5)") == 0);
    vectors_record_fail(&err, VECTORS_SCAN_CONTROL_BYTE, "f", p, &rec, 0, 5);
    CHECK(strcmp(err.message, "'f': word of row 1 holds a control byte 0x07 (bad or truncated "
                              "file)") == 0);
    vectors_record_fail(&err, VECTORS_SCAN_EMPTY_WORD, "f", p, &rec, 0, 5);
    CHECK(strcmp(err.message, "'f': empty word at row 1") == 0);
    CHECK(vectors_check_tail(rec_bytes(" \n\r\t"), 4, "f", 5, &err) == 0);
    CHECK(vectors_check_tail(rec_bytes("\nx"), 2, "f", 5, &err) == W2V_EFORMAT);
    CHECK(strcmp(err.message, "'f' holds more data after the 5 vectors its header announces") ==
          0);
}

int main(void)
{
    TEST_RUN(test_scan_ok);
    TEST_RUN(test_scan_more_and_truncation);
    TEST_RUN(test_scan_long_word);
    TEST_RUN(test_messages);
    return TEST_REPORT("test_vectors_scan");
}
