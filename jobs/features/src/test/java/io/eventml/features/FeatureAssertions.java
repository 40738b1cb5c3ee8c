package io.eventml.features;

import io.eventml.common.features.FeatureSpec;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Vector comparisons with a message that names the feature. */
final class FeatureAssertions {
    private FeatureAssertions() {}

    /**
     * Asserts that {@code actual} equals {@code expected} in every position, to 1e-9: counts, flags
     * and times agree exactly, sums of money and sentiment may differ in their last bits (a
     * floating-point sum depends on the order of its terms).
     */
    static void assertSameVector(String what, double[] actual, double[] expected) {
        assertThat(actual).as(what).hasSize(FeatureSpec.SIZE);
        List<String> names = FeatureSpec.names();
        for (int i = 0; i < FeatureSpec.SIZE; i++) {
            assertThat(actual[i])
                    .as("%s: %s", what, names.get(i))
                    .isCloseTo(expected[i], within(1e-9));
        }
    }
}
