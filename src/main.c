/* main.c — the subcommand table and dispatch. */
#include <stdio.h>
#include <string.h>

#include "w2v/cli.h"
#include "w2v/common.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"train", cmd_train, "learn word vectors from a text corpus"},
    {"nearest", cmd_nearest, "nearest neighbours of words by cosine"},
    {"analogy", cmd_analogy, "words nearest to A - B + C (king man woman: queen)"},
    {"similarity", cmd_similarity, "cosine similarity of two words"},
    {"doesnt-match", cmd_doesnt_match, "the word that does not match the others"},
    {"map", cmd_map, "draw a word's neighbourhood as an SVG picture"},
    {"convert", cmd_convert, "convert vectors between binary and text formats"},
    {"eval-analogy", cmd_eval_analogy, "analogy accuracy on a questions-words file"},
    {"eval-similarity", cmd_eval_similarity, "Spearman/Pearson on a word-pair file"},
    {"walks", cmd_walks, "random walks over a graph (DeepWalk, node2vec) as a corpus"},
    {"eval-links", cmd_eval_links, "link-prediction ROC AUC of vectors on held-out edges"},
    {"phrases", cmd_phrases, "join frequent word pairs with '_' (word2phrase)"},
    {"classes", cmd_classes, "cluster word vectors into K classes (spherical k-means)"},
    {"vector", cmd_vector, "print the vector of any word (unseen ones from a subword model)"},
    {"senses", cmd_senses, "the senses of a word (train --senses) with shares and neighbours"},
    {"disambiguate", cmd_disambiguate, "each word of a sentence with the sense its context picks"},
    {"index", cmd_index, "save a binary model's word index beside it (MODEL.w2vi) for fast starts"},
};

static void print_commands(FILE *out)
{
    fprintf(out, "usage: w2v COMMAND [ARGS...]\n\nw2v trains and queries word2vec embeddings.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'w2v COMMAND --help' describes a command; 'w2v --version' prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        if (argc >= 3 && strcmp(argv[1], "help") == 0) {
            /* "w2v help CMD" is "w2v CMD --help". */
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    char *help_argv[] = {argv[2], "--help", NULL};
                    return commands[i].run(2, help_argv);
                }
            return cli_error("unknown command '%s' (see 'w2v help')", argv[2]) + 1;
        }
        print_commands(stdout);
        return W2V_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("w2v %s\n", W2V_VERSION);
        return W2V_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    /* The original's command line as typed, with w2v for ./word2vec:
     * `w2v -train c.txt -output v.bin -cbow 1 ...` is `w2v train ...`. */
    if (argv[1][0] == '-')
        for (int i = 1; i < argc; i++)
            if (strcmp(argv[i], "-train") == 0)
                return cmd_train(argc, argv);
    cli_error("unknown command '%s' (see 'w2v help')", argv[1]);
    return W2V_EXIT_USAGE;
}
