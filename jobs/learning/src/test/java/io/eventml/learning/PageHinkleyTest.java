package io.eventml.learning;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PageHinkleyTest {

    /**
     * The drift test's input (log loss over the base rate's) for a calibrated model (positive rate
     * about 0.22) until {@code shiftAt}; from then on, as in the generator's shifted world, the
     * truth is half of what the model predicts, and an eighth in 15% of the views (the in-store
     * ones).
     */
    private static double[] losses(int n, int shiftAt, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ExcessLogLoss excess = new ExcessLogLoss();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double p = 0.02 + 0.7 * Math.pow(r.nextDouble(), 2.5);
            boolean inStore = r.nextDouble() < 0.15;
            double truth = i < shiftAt ? p : inStore ? p / 8 : p / 2;
            out[i] = excess.next(p, r.nextDouble() < truth, PageHinkley.DEFAULT_WINDOW);
        }
        return out;
    }

    @Test
    void withTheDefaultsAStationaryLossStreamRaisesNoAlarm() {
        for (long seed = 1; seed <= 3; seed++) {
            PageHinkley test = new PageHinkley();
            int alarms = 0;
            for (double x : losses(300_000, Integer.MAX_VALUE, seed)) {
                if (test.add(x, PageHinkley.Settings.defaults())) {
                    alarms++;
                    test.reset();
                }
            }
            assertThat(alarms).as("false alarms, seed %d", seed).isZero();
        }
    }

    @Test
    void withTheDefaultsARiseOfTheLossIsFoundWithinAFewThousandOutcomes() {
        int shiftAt = 50_000;
        double[] x = losses(100_000, shiftAt, 4);
        PageHinkley test = new PageHinkley();
        int firedAt = -1;
        for (int i = 0; i < x.length && firedAt < 0; i++) {
            if (test.add(x[i], PageHinkley.Settings.defaults())) {
                firedAt = i;
            }
        }
        assertThat(firedAt).as("fired at").isBetween(shiftAt, shiftAt + 15_000);
        // What it reports: the loss since its low point against the mean before.
        assertThat(test.recentMean()).isGreaterThan(test.mean);
    }

    @Test
    void aFallingLossNeverFiresAndTheTestStartsAgainAfterAnAlarm() {
        PageHinkley.Settings settings = new PageHinkley.Settings(0.005, 5, 100);
        PageHinkley test = new PageHinkley();
        for (int i = 0; i < 10_000; i++) {
            assertThat(test.add(1.0 - i / 20_000.0, settings)).isFalse();
        }
        // A jump of 1 per value: the sum passes 5 within a few values once 100 are seen.
        test.reset();
        for (int i = 0; i < 100; i++) {
            assertThat(test.add(0.2, settings)).isFalse();
        }
        int fired = 0;
        for (int i = 0; i < 10 && fired == 0; i++) {
            if (test.add(1.2, settings)) {
                fired = i + 1;
            }
        }
        assertThat(fired).isBetween(5, 7);
        assertThat(test.statistic()).isGreaterThan(5);
        assertThat(test.recentMean()).isCloseTo(1.2, within(1e-12));
        test.reset();
        assertThat(test.seen).isZero();
        assertThat(test.statistic()).isZero();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new PageHinkley.Settings(-1, 50, 10))
                .hasMessageContaining("delta >= 0");
        assertThatThrownBy(() -> new PageHinkley.Settings(0.005, 0, 10))
                .hasMessageContaining("threshold > 0");
    }
}
