package io.llmblender.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfidenceScalingTest {

    private static double[] softmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp((z[i] - max) / t);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void scale_isTheSoftmaxOfTheLogitsAtThatTemperature() {
        double[] z = {0.3, -0.1, 0.05};
        double[] p = softmax(z, 1);
        assertThat(ConfidenceScaling.scale(p, 0.2)).containsExactly(softmax(z, 0.2), within(1e-12));
        assertThat(ConfidenceScaling.scale(p, 4)).containsExactly(softmax(z, 4), within(1e-12));
        assertThat(ConfidenceScaling.scale(p, 1)).containsExactly(p);
        assertThat(ConfidenceScaling.confidence(p, 0.2)).isEqualTo(softmax(z, 0.2)[0], within(1e-12));
        assertThat(ConfidenceScaling.scale(new double[] {0.0, 0.25, 0.75}, 0.5))
                .containsExactly(new double[] {0, 0.1, 0.9}, within(1e-12));
    }

    /**
     * Outcomes drawn from a known temperature: a head whose logits are 4 times too flat (true T = 0.25) is found out,
     * and a head that is already calibrated keeps T near 1.
     */
    @Test
    void fit_recoversTheTemperatureTheOutcomesWereDrawnAt() {
        for (double truth : new double[] {0.25, 1.0, 3.0}) {
            Random random = new Random(7);
            int m = 4000;
            double[][] p = new double[m][];
            double[][] rewards = new double[m][];
            for (int q = 0; q < m; q++) {
                double[] z = {random.nextGaussian() * 0.5, random.nextGaussian() * 0.5, random.nextGaussian() * 0.5};
                p[q] = softmax(z, 1);
                double[] calibrated = softmax(z, truth);
                // the best LLM drawn from the calibrated distribution; reward 1 for it, 0 for the others
                double u = random.nextDouble();
                int best = 0;
                double acc = calibrated[0];
                while (u > acc && best < 2) {
                    best++;
                    acc += calibrated[best];
                }
                rewards[q] = new double[3];
                rewards[q][best] = 1;
            }
            assertThat(ConfidenceScaling.fit(p, rewards)).isCloseTo(truth, within(truth * 0.15));
        }
    }

    @Test
    void fit_tiesAmongTheBestCountAsRight_andUniformHeadsKeepOne() {
        double[][] p = {{0.4, 0.35, 0.25}, {0.2, 0.5, 0.3}, {0.34, 0.33, 0.33}};
        // every pick is a best LLM (ties included): surer than the head (mean 0.413), but by Platt's target
        // (3 + 1) / (3 + 2) = 0.8 not certain
        double[][] allRight = {{1, 1, 0}, {0, 1, 1}, {1, 0, 0}};
        double t = ConfidenceScaling.fit(p, allRight);
        assertThat(t).isLessThan(1);
        double mean = 0;
        for (double[] row : p) {
            double c = ConfidenceScaling.confidence(row, t);
            assertThat(c).isLessThan(0.99);
            mean += c / p.length;
        }
        assertThat(mean).isBetween(0.5, 0.9);
        // a uniform head: the likelihood does not depend on T
        double[][] uniform = {{1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.5, 0.5}};
        assertThat(ConfidenceScaling.fit(uniform, new double[][] {{1, 0, 0}, {0, 1}}))
                .isEqualTo(1.0);
    }

    @Test
    void summary_keepsAllUpTo1001_elseEvenlySpacedQuantiles() {
        assertThat(ConfidenceScaling.summary(new double[] {0.9, 0.5, 0.7})).containsExactly(0.5, 0.7, 0.9);
        double[] many = new double[5001];
        for (int i = 0; i < many.length; i++) {
            many[i] = (many.length - 1 - i) / 5000.0;
        }
        double[] s = ConfidenceScaling.summary(many);
        assertThat(s).hasSize(ConfidenceScaling.MAX_STORED_CONFIDENCES);
        assertThat(s[0]).isEqualTo(0.0);
        assertThat(s[500]).isEqualTo(0.5, within(1e-12));
        assertThat(s[1000]).isEqualTo(1.0);
    }
}
