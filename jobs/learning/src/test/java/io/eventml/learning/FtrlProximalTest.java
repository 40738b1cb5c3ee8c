package io.eventml.learning;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FtrlProximalTest {

    @Test
    void oneUpdateMatchesTheHandComputedAccumulatorsAndWeights() {
        FtrlProximal ftrl = new FtrlProximal(0.1, 1.0, 0.0, 0.0);
        FtrlProximal.State s = new FtrlProximal.State(3);

        // w = 0, so p = 0.5; x = (1, 2, 0), y = 1: g = (-0.5, -1, 0), sigma = |g| / alpha, w = 0 so
        // z = g.
        double p = ftrl.learn(s, new double[] {1, 2, 0}, true);
        assertThat(p).isEqualTo(0.5);
        assertThat(s.z).containsExactly(-0.5, -1.0, 0.0);
        assertThat(s.n).containsExactly(0.25, 1.0, 0.0);
        assertThat(s.examples).isEqualTo(1);
        // w_i = -z_i / ((beta + sqrt(n_i)) / alpha): 0.5 / 15 and 1 / 20; an unseen feature stays
        // 0.
        assertThat(ftrl.weight(s, 0)).isCloseTo(0.5 / 15, within(1e-15));
        assertThat(ftrl.weight(s, 1)).isCloseTo(1.0 / 20, within(1e-15));
        assertThat(ftrl.weight(s, 2)).isZero();

        // Second example, x = (1, 0, 0), y = 0: p = sigmoid(1/30); g = p; sigma = (sqrt(0.25 + p^2)
        // - 0.5) / 0.1.
        double w0 = 0.5 / 15;
        double p2 = ftrl.learn(s, new double[] {1, 0, 0}, false);
        double expectedP = 1 / (1 + Math.exp(-w0));
        assertThat(p2).isCloseTo(expectedP, within(1e-15));
        double sigma = (Math.sqrt(0.25 + expectedP * expectedP) - 0.5) / 0.1;
        assertThat(s.z[0]).isCloseTo(-0.5 + expectedP - sigma * w0, within(1e-15));
        assertThat(s.n[0]).isCloseTo(0.25 + expectedP * expectedP, within(1e-15));
        assertThat(s.z[1]).isEqualTo(-1.0);
    }

    @Test
    void l1KeepsSmallAccumulatorsAtZeroAndL2ShrinksTheRest() {
        FtrlProximal.State s = new FtrlProximal.State(2);
        s.z = new double[] {-0.5, -1.0};
        s.n = new double[] {0.25, 1.0};
        FtrlProximal sparse = new FtrlProximal(0.1, 1.0, 0.6, 0.0);
        assertThat(sparse.weight(s, 0)).isZero();
        assertThat(sparse.weight(s, 1)).isCloseTo(0.4 / 20, within(1e-15));
        FtrlProximal ridge = new FtrlProximal(0.1, 1.0, 0.0, 5.0);
        assertThat(ridge.weight(s, 1)).isCloseTo(1.0 / (20 + 5), within(1e-15));
    }

    @Test
    void onAStreamFromKnownWeightsItsProgressiveLogLossApproachesTheTrueModels() {
        double[] trueWeights = {-2.0, 1.5, -1.0, 0.8, 0.0, 0.0, 2.0, -0.5, 0.3, 0.0, 1.0};
        SplittableRandom random = new SplittableRandom(7);
        FtrlProximal ftrl = new FtrlProximal(0.1, 1.0, 0.1, 0.1);
        FtrlProximal.State s = new FtrlProximal.State(trueWeights.length);
        int total = 200_000;
        int tail = 50_000;
        double modelLoss = 0;
        double trueLoss = 0;
        for (int k = 0; k < total; k++) {
            double[] x = new double[trueWeights.length];
            x[0] = 1; // bias
            for (int i = 1; i < x.length; i++) {
                x[i] = random.nextDouble() < 0.5 ? 0 : random.nextGaussian();
            }
            double pTrue = FtrlProximal.sigmoid(dot(trueWeights, x));
            boolean y = random.nextDouble() < pTrue;
            double p = ftrl.learn(s, x, y);
            if (k >= total - tail) {
                modelLoss += logLoss(p, y);
                trueLoss += logLoss(pTrue, y);
            }
        }
        modelLoss /= tail;
        trueLoss /= tail;
        // Within 0.005 nats of the model that generated the data (about 1% of its loss here).
        assertThat(modelLoss - trueLoss).isLessThan(0.005);
        double[] w = ftrl.weights(s);
        for (int i = 0; i < w.length; i++) {
            assertThat(w[i]).as("weight %d", i).isCloseTo(trueWeights[i], within(0.15));
        }
    }

    @Test
    void badParametersAndMismatchedExamplesAreRefused() {
        assertThatThrownBy(() -> new FtrlProximal(0, 1, 0, 0))
                .hasMessageContaining("alpha must be positive");
        assertThatThrownBy(() -> new FtrlProximal(0.1, 1, -1, 0))
                .hasMessageContaining("must not be negative");
        FtrlProximal.State s = new FtrlProximal.State(3);
        assertThatThrownBy(() -> FtrlProximal.defaults().learn(s, new double[2], true))
                .hasMessage("example has 2 features, the model 3");
    }

    private static double dot(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
        }
        return d;
    }

    private static double logLoss(double p, boolean y) {
        double q = Math.min(1 - 1e-15, Math.max(1e-15, p));
        return y ? -Math.log(q) : -Math.log(1 - q);
    }

    /**
     * Fake-negative weighting learns the true probabilities from a stream where every view comes as
     * a negative and each converted one again, later, as a positive; the same stream learned
     * plainly learns p / (1 + p), which is what that stream's labels say.
     */
    @Test
    void fakeNegativeWeightingLearnsTheTrueProbabilitiesFromAStreamWithFakeNegatives() {
        double[] trueWeights = {-0.8, 1.0, -0.6, 0.4};
        SplittableRandom random = new SplittableRandom(11);
        FtrlProximal ftrl = new FtrlProximal(0.05, 1.0, 0.0, 0.0);
        FtrlProximal.State weighted = new FtrlProximal.State(trueWeights.length);
        FtrlProximal.State plain = new FtrlProximal.State(trueWeights.length);
        java.util.ArrayDeque<double[]> converted = new java.util.ArrayDeque<>();
        int n = 300_000;
        double[][] test = new double[20_000][];
        for (int k = 0; k < n + test.length; k++) {
            double[] x = new double[trueWeights.length];
            x[0] = 1;
            for (int i = 1; i < x.length; i++) {
                x[i] = random.nextGaussian();
            }
            if (k >= n) {
                test[k - n] = x;
                continue;
            }
            boolean positive = random.nextDouble() < FtrlProximal.sigmoid(dot(trueWeights, x));
            ftrl.learnFakeNegativeWeighted(weighted, x, false);
            ftrl.learn(plain, x, false);
            if (positive) {
                converted.add(x);
            }
            // Conversions arrive a while after their views.
            if (converted.size() > 20 || (!converted.isEmpty() && random.nextInt(10) == 0)) {
                double[] c = converted.poll();
                ftrl.learnFakeNegativeWeighted(weighted, c, true);
                ftrl.learn(plain, c, true);
            }
        }
        double truth = 0;
        double fnw = 0;
        double unweighted = 0;
        double observed = 0;
        for (double[] x : test) {
            double p = FtrlProximal.sigmoid(dot(trueWeights, x));
            truth += p;
            observed += p / (1 + p);
            fnw += ftrl.predict(weighted, x);
            unweighted += ftrl.predict(plain, x);
        }
        truth /= test.length;
        observed /= test.length;
        fnw /= test.length;
        unweighted /= test.length;
        assertThat(fnw).as("mean prediction, weighted").isCloseTo(truth, within(0.01));
        assertThat(unweighted).as("mean prediction, plain").isCloseTo(observed, within(0.01));
        assertThat(truth - observed).as("the bias fake negatives cause").isGreaterThan(0.04);
        double[] w = ftrl.weights(weighted);
        for (int i = 0; i < w.length; i++) {
            assertThat(w[i]).as("weight %d", i).isCloseTo(trueWeights[i], within(0.1));
        }
    }

    @Test
    void theFakeNegativeWeightsAreOnePlusPForPositivesAndOneMinusPSquaredForNegatives() {
        assertThat(FtrlProximal.fakeNegativeWeight(0.2, true)).isCloseTo(1.2, within(1e-15));
        assertThat(FtrlProximal.fakeNegativeWeight(0.2, false)).isCloseTo(0.96, within(1e-15));
        // The first step of a weighted negative at p = 0.5 is 0.75 of the plain one.
        FtrlProximal ftrl = new FtrlProximal(0.1, 1.0, 0.0, 0.0);
        FtrlProximal.State weighted = new FtrlProximal.State(1);
        FtrlProximal.State plain = new FtrlProximal.State(1);
        ftrl.learnFakeNegativeWeighted(weighted, new double[] {1}, false);
        ftrl.learn(plain, new double[] {1}, false);
        assertThat(weighted.n[0]).isCloseTo(0.75 * 0.75 * plain.n[0], within(1e-15));
        assertThat(weighted.examples).isEqualTo(1);
    }
}
