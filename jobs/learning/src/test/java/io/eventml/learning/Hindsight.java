package io.eventml.learning;

import io.eventml.common.ml.TrainingExample;

import java.util.List;

/**
 * A logistic regression fitted in hindsight on a whole set of examples, by Newton's method with a
 * small L2 penalty (so that features that never vary, like unused hash buckets, keep weight 0): the
 * best a linear model of the features could have done on them, a reference for what was served.
 */
final class Hindsight {
    private static final double L2 = 1.0;
    private static final int MAX_ITERATIONS = 50;

    private Hindsight() {}

    /** The weights minimising the examples' total log loss plus {@code L2 / 2 * |w|^2}. */
    static double[] fit(List<TrainingExample> examples) {
        int d = examples.get(0).features().values().size();
        double[] w = new double[d];
        double previous = Double.MAX_VALUE;
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] gradient = new double[d];
            double[][] hessian = new double[d][d];
            double loss = 0;
            for (TrainingExample e : examples) {
                double[] x = e.features().values().values;
                double p = probability(w, x);
                double y = e.label() ? 1 : 0;
                loss -= y == 1 ? Math.log(Math.max(p, 1e-15)) : Math.log(Math.max(1 - p, 1e-15));
                double g = p - y;
                double h = p * (1 - p);
                for (int i = 0; i < d; i++) {
                    if (x[i] == 0) {
                        continue;
                    }
                    gradient[i] += g * x[i];
                    for (int j = 0; j <= i; j++) {
                        hessian[i][j] += h * x[i] * x[j];
                    }
                }
            }
            for (int i = 0; i < d; i++) {
                loss += L2 / 2 * w[i] * w[i];
                gradient[i] += L2 * w[i];
                hessian[i][i] += L2;
                for (int j = 0; j < i; j++) {
                    hessian[j][i] = hessian[i][j];
                }
            }
            double[] step = solve(hessian, gradient);
            for (int i = 0; i < d; i++) {
                w[i] -= step[i];
            }
            if (previous - loss < 1e-9 * Math.abs(loss)) {
                break;
            }
            previous = loss;
        }
        return w;
    }

    static double probability(double[] w, double[] x) {
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
            dot += w[i] * x[i];
        }
        return FtrlProximal.sigmoid(dot);
    }

    /** {@code a^-1 b} for a symmetric positive definite {@code a}, by Cholesky. */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                l[i][j] = i == j ? Math.sqrt(sum) : sum / l[j][j];
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = b[i];
            for (int k = 0; k < i; k++) {
                sum -= l[i][k] * y[k];
            }
            y[i] = sum / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double sum = y[i];
            for (int k = i + 1; k < n; k++) {
                sum -= l[k][i] * x[k];
            }
            x[i] = sum / l[i][i];
        }
        return x;
    }
}
