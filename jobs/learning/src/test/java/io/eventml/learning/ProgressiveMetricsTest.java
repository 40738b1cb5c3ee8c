package io.eventml.learning;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ProgressiveMetricsTest {

    @Test
    void perfectSeparationIsAucOneAndRandomScoresAreAboutAHalf() {
        ProgressiveMetrics perfect = new ProgressiveMetrics();
        for (int i = 0; i < 500; i++) {
            perfect.add(0.9, true);
            perfect.add(0.1, false);
        }
        assertThat(perfect.auc()).isEqualTo(1.0);
        assertThat(perfect.positiveRate()).isEqualTo(0.5);
        assertThat(perfect.logLoss()).isCloseTo(-Math.log(0.9), within(1e-12));

        ProgressiveMetrics random = new ProgressiveMetrics();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            random.add(r.nextDouble(), r.nextDouble() < 0.3);
        }
        assertThat(random.auc()).isCloseTo(0.5, within(0.02));
        assertThat(random.positiveRate()).isCloseTo(0.3, within(0.02));
    }

    @Test
    void matchesTheExactAucOfScoresThatFallInDistinctBins() {
        ProgressiveMetrics m = new ProgressiveMetrics();
        // Positives at 0.85 and 0.45, negatives at 0.65 and 0.05: of 4 pairs, 3 are ordered right.
        m.add(0.85, true);
        m.add(0.45, true);
        m.add(0.65, false);
        m.add(0.05, false);
        assertThat(m.auc()).isEqualTo(0.75);
        assertThat(new ProgressiveMetrics().auc()).isNaN();
    }

    @Test
    void theWindowForgetsChunksOlderThanItsLength() {
        ProgressiveMetrics m = new ProgressiveMetrics();
        for (int i = 0; i < ProgressiveMetrics.CHUNK * ProgressiveMetrics.CHUNKS; i++) {
            m.add(0.9, true); // an old, all-positive regime
        }
        for (int i = 0; i < ProgressiveMetrics.CHUNK * ProgressiveMetrics.CHUNKS; i++) {
            m.add(0.2, i % 2 == 0);
        }
        assertThat(m.windowCount()).isEqualTo(ProgressiveMetrics.CHUNK * ProgressiveMetrics.CHUNKS);
        assertThat(m.positiveRate()).isEqualTo(0.5);
    }
}
