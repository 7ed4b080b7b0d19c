package io.llmblender.core.rank;

import java.util.List;

/** Ridge logistic regression without intercept by Newton's method, for {@link Rankers#fitWeights}. */
final class LogisticFit {

    private LogisticFit() {}

    static double[] fit(List<double[]> xs, List<Boolean> ys, int k, double l2) {
        double[] w = new double[k];
        int n = xs.size();
        for (int iter = 0; iter < 100; iter++) {
            double[] grad = new double[k];
            double[][] hess = new double[k][k];
            for (int r = 0; r < n; r++) {
                double[] x = xs.get(r);
                double z = 0;
                for (int c = 0; c < k; c++) {
                    z += w[c] * x[c];
                }
                double p = 1.0 / (1.0 + Math.exp(-z));
                double y = ys.get(r) ? 1.0 : 0.0;
                double pq = p * (1 - p);
                for (int a = 0; a < k; a++) {
                    grad[a] += (p - y) * x[a] / n;
                    for (int b = 0; b < k; b++) {
                        hess[a][b] += pq * x[a] * x[b] / n;
                    }
                }
            }
            for (int a = 0; a < k; a++) {
                grad[a] += l2 * w[a];
                hess[a][a] += l2 + 1e-12;
            }
            double[] step = solve(hess, grad);
            double norm = 0;
            for (int a = 0; a < k; a++) {
                w[a] -= step[a];
                norm = Math.max(norm, Math.abs(step[a]));
            }
            if (norm < 1e-9) {
                break;
            }
        }
        return w;
    }

    /** Solves {@code A x = b} by Gaussian elimination with partial pivoting; A is copied. */
    static double[] solve(double[][] a0, double[] b0) {
        int k = b0.length;
        double[][] a = new double[k][];
        for (int i = 0; i < k; i++) {
            a[i] = a0[i].clone();
        }
        double[] b = b0.clone();
        for (int col = 0; col < k; col++) {
            int piv = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
                    piv = r;
                }
            }
            double[] t = a[col];
            a[col] = a[piv];
            a[piv] = t;
            double tb = b[col];
            b[col] = b[piv];
            b[piv] = tb;
            double d = a[col][col];
            if (Math.abs(d) < 1e-300) {
                continue;
            }
            for (int r = col + 1; r < k; r++) {
                double f = a[r][col] / d;
                for (int c = col; c < k; c++) {
                    a[r][c] -= f * a[col][c];
                }
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            double s = b[i];
            for (int c = i + 1; c < k; c++) {
                s -= a[i][c] * x[c];
            }
            x[i] = Math.abs(a[i][i]) < 1e-300 ? 0 : s / a[i][i];
        }
        return x;
    }
}
