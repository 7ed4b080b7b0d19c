package io.llmblender.router.label;

import io.llmblender.core.check.Require;
import io.llmblender.router.encode.QueryEncoder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A {@link Tagger} from clusters of query embeddings: {@link #fit} runs k-means on the training
 * queries' vectors, and a query's tag is the name of the cluster whose centre is nearest to its
 * vector ({@code "cluster-0"} ... {@code "cluster-(k-1)"}). Queries on the same kind of task land in
 * the same cluster, so the tag labels of {@link SoftLabels} pool their rewards, as the Zooter
 * paper's instruction tags do, without writing rules.
 *
 * <p>k-means: k-means++ seeding from a {@link Random} with the given seed, then Lloyd iterations
 * until no assignment changes (at most 100), squared Euclidean distance; a cluster that empties is
 * re-seeded with the point farthest from its centre. Ties go to the lower cluster index, so a fit is
 * reproducible for a given encoder, queries, k and seed.
 *
 * <p>Immutable once fitted; thread-safe as far as its encoder is (the {@link QueryEncoder} contract
 * requires it). The tagger uses the encoder on every {@link #tags} call and never closes it.
 */
public final class ClusterTagger implements Tagger {

    /** The prefix of every tag: cluster {@code i} is tagged {@code PREFIX + i}. */
    public static final String PREFIX = "cluster-";

    private static final int MAX_ITERATIONS = 100;

    private final QueryEncoder encoder;
    private final float[][] centres;
    private final int iterations;

    private ClusterTagger(QueryEncoder encoder, float[][] centres, int iterations) {
        this.encoder = encoder;
        this.centres = centres;
        this.iterations = iterations;
    }

    /**
     * Clusters the queries' vectors.
     *
     * @param encoder the encoder, used now and by every later {@link #tags} call; not closed here
     * @param queries the training queries, none null, at least {@code clusters} of them
     * @param clusters how many clusters, at least 1
     * @param seed the seed of the k-means++ seeding
     * @return the fitted tagger
     * @throws IllegalArgumentException if {@code clusters < 1} or there are fewer queries than clusters
     */
    public static ClusterTagger fit(QueryEncoder encoder, List<String> queries, int clusters, long seed) {
        Require.nonNull(encoder, "encoder");
        Require.nonNull(queries, "queries");
        Require.positive(clusters, "clusters");
        if (queries.size() < clusters) {
            throw new IllegalArgumentException(
                    "clusters must be at most the number of queries (" + queries.size() + "), found " + clusters);
        }
        float[][] points = encoder.encode(queries);
        float[][] centres = seed(points, clusters, new Random(seed));
        int[] assignment = new int[points.length];
        Arrays.fill(assignment, -1);
        int iteration = 0;
        boolean changed = true;
        while (changed && iteration < MAX_ITERATIONS) {
            iteration++;
            changed = false;
            for (int p = 0; p < points.length; p++) {
                int c = nearest(centres, points[p]);
                if (c != assignment[p]) {
                    assignment[p] = c;
                    changed = true;
                }
            }
            if (changed) {
                centres = means(points, assignment, centres);
            }
        }
        return new ClusterTagger(encoder, centres, iteration);
    }

    /**
     * The query's cluster as its only tag.
     *
     * @param query the query text
     * @return a one-element set, {@code "cluster-i"}
     */
    @Override
    public Set<String> tags(String query) {
        return Set.of(PREFIX + cluster(query));
    }

    /**
     * The index of the cluster nearest to the query.
     *
     * @param query the query text, not null
     * @return an index in {@code [0, clusters())}
     */
    public int cluster(String query) {
        Require.nonNull(query, "query");
        return nearest(centres, encoder.encode(List.of(query))[0]);
    }

    /**
     * How many clusters the tagger has.
     *
     * @return k
     */
    public int clusters() {
        return centres.length;
    }

    /**
     * How many Lloyd iterations the fit ran.
     *
     * @return at least 1, at most 100
     */
    public int iterations() {
        return iterations;
    }

    @Override
    public String toString() {
        return "ClusterTagger[" + centres.length + " clusters over " + encoder.id() + "]";
    }

    /** k-means++: the first centre uniformly, each next one with probability proportional to d^2. */
    private static float[][] seed(float[][] points, int k, Random random) {
        float[][] centres = new float[k][];
        centres[0] = points[random.nextInt(points.length)].clone();
        double[] d2 = new double[points.length];
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int p = 0; p < points.length; p++) {
                d2[p] = Double.POSITIVE_INFINITY;
                for (int j = 0; j < c; j++) {
                    d2[p] = Math.min(d2[p], distance(points[p], centres[j]));
                }
                total += d2[p];
            }
            int pick = 0;
            if (total > 0) {
                double target = random.nextDouble() * total;
                double sum = 0;
                for (int p = 0; p < points.length; p++) {
                    sum += d2[p];
                    if (sum > target) {
                        pick = p;
                        break;
                    }
                }
            } else {
                pick = random.nextInt(points.length);
            }
            centres[c] = points[pick].clone();
        }
        return centres;
    }

    private static float[][] means(float[][] points, int[] assignment, float[][] previous) {
        int k = previous.length;
        int dim = points[0].length;
        double[][] sums = new double[k][dim];
        int[] counts = new int[k];
        for (int p = 0; p < points.length; p++) {
            counts[assignment[p]]++;
            for (int d = 0; d < dim; d++) {
                sums[assignment[p]][d] += points[p][d];
            }
        }
        float[][] centres = new float[k][dim];
        for (int c = 0; c < k; c++) {
            if (counts[c] == 0) {
                centres[c] = points[farthest(points, assignment, previous)].clone();
                continue;
            }
            for (int d = 0; d < dim; d++) {
                centres[c][d] = (float) (sums[c][d] / counts[c]);
            }
        }
        return centres;
    }

    private static int farthest(float[][] points, int[] assignment, float[][] centres) {
        int best = 0;
        double bestDistance = -1;
        for (int p = 0; p < points.length; p++) {
            double d = distance(points[p], centres[assignment[p]]);
            if (d > bestDistance) {
                bestDistance = d;
                best = p;
            }
        }
        return best;
    }

    private static int nearest(float[][] centres, float[] point) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centres.length; c++) {
            double d = distance(point, centres[c]);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = a[i] - b[i];
            sum += diff * diff;
        }
        return sum;
    }
}
