package io.llmblender.core;

import io.llmblender.core.fuse.Fusion;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.rank.PairwiseMatrix;
import io.llmblender.core.rank.Ranking;
import io.llmblender.core.rank.RankingCost;
import io.llmblender.core.route.RouteDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything one blend produced, with its provenance: the answers of the clients that answered,
 * the failures of those that did not, the ranking and its pairwise matrix, the fused answer, and
 * the time each stage took. Immutable and thread-safe.
 *
 * <p>Indices of the {@link #ranking()} refer to {@link #candidates()}, which lists the answers in
 * the order the clients were added to the Blender (skipping failed clients).
 */
public final class BlendResult {

    private final Prompt prompt;
    private final List<Candidate> candidates;
    private final Ranking ranking;
    private final String rankerName;
    private final ClientFailure rankingFailure;
    private final List<RankingCost> rankingCosts;
    private final Fusion fusion;
    private final ClientFailure fusionFailure;
    private final List<ClientFailure> failures;
    private final StageTimings timings;
    private final BlendMode mode;
    private final RouteDecision route;
    private final ClientFailure routingFailure;
    private final List<String> called;

    BlendResult(
            Prompt prompt,
            List<Candidate> candidates,
            Ranking ranking,
            String rankerName,
            ClientFailure rankingFailure,
            List<RankingCost> rankingCosts,
            Fusion fusion,
            ClientFailure fusionFailure,
            List<ClientFailure> failures,
            StageTimings timings,
            Routing routing) {
        this.mode = routing.mode;
        this.route = routing.decision;
        this.routingFailure = routing.failure;
        this.called = List.copyOf(routing.called);
        this.prompt = prompt;
        this.candidates = List.copyOf(candidates);
        this.ranking = ranking;
        this.rankerName = rankerName;
        this.rankingFailure = rankingFailure;
        this.rankingCosts = List.copyOf(rankingCosts);
        this.fusion = fusion;
        this.fusionFailure = fusionFailure;
        this.failures = List.copyOf(failures);
        this.timings = timings;
    }

    /**
     * The prompt that was blended.
     *
     * @return the prompt
     */
    public Prompt prompt() {
        return prompt;
    }

    /**
     * The final answer: the fused answer when fusion ran and succeeded, otherwise the text of
     * {@link #best()}.
     *
     * @return the answer text
     */
    public String answer() {
        return fusion != null ? fusion.text() : best().text();
    }

    /**
     * The fused answer.
     *
     * @return its text, or empty when no fuser was configured, only one client answered, or the
     *     fuser failed (see {@link #fusionFailure()})
     */
    public Optional<String> fused() {
        return fusion().map(Fusion::text);
    }

    /**
     * The fused answer with its provenance (fuser, candidates used, finish reason, tokens).
     *
     * @return the fusion, or empty as for {@link #fused()}
     */
    public Optional<Fusion> fusion() {
        return Optional.ofNullable(fusion);
    }

    /**
     * The answers, in client order; at least one.
     *
     * @return an unmodifiable list
     */
    public List<Candidate> candidates() {
        return candidates;
    }

    /**
     * The answers best first: in ranking order when there is a ranking, otherwise in client order.
     *
     * @return an unmodifiable list of all candidates
     */
    public List<Candidate> ranked() {
        if (ranking == null) {
            return candidates;
        }
        List<Candidate> out = new ArrayList<>(candidates.size());
        for (int i : ranking.order()) {
            out.add(candidates.get(i));
        }
        return List.copyOf(out);
    }

    /**
     * The best answer: the first of {@link #ranked()}.
     *
     * @return the candidate
     */
    public Candidate best() {
        return ranked().get(0);
    }

    /**
     * The ranking of {@link #candidates()}. With one answer, a trivial ranking of it at rank 1.
     *
     * @return the ranking, or empty when no ranker was configured or it failed (see
     *     {@link #rankingFailure()})
     */
    public Optional<Ranking> ranking() {
        return Optional.ofNullable(ranking);
    }

    /**
     * The pairwise logits the ranking came from.
     *
     * @return the matrix, or empty when there was no ranker or only one answer
     */
    public Optional<PairwiseMatrix> matrix() {
        return ranking().flatMap(Ranking::matrix);
    }

    /**
     * Which ranker ranked the answers.
     *
     * @return the ranker's name, or empty when none ran
     */
    public Optional<String> rankerName() {
        return Optional.ofNullable(rankerName);
    }

    /**
     * The clients that gave no answer, and why, in client order.
     *
     * @return an unmodifiable list, empty when every client answered
     */
    public List<ClientFailure> failures() {
        return failures;
    }

    /**
     * Why ranking failed, when it did; the answers then keep client order.
     *
     * @return the ranker's failure, or empty
     */
    public Optional<ClientFailure> rankingFailure() {
        return Optional.ofNullable(rankingFailure);
    }

    /**
     * What ranking cost in LLM calls: the reports of a ranker that calls an LLM (an
     * {@link io.llmblender.core.rank.LlmJudgeRanker}, alone or inside a combination or fallback), one per LLM and
     * scoring, also when the ranking then failed. Not among {@link #called()}, which lists the candidates' calls.
     *
     * @return the reports, in the order they came; empty for rankers that call no LLM
     */
    public List<RankingCost> rankingCosts() {
        return rankingCosts;
    }

    /**
     * Why fusion failed, when it did; the answer then falls back to {@link #best()}.
     *
     * @return the fuser's failure, or empty
     */
    public Optional<ClientFailure> fusionFailure() {
        return Optional.ofNullable(fusionFailure);
    }

    /**
     * How long each stage took.
     *
     * @return the timings
     */
    public StageTimings timings() {
        return timings;
    }

    /**
     * The branch this blend took: {@link BlendMode#ROUTE} when one client was asked because the
     * router chose it ({@code ROUTE} mode, or {@code ADAPTIVE} mode with a confident router),
     * otherwise {@link BlendMode#BLEND}. Never {@link BlendMode#ADAPTIVE}.
     *
     * @return the mode taken
     */
    public BlendMode mode() {
        return mode;
    }

    /**
     * The router's distribution over the clients for this prompt.
     *
     * @return the decision, or empty when the Blender has no router or the router failed (see
     *     {@link #routingFailure()})
     */
    public Optional<RouteDecision> route() {
        return Optional.ofNullable(route);
    }

    /**
     * Why the router gave no decision; the blend then asked every client.
     *
     * @return the router's failure, or empty when it answered or there is no router
     */
    public Optional<ClientFailure> routingFailure() {
        return Optional.ofNullable(routingFailure);
    }

    /**
     * The clients this blend asked, in the order they were asked: every client in {@code BLEND}
     * mode; in {@code ROUTE} mode the router's choice, then, if it failed, each next most probable
     * client until one answered; in the fan-out branch of {@code ADAPTIVE} the router's top
     * clients. Its size is the number of LLM calls the blend paid for.
     *
     * @return an unmodifiable list of client names
     */
    public List<String> called() {
        return called;
    }

    @Override
    public String toString() {
        return "BlendResult[" + mode + ", " + called.size() + " called, " + candidates.size() + " answers, "
                + failures.size() + " failures, best=" + best().client()
                + (fusion != null ? ", fused by " + fusion.fuserName() : "") + "]";
    }

    /** What the routing stage decided, for the constructor. */
    static final class Routing {
        final BlendMode mode;
        final RouteDecision decision;
        final ClientFailure failure;
        final List<String> called;

        Routing(BlendMode mode, RouteDecision decision, ClientFailure failure, List<String> called) {
            this.mode = mode;
            this.decision = decision;
            this.failure = failure;
            this.called = called;
        }
    }
}
