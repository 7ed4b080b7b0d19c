package io.llmblender.ranker;

import io.llmblender.core.error.InferenceException;
import io.llmblender.core.rank.CandidatePair;
import io.llmblender.core.rank.PairQuery;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.ranker.internal.PairModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores queries with a segment ranker ({@link RankerConfig.Architecture#SEGMENT}): every distinct text of a chunk
 * (each source, and each candidate as cut for its source) is encoded once, alone, into a vector; each candidate
 * gets {@code g_i = g(s, c_i)} from the {@link SegmentHead}; and each requested ordered pair gets
 * {@code M[i][j] = g_i - g_j}. N candidates cost N + 1 encoder passes instead of N(N-1) pair rows.
 *
 * <p>Vectors are kept in a bounded cache keyed by the exact token ids (so a text cut differently for another
 * source is another entry): ranking the same answers again, as rewards and the adaptive mode do, skips the model.
 * A cached vector is the one the model computed, so results do not depend on the cache.
 *
 * <p>Thread-safe: the model pool, the head and the cache are.
 */
final class SegmentScoring {

    private final PairEncoder encoder;
    private final SegmentHead head;
    private final EncodedVectors vectors;

    /**
     * @param encoder the tokenizer and layout
     * @param model the segment encoder
     * @param head the pair head
     * @param tokenBudget the most padded tokens per encoder batch
     * @param maxRows the most texts per encoder batch (1 for a dynamically quantized model)
     * @param cacheSize the most cached vectors, 0 for none
     */
    SegmentScoring(
            PairEncoder encoder, PairModel model, SegmentHead head, int tokenBudget, int maxRows, int cacheSize) {
        this.encoder = encoder;
        this.head = head;
        this.vectors = new EncodedVectors(
                model, "the segment encoder", encoder.padId(), head.hidden(), tokenBudget, maxRows, cacheSize);
    }

    List<PairwiseMatrix> score(List<PairQuery> queries) {
        List<String> sources = new ArrayList<>(queries.size());
        Map<String, Integer> candidateIndex = new LinkedHashMap<>();
        for (PairQuery query : queries) {
            sources.add(query.source());
            for (CandidatePair pair : query.pairs()) {
                if (pair.first() != pair.second()) {
                    candidateIndex.computeIfAbsent(query.candidates().get(pair.first()), t -> candidateIndex.size());
                    candidateIndex.computeIfAbsent(query.candidates().get(pair.second()), t -> candidateIndex.size());
                }
            }
        }
        if (candidateIndex.isEmpty()) {
            return EncodedVectors.emptyMatrices(queries);
        }
        int[][] segments = encoder.sourceSegments(sources);
        int[][] bodies = encoder.candidateBodies(new ArrayList<>(candidateIndex.keySet()));

        // Every distinct text alone, and for each query its source's text and each used candidate's text.
        Map<EncodedVectors.Ids, Integer> textIndex = new LinkedHashMap<>();
        int[] sourceText = new int[queries.size()];
        int[][] candidateText = new int[queries.size()][];
        for (int q = 0; q < queries.size(); q++) {
            PairQuery query = queries.get(q);
            sourceText[q] = textIndex.computeIfAbsent(
                    new EncodedVectors.Ids(encoder.aloneSource(segments[q])), k -> textIndex.size());
            candidateText[q] = new int[query.candidates().size()];
            Arrays.fill(candidateText[q], -1);
            for (CandidatePair pair : query.pairs()) {
                if (pair.first() == pair.second()) {
                    continue;
                }
                for (int c : new int[] {pair.first(), pair.second()}) {
                    if (candidateText[q][c] < 0) {
                        int[] body =
                                bodies[candidateIndex.get(query.candidates().get(c))];
                        candidateText[q][c] = textIndex.computeIfAbsent(
                                new EncodedVectors.Ids(encoder.aloneCandidate(segments[q], body)),
                                k -> textIndex.size());
                    }
                }
            }
        }
        float[][] vectors = this.vectors.of(new ArrayList<>(textIndex.keySet()));

        List<PairwiseMatrix> out = new ArrayList<>(queries.size());
        for (int q = 0; q < queries.size(); q++) {
            PairQuery query = queries.get(q);
            double[] g = new double[query.candidates().size()];
            for (int c = 0; c < g.length; c++) {
                if (candidateText[q][c] >= 0) {
                    g[c] = head.score(vectors[sourceText[q]], 0, vectors[candidateText[q][c]], 0);
                }
            }
            PairwiseMatrix.Builder matrix = PairwiseMatrix.builder(g.length);
            for (CandidatePair pair : query.pairs()) {
                if (pair.first() != pair.second()) {
                    double logit = g[pair.first()] - g[pair.second()];
                    if (!Double.isFinite(logit)) {
                        throw new InferenceException(
                                "the segment head returned a non-finite score for a pair of query " + q);
                    }
                    matrix.set(pair.first(), pair.second(), logit);
                }
            }
            out.add(matrix.build());
        }
        return out;
    }

    /**
     * The encoder's vector of every candidate of a query, each read alone as cut for the query's source: the vectors
     * {@link #score} gives the head, from the same cache.
     *
     * @param query the query; its pairs are ignored
     * @return one vector per candidate
     */
    float[][] candidateVectors(PairQuery query) {
        int[][] segments = encoder.sourceSegments(List.of(query.source()));
        int[][] bodies = encoder.candidateBodies(query.candidates());
        List<EncodedVectors.Ids> texts = new ArrayList<>(bodies.length);
        for (int[] body : bodies) {
            texts.add(new EncodedVectors.Ids(encoder.aloneCandidate(segments[0], body)));
        }
        return this.vectors.of(texts);
    }
}
