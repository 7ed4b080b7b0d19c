package io.llmblender.eval;

import io.llmblender.eval.dataset.DatasetRecord;
import io.llmblender.eval.dataset.DatasetRecord.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reference value of each candidate of a record, against which a selection is judged: either a score stored with
 * the candidates ({@code candidates[i].scores[NAME]}, for example {@code correct}, {@code bleu} or {@code bartscore})
 * or, under the name {@value #GPT_RANK}, LLM-Blender's GPT-Rank derived from the record's ChatGPT comparisons
 * ({@link GptRank}; a rank, so lower is better whatever the caller says; it is always derived, even if candidates
 * also store a score of that name). Immutable.
 */
public final class ReferenceMetric {

    /** The name of the metric derived from {@code cmp_results}: LLM-Blender's GPT-Rank (1 = best). */
    public static final String GPT_RANK = "gpt-rank";

    private final String name;
    private final boolean lowerIsBetter;

    private ReferenceMetric(String name, boolean lowerIsBetter) {
        this.name = name;
        this.lowerIsBetter = lowerIsBetter;
    }

    /**
     * A metric by name.
     *
     * @param name a score name, or {@value #GPT_RANK}
     * @param lowerIsBetter true for a loss (smaller values are better); ignored for {@value #GPT_RANK}, which is
     *     always lower-is-better
     * @return the metric
     * @throws IllegalArgumentException if the name is blank
     */
    public static ReferenceMetric of(String name, boolean lowerIsBetter) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a metric name must not be blank");
        }
        return new ReferenceMetric(name, lowerIsBetter || name.equals(GPT_RANK));
    }

    /**
     * The metric to use when none is named: the first score name of the record's first candidate that has scores,
     * else {@value #GPT_RANK} if the record has comparisons.
     *
     * @param record usually a dataset's first record
     * @return the name, or empty if the record offers no metric at all
     */
    public static Optional<String> defaultName(DatasetRecord record) {
        for (Candidate c : record.candidates()) {
            if (!c.scores().isEmpty()) {
                return Optional.of(c.scores().keySet().iterator().next());
            }
        }
        return GptRank.present(record.json()) ? Optional.of(GPT_RANK) : Optional.empty();
    }

    /**
     * The metric's name.
     *
     * @return the name given
     */
    public String name() {
        return name;
    }

    /**
     * Whether smaller values are better.
     *
     * @return true for a loss or a rank
     */
    public boolean lowerIsBetter() {
        return lowerIsBetter;
    }

    /**
     * The reference value of each candidate.
     *
     * @param record a record with at least one candidate
     * @return one finite value per candidate, in candidate order
     * @throws IllegalArgumentException if the record has no candidates, a candidate lacks the score (the message names
     *     the metric and the scores the candidate has), a score is not finite, or (for {@value #GPT_RANK}) the
     *     comparisons are missing or unusable
     */
    public List<Double> values(DatasetRecord record) {
        List<Candidate> candidates = record.candidates();
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("the record has no candidates to evaluate");
        }
        List<Double> values = new ArrayList<>(candidates.size());
        if (name.equals(GPT_RANK)) {
            List<String> models = candidates.stream().map(Candidate::model).toList();
            try {
                for (int r : GptRank.ranks(record.json(), models)) {
                    values.add((double) r);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "metric " + GPT_RANK + ": " + e.getMessage() + available(record, false), e);
            }
            return List.copyOf(values);
        }
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            Double v = c.scores().get(name);
            if (v == null) {
                throw new IllegalArgumentException("candidates[" + i + "] (model \"" + c.model() + "\") has no score \""
                        + name + "\"; "
                        + (c.scores().isEmpty()
                                ? "it has no scores"
                                : "its scores: " + String.join(", ", c.scores().keySet()))
                        + available(record, true));
            }
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(
                        "candidates[" + i + "].scores." + name + " is not a finite number: " + v);
            }
            values.add(v);
        }
        return List.copyOf(values);
    }

    /** What the record offers instead, for an error message. */
    private static String available(DatasetRecord record, boolean offerGptRank) {
        StringBuilder s = new StringBuilder();
        List<String> common = null;
        for (Candidate c : record.candidates()) {
            List<String> names = new ArrayList<>(c.scores().keySet());
            if (common == null) {
                common = names;
            } else {
                common.retainAll(names);
            }
        }
        if (common != null && !common.isEmpty()) {
            s.append("; every candidate of this record has: ").append(String.join(", ", common));
        }
        if (offerGptRank && GptRank.present(record.json())) {
            s.append(common != null && !common.isEmpty() ? ", and " : "; ")
                    .append(GPT_RANK)
                    .append(" (derived from cmp_results) may be usable");
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return name + (lowerIsBetter ? " (lower is better)" : " (higher is better)");
    }
}
