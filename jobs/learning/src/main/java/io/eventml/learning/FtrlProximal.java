package io.eventml.learning;

import java.io.Serializable;

/**
 * Logistic regression trained one example at a time with FTRL-Proximal (McMahan et al., "Ad Click
 * Prediction: a View from the Trenches", KDD 2013, Algorithm 1), on dense feature vectors.
 *
 * <p>The per-coordinate accumulators {@code z} and {@code n} are the whole model state; weights are
 * derived from them: {@code w_i = 0} if {@code |z_i| <= l1}, else {@code -(z_i - sign(z_i) l1) /
 * ((beta + sqrt(n_i)) / alpha + l2)}. The state lives in a {@link State} object that the Flink
 * operator keeps in its state backend, so the trainer survives failover and savepoints.
 *
 * @param alpha learning rate scale
 * @param beta learning rate smoothing
 * @param l1 L1 regularisation (sparsity)
 * @param l2 L2 regularisation
 */
public record FtrlProximal(double alpha, double beta, double l1, double l2)
        implements Serializable {

    public FtrlProximal {
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("FTRL alpha must be positive, got " + alpha);
        }
        if (beta < 0 || l1 < 0 || l2 < 0) {
            throw new IllegalArgumentException("FTRL beta, l1 and l2 must not be negative");
        }
    }

    /** The defaults: alpha 0.05, beta 1, L1 0.5, L2 1 (a reasonable start for ~40 features). */
    public static FtrlProximal defaults() {
        return new FtrlProximal(0.05, 1.0, 0.5, 1.0);
    }

    /**
     * The model state: FTRL's per-coordinate accumulators and the number of examples learned. A
     * Flink POJO.
     */
    public static class State {
        public double[] z;
        public double[] n;
        public long examples;

        public State() {}

        public State(int dimensions) {
            z = new double[dimensions];
            n = new double[dimensions];
        }
    }

    /** The weight of coordinate {@code i}. */
    public double weight(State s, int i) {
        double zi = s.z[i];
        if (Math.abs(zi) <= l1) {
            return 0.0;
        }
        return -(zi - Math.signum(zi) * l1) / ((beta + Math.sqrt(s.n[i])) / alpha + l2);
    }

    /** All weights, for publishing the model. */
    public double[] weights(State s) {
        double[] w = new double[s.z.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = weight(s, i);
        }
        return w;
    }

    /** P(y = 1 | x) under the current weights. */
    public double predict(State s, double[] x) {
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != 0) {
                dot += weight(s, i) * x[i];
            }
        }
        return sigmoid(dot);
    }

    /**
     * Learns one example and returns the prediction made for it <em>before</em> learning it
     * (progressive validation).
     */
    public double learn(State s, double[] x, boolean label) {
        return learn(s, x, label, false);
    }

    /**
     * Learns one example of a stream with fake negatives (Ktena et al., "Addressing Delayed
     * Feedback for Continuous Training with Neural Networks in CTR Prediction", RecSys 2019,
     * section 3.3): every view comes once as a negative when it is seen, and a converted view comes
     * again as a positive when its conversion is. In that stream a view of true probability {@code
     * p} is positive with probability {@code p / (1 + p)}; weighting positives by {@code 1 + p} and
     * negatives by {@code (1 - p)(1 + p)} makes the expected gradient that of the true labels.
     * {@code p} is the model's own prediction, held constant in the gradient. Returns the
     * prediction made before learning.
     */
    public double learnFakeNegativeWeighted(State s, double[] x, boolean label) {
        return learn(s, x, label, true);
    }

    /** The fake-negative weight of an example predicted {@code p}. */
    static double fakeNegativeWeight(double p, boolean label) {
        return label ? 1 + p : (1 - p) * (1 + p);
    }

    private double learn(State s, double[] x, boolean label, boolean fakeNegativeWeighted) {
        if (x.length != s.z.length) {
            throw new IllegalArgumentException(
                    "example has " + x.length + " features, the model " + s.z.length);
        }
        double[] w = new double[x.length];
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != 0) {
                w[i] = weight(s, i);
                dot += w[i] * x[i];
            }
        }
        double p = sigmoid(dot);
        double y = label ? 1.0 : 0.0;
        double scale = fakeNegativeWeighted ? fakeNegativeWeight(p, label) : 1.0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != 0) {
                double g = scale * (p - y) * x[i];
                double sigma = (Math.sqrt(s.n[i] + g * g) - Math.sqrt(s.n[i])) / alpha;
                s.z[i] += g - sigma * w[i];
                s.n[i] += g * g;
            }
        }
        s.examples++;
        return p;
    }

    static double sigmoid(double z) {
        // Numerically stable for large |z|.
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }
}
