package io.llmblender.fuser;

import io.llmblender.djl.Argmax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The decoding loops, in Java over next-token logits: greedy, Hugging Face-style beam search and
 * sampling. They drive a {@link StepFunction}, which owns the model and its key/value cache, and
 * never see a native array.
 */
final class Decoder {

    /** Feeds one token per row to the decoder and returns each row's next-token logits. */
    interface StepFunction {
        /**
         * Advances every row by one token.
         *
         * @param tokens the token appended to each row
         * @param parents for each new row, the old row it continues (its cache is reused), or
         *     {@code null} when every row continues itself
         * @return the next-token logits of each row, {@code [rows][vocab]}
         */
        float[][] step(long[] tokens, int[] parents);
    }

    /**
     * One decoded sequence.
     *
     * @param tokens the generated tokens, without the decoder start and end-of-sequence tokens
     * @param endedWithEos whether the model ended the sequence itself
     * @param score the sequence's score: the sum of log-probabilities for greedy and sampling, the
     *     length-penalised score for beam search
     */
    @SuppressWarnings("ArrayRecordComponent") // internal carrier: never compared, hashed or exposed
    record Output(int[] tokens, boolean endedWithEos, double score) {}

    private final int startId;
    private final int eosId;
    private final int padId;
    private final int maxNewTokens;

    Decoder(int startId, int eosId, int padId, int maxNewTokens) {
        this.startId = startId;
        this.eosId = eosId;
        this.padId = padId;
        this.maxNewTokens = maxNewTokens;
    }

