/* graph_corpus.h — a graph's random walks as the trainer's corpus: the id
 * stream and vocabulary that `w2v train --graph` trains on, made without a
 * walks file.
 *
 * The walks are those `w2v walks` writes with the same options (walks.h:
 * the same rounds, shuffled start orders and per-walk random streams), one
 * walk a sentence, and the vocabulary is the one counting that text would
 * give (a node's count is its visits, </s> counts the walks), so training
 * on the result is the same, bit for bit with one thread, as
 * `w2v walks G -o W && w2v train W --min-count 1 ...`, minus the text.
 *
 * Memory: the id stream, 4 bytes per visit plus 4 per walk, allocated once
 * for walks * nodes * (length + 1) ids (a walk that stops early at a dead
 * end leaves its share unused); 12 bytes per node while walking. */
#ifndef W2V_GRAPH_CORPUS_H
#define W2V_GRAPH_CORPUS_H

#include <stdint.h>

#include "w2v/common.h"
#include "w2v/corpus.h"
#include "w2v/graph.h"
#include "w2v/vocab.h"
#include "w2v/walks.h"

/* Walk g with o (o->threads threads; the result is the same for any
 * number) into c and v, both initialised here: v holds the nodes visited at
 * least min_count times, ids in the vocabulary's order (vocab.h), and c the
 * walks as ids, nodes below min_count dropped (c->dropped counts their
 * visits). Returns 0, or W2V_EINVAL (bad walk options, an empty graph),
 * W2V_EOVERFLOW (the stream's size), W2V_ENOMEM, or W2V_EEMPTY (min_count
 * leaves no node) with err filled; on error c and v are released. Not
 * thread-safe on c and v; g is only read. */
int graph_corpus_build(struct corpus *c, struct vocab *v, const struct graph *g,
                       const struct walks_options *o, int64_t min_count, struct w2v_err *err);

#endif
