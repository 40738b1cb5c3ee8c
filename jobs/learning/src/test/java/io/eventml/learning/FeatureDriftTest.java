package io.eventml.learning;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The population stability index of each feature against the serving version's reference. */
class FeatureDriftTest {
    private static final FeatureDrift.Settings SETTINGS = FeatureDrift.Settings.defaults();

    /** A bias, an in-store flag with the given share, and a count on a log scale. */
    private static double[] view(SplittableRandom r, double inStoreShare) {
        return new double[] {1, r.nextDouble() < inStoreShare ? 1 : 0, Math.log1p(r.nextInt(20))};
    }

    /** Feeds {@code blocks} full blocks of views; returns the shifts they raised. */
    private static List<FeatureDrift.Shift> feed(
            FeatureDrift d, SplittableRandom r, double inStoreShare, int blocks) {
        List<FeatureDrift.Shift> shifts = new ArrayList<>();
        for (int i = 0; i < blocks * SETTINGS.window(); i++) {
            shifts.addAll(d.observe(view(r, inStoreShare), SETTINGS));
        }
        return shifts;
    }

    /** A drift watch whose serving version learned last on one block of the given share. */
    private static FeatureDrift promotedOn(SplittableRandom r, double inStoreShare) {
        FeatureDrift d = FeatureDrift.of(3);
        assertThat(feed(d, r, inStoreShare, 1)).as("nothing to compare with yet").isEmpty();
        d.cut();
        d.decided(true);
        assertThat(d.reference.count).isEqualTo(SETTINGS.window());
        return d;
    }

    @Test
    void theSamePopulationNeverFiresAndScoresFarBelowTheThreshold() {
        SplittableRandom r = new SplittableRandom(1);
        FeatureDrift d = promotedOn(r, 0.15);
        double largest = 0;
        for (int block = 0; block < 50; block++) {
            assertThat(feed(d, r, 0.15, 1)).isEmpty();
            largest = Math.max(largest, d.lastMaxPsi);
        }
        // By chance about (BINS - 1) x (1/2000 + 1/2000) = 0.02; most bins are empty here.
        assertThat(largest).isPositive().isLessThan(0.03);
    }

    @Test
    void aShiftedShareFiresOnceOnThatFeatureWithItsMeansUntilANewReference() {
        SplittableRandom r = new SplittableRandom(2);
        FeatureDrift d = promotedOn(r, 0.15);

        List<FeatureDrift.Shift> shifts = feed(d, r, 0.45, 1);

        // Two bins hold the flag: PSI = (0.45 - 0.15) ln(0.45/0.15) + (0.55 - 0.85) ln(0.55/0.85).
        double expected = 0.30 * Math.log(3) - 0.30 * Math.log(0.55 / 0.85);
        assertThat(shifts).hasSize(1);
        FeatureDrift.Shift shift = shifts.get(0);
        assertThat(shift.feature()).isEqualTo(1);
        assertThat(shift.psi()).isCloseTo(expected, within(0.08));
        assertThat(shift.referenceMean()).isCloseTo(0.15, within(0.03));
        assertThat(shift.recentMean()).isCloseTo(0.45, within(0.03));
        assertThat(d.lastMaxFeature).isEqualTo(1);
        assertThat(feed(d, r, 0.45, 3)).as("once per reference").isEmpty();

        // A version that learned on the shifted world is the new reference: quiet again, until
        // the share moves once more.
        d.cut();
        d.decided(true);
        assertThat(feed(d, r, 0.45, 3)).isEmpty();
        assertThat(feed(d, r, 0.15, 1)).extracting(FeatureDrift.Shift::feature).containsExactly(1);
    }

    @Test
    void aFeatureBeyondTheSixtyFourthAlsoFiresOncePerReference() {
        // 70 features: the last one a flag whose share moves; the others constant.
        FeatureDrift d = FeatureDrift.of(70);
        SplittableRandom r = new SplittableRandom(4);
        double[] x = new double[70];
        for (int i = 0; i < SETTINGS.window(); i++) {
            x[69] = r.nextDouble() < 0.15 ? 1 : 0;
            d.observe(x, SETTINGS);
        }
        d.cut();
        d.decided(true);
        List<FeatureDrift.Shift> shifts = new ArrayList<>();
        for (int i = 0; i < 3 * SETTINGS.window(); i++) {
            x[69] = r.nextDouble() < 0.45 ? 1 : 0;
            shifts.addAll(d.observe(x, SETTINGS));
        }
        assertThat(shifts).extracting(FeatureDrift.Shift::feature).containsExactly(69);
        // A serving version found elsewhere has no known reference: nothing is compared.
        d.servingReplaced();
        for (int i = 0; i < SETTINGS.window(); i++) {
            x[69] = r.nextDouble() < 0.15 ? 1 : 0;
            assertThat(d.observe(x, SETTINGS)).isEmpty();
        }
    }