    /**
     * Greedy or sampled decoding of {@code rows} independent rows.
     *
     * @param step the model
     * @param rows how many rows the step function holds
     * @param decoding greedy or sampling
     * @return one output per row
     */
    List<Output> oneBest(StepFunction step, int rows, Decoding decoding) {
        boolean sampling = decoding.strategy() == Decoding.Strategy.SAMPLING;
        Random[] random = new Random[rows];
        for (int r = 0; r < rows; r++) {
            random[r] = new Random(decoding.seed());
        }
        List<List<Integer>> generated = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            generated.add(new ArrayList<>());
        }
        boolean[] finished = new boolean[rows];
        double[] score = new double[rows];
        long[] tokens = new long[rows];
        Arrays.fill(tokens, startId);
        int active = rows;
        for (int t = 0; t < maxNewTokens && active > 0; t++) {
            float[][] logits = step.step(tokens, null);
            for (int r = 0; r < rows; r++) {
                if (finished[r]) {
                    tokens[r] = padId;
                    continue;
                }
                double[] logProbs = logSoftmax(logits[r]);
                int next = sampling ? sample(logits[r], decoding, random[r]) : Argmax.of(logits[r]);
                score[r] += logProbs[next];
                if (next == eosId) {
                    finished[r] = true;
                    active--;
                    tokens[r] = padId;
                } else {
                    generated.get(r).add(next);
                    tokens[r] = next;
                }
            }
        }
        List<Output> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            out.add(new Output(
                    generated.get(r).stream().mapToInt(Integer::intValue).toArray(), finished[r], score[r]));
        }
        return out;
    }

    /**
     * Beam search over {@code prompts} prompts, each holding {@code beams} consecutive rows of the
     * step function.
     *
     * @param step the model, with {@code prompts * beams} rows
     * @param prompts the number of prompts
     * @param beams beams per prompt
     * @param lengthPenalty the length exponent of finished scores
     * @return the best hypothesis of each prompt
     */
    List<Output> beamSearch(StepFunction step, int prompts, int beams, double lengthPenalty) {
        int rows = prompts * beams;
        double[] beamScore = new double[rows];
        int[][] sequences = new int[rows][0];
        for (int r = 0; r < rows; r++) {
            beamScore[r] = r % beams == 0 ? 0.0 : -1e9;
        }
        Hypotheses[] hypotheses = new Hypotheses[prompts];
        boolean[] done = new boolean[prompts];
        for (int b = 0; b < prompts; b++) {
            hypotheses[b] = new Hypotheses(beams, lengthPenalty);
        }
        long[] tokens = new long[rows];
        Arrays.fill(tokens, startId);
        int[] parents = null;
        int remaining = prompts;
        for (int t = 0; t < maxNewTokens && remaining > 0; t++) {
            float[][] logits = step.step(tokens, parents);
            int generatedLength = t + 1; // tokens generated once this step's token is appended
            int[] nextParents = new int[rows];
            long[] nextTokens = new long[rows];
            double[] nextScore = new double[rows];
            int[][] nextSequences = new int[rows][];
            for (int b = 0; b < prompts; b++) {
                int base = b * beams;
                if (done[b]) {
                    for (int k = 0; k < beams; k++) {
                        nextParents[base + k] = base + k;
                        nextTokens[base + k] = padId;
                        nextSequences[base + k] = sequences[base + k];
                    }
                    continue;
                }
                List<double[]> top = topCandidates(logits, beamScore, base, beams, 2 * beams);
                int filled = 0;
                for (int rank = 0; rank < top.size() && filled < beams; rank++) {
                    double[] candidate = top.get(rank); // {score, row, token}
                    int row = (int) candidate[1];
                    int token = (int) candidate[2];
                    if (token == eosId) {
                        if (rank < beams) {
                            hypotheses[b].add(sequences[row], candidate[0], generatedLength, true);
                        }
                        continue;
                    }
                    nextParents[base + filled] = row;
                    nextTokens[base + filled] = token;
                    nextScore[base + filled] = candidate[0];
                    int[] extended = Arrays.copyOf(sequences[row], sequences[row].length + 1);
                    extended[extended.length - 1] = token;
                    nextSequences[base + filled] = extended;
                    filled++;
                }
                for (; filled < beams; filled++) { // only when the vocabulary is tiny
                    nextParents[base + filled] = base;
                    nextTokens[base + filled] = padId;
                    nextScore[base + filled] = Double.NEGATIVE_INFINITY;
                    nextSequences[base + filled] = sequences[base];
                }
                if (hypotheses[b].isDone(top.get(0)[0], generatedLength)) {
                    done[b] = true;
                    remaining--;
                }
            }
            parents = nextParents;
            tokens = nextTokens;
            beamScore = nextScore;
            sequences = nextSequences;
        }
        List<Output> out = new ArrayList<>(prompts);
        for (int b = 0; b < prompts; b++) {
            if (!done[b]) {
                for (int k = 0; k < beams; k++) {
                    int row = b * beams + k;
                    hypotheses[b].add(sequences[row], beamScore[row], sequences[row].length, false);
                }
            }
            out.add(hypotheses[b].best());
        }
        return out;
    }

    /** The {@code count} best (score, row, token) continuations of one prompt's beams, best first. */
    private static List<double[]> topCandidates(float[][] logits, double[] beamScore, int base, int beams, int count) {
        PriorityQueue<double[]> heap = new PriorityQueue<>(count + 1, (x, y) -> Double.compare(x[0], y[0]));
        for (int k = 0; k < beams; k++) {
            int row = base + k;
            double[] logProbs = logSoftmax(logits[row]);
            for (int v = 0; v < logProbs.length; v++) {
                double score = beamScore[row] + logProbs[v];
                if (heap.size() < count) {
                    heap.add(new double[] {score, row, v});
                } else if (score > heap.peek()[0]) {
                    heap.poll();
                    heap.add(new double[] {score, row, v});
                }
            }
        }
        List<double[]> top = new ArrayList<>(heap);
        top.sort((x, y) -> {
            int c = Double.compare(y[0], x[0]);
            return c != 0 ? c : Double.compare(x[1] * 1e9 + x[2], y[1] * 1e9 + y[2]);
        });
        return top;
    }

    /** Finished hypotheses of one prompt, as Hugging Face's {@code BeamHypotheses}. */
    private static final class Hypotheses {
        private final int beams;
        private final double lengthPenalty;
        private final List<Output> kept = new ArrayList<>();
        private double worst = 1e9;

        Hypotheses(int beams, double lengthPenalty) {
            this.beams = beams;
            this.lengthPenalty = lengthPenalty;
        }

        void add(int[] tokens, double sumLogProbs, int generatedLength, boolean eos) {
            double score = sumLogProbs / Math.pow(Math.max(1, generatedLength), lengthPenalty);
            if (kept.size() < beams || score > worst) {
                kept.add(new Output(tokens, eos, score));
                if (kept.size() > beams) {
                    kept.sort((x, y) -> Double.compare(x.score(), y.score()));
                    kept.remove(0);
                    worst = kept.get(0).score();
                } else {
                    worst = Math.min(score, worst);
                }
            }
        }

        boolean isDone(double bestSumLogProbs, int generatedLength) {
            if (kept.size() < beams) {
                return false;
            }
            return worst >= bestSumLogProbs / Math.pow(generatedLength, lengthPenalty);
        }

        Output best() {
            Output best = kept.get(0);
            for (Output o : kept) {
                if (o.score() > best.score()) {
                    best = o;
                }
            }
            return best;
        }
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - log;
        }
        return out;
    }

    /** Temperature, then top-k, then top-p, then one draw, as Hugging Face's sampling warpers. */
    static int sample(float[] logits, Decoding decoding, Random random) {
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> {
            int c = Float.compare(logits[y], logits[x]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        int keep = decoding.topK() > 0 ? Math.min(decoding.topK(), n) : n;
        double max = logits[order[0]] / decoding.temperature();
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(logits[order[i]] / decoding.temperature() - max);
            sum += p[i];
        }
        if (decoding.topP() < 1.0) {
            double cumulative = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i] / sum;
                if (cumulative >= decoding.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            sum = 0;
            for (int i = 0; i < keep; i++) {
                sum += p[i];
            }
        }
        double draw = random.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            draw -= p[i];
            if (draw < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
