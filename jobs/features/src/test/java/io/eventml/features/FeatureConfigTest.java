package io.eventml.features;

import io.eventml.common.config.JobArgs;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureConfigTest {

    private static FeatureConfig parse(String... args) {
        JobArgs a = JobArgs.parse("features", args);
        FeatureConfig config = FeatureConfig.fromArgs(a);
        a.finish();
        return config;
    }

    /**
     * The job as deployed (no arguments) runs with the settings the tests prove: a 10 s bound, a
     * minute of allowed lateness, and partitions that never count as idle. With an idleness
     * timeout, canonical partitions that fall silent unevenly (a paused ingestion, a broker
     * restart) let the watermark pass events still to come, and vectors miss them.
     */
    @Test
    void defaultsAreTheProductionSettingsTheTestsRunWith() {
        FeatureConfig c = parse();
        assertThat(c.source().outOfOrderness()).isEqualTo(FeatureConfig.DEFAULT_OUT_OF_ORDERNESS);
        assertThat(c.source().outOfOrderness()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.source().idleness())
                .as("a silent canonical partition holds the watermark back")
                .isZero()
                .isEqualTo(FeatureConfig.DEFAULT_IDLENESS);
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.source().groupId()).isEqualTo("eventml-features");
    }

    @Test
    void settingsAreArgumentsAndBadOnesSayWhatToGive() {
        FeatureConfig c = parse("--idleness", "30s", "--allowed-lateness", "5m");
        assertThat(c.source().idleness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> parse("--allowed-lateness", "2h"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowed-lateness");
    }
}