    @Test
    void aRejectedCandidateLeavesTheReferenceAsItWas() {
        SplittableRandom r = new SplittableRandom(3);
        FeatureDrift d = promotedOn(r, 0.15);
        feed(d, r, 0.45, 1);
        d.cut();
        d.decided(false);
        assertThat(d.reference.mean(1)).isCloseTo(0.15, within(0.03));
        assertThat(d.candidate.count).isZero();
    }

    @Test
    void valuesOnABinEdgeThatMoveALittleDoNotReadAsAShift() {
        // ln(1 + x) about 4 is 0.8 on the scale, the edge between bins 17 and 18: a reference
        // just below it and a block just above (a 1% move). Hard bins put the two in different
        // bins (PSI about 16); linear binning splits both about evenly.
        FeatureDrift d = FeatureDrift.of(1);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < SETTINGS.window(); i++) {
            d.observe(new double[] {3.96 + 0.04 * r.nextDouble()}, SETTINGS);
        }
        d.cut();
        d.decided(true);
        List<FeatureDrift.Shift> shifts = new ArrayList<>();
        for (int i = 0; i < SETTINGS.window(); i++) {
            shifts.addAll(d.observe(new double[] {4.0 + 0.04 * r.nextDouble()}, SETTINGS));
        }
        assertThat(shifts).isEmpty();
        assertThat(d.lastMaxPsi).isLessThan(0.01);

        // A real move of the same feature (footfall doubled, ln 9 to ln 19) still fires.
        for (int i = 0; i < SETTINGS.window(); i++) {
            shifts.addAll(d.observe(new double[] {Math.log1p(18 + r.nextDouble())}, SETTINGS));
        }
        assertThat(shifts).extracting(FeatureDrift.Shift::feature).containsExactly(0);
        assertThat(shifts.get(0).psi()).isGreaterThan(1);
    }

    @Test
    void aReferenceRestoredFromBeforeLinearBinningComparesWithNewBlocks() {
        // Until linear binning a view counted one in the bin of its value (the state layout is the
        // same): such a reference, restored, must not be compared with blocks counted now.
        SplittableRandom r = new SplittableRandom(6);
        FeatureDrift.Window old = FeatureDrift.Window.of(3);
        for (int i = 0; i < SETTINGS.window(); i++) {
            double[] x = view(r, 0.15);
            for (int f = 0; f < x.length; f++) {
                int hardBin = (int) Math.floor(FeatureDrift.position(x[f]) + 0.5);
                old.bins[f * FeatureDrift.BINS + hardBin]++;
                old.sums[f] += x[f];
            }
            old.count++;
        }
        FeatureDrift d = FeatureDrift.of(3);
        d.reference = old;
        // Compared with new blocks it would read the constant bias as shifted (PSI about 4): it
        // is dropped, and nothing is compared until the next promotion.
        assertThat(feed(d, r, 0.15, 3)).isEmpty();
        assertThat(d.reference.count).isZero();
        d.cut();
        d.decided(true);
        assertThat(feed(d, r, 0.15, 3)).isEmpty();
        assertThat(d.lastMaxPsi).isPositive().isLessThan(0.03);
        assertThat(feed(d, r, 0.45, 1)).extracting(FeatureDrift.Shift::feature).containsExactly(1);
    }

    @Test
    void theScaleCoversEveryValueInItsBins() {
        // Centres of bins: 0 at 0.0 on the scale is halfway between bins 9 and 10.
        assertThat(FeatureDrift.position(0)).isEqualTo(9.5);
        assertThat(FeatureDrift.position(1)).isEqualTo(14.5);
        assertThat(FeatureDrift.position(Double.POSITIVE_INFINITY))
                .isEqualTo(FeatureDrift.BINS - 1);
        assertThat(FeatureDrift.position(-1e300)).isZero();
        assertThat(FeatureDrift.position(Double.NaN)).isZero();
        FeatureDrift.Window one = FeatureDrift.Window.of(1);
        one.add(new double[] {1});
        assertThat(one.bins[14]).isEqualTo(FeatureDrift.WEIGHT / 2);
        assertThat(one.bins[15]).isEqualTo(FeatureDrift.WEIGHT / 2);
        // ln 5 is 0.617 on the scale, 15.67 in bins: a third to bin 15, two thirds to bin 16.
        FeatureDrift.Window lnFive = FeatureDrift.Window.of(1);
        lnFive.add(new double[] {Math.log1p(4)});
        assertThat(lnFive.bins[15]).isEqualTo(5);
        assertThat(lnFive.bins[16]).isEqualTo(11);
        assertThatThrownBy(() -> new FeatureDrift.Settings(0, 2_000))
                .hasMessageContaining("threshold above 0");
        assertThatThrownBy(() -> new FeatureDrift.Settings(0.25, 5))
                .hasMessageContaining("window of at least 20");
    }
}
