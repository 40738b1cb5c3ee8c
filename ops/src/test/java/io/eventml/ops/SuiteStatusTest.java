package io.eventml.ops;

import io.eventml.common.ml.DriftAlarm;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code eventml.sh status} says of drift alarms. */
class SuiteStatusTest {

    private static DriftAlarm alarm(String detector, String feature, long at, long version) {
        return new DriftAlarm(
                "purchase-propensity",
                detector,
                version,
                2_000,
                0.4 + at / 1e6,
                0.25,
                0.1,
                0.2,
                2_000,
                at - 60_000,
                at,
                feature);
    }

    @Test
    void saysSoWhenNoAlarmWasRaised() {
        assertThat(SuiteStatus.driftLines(List.of(), 5))
                .containsExactly("Drift: no alarm on ml.drift");
    }

    @Test
    void showsTheNewestAlarmsInTheOrderTheyFiredWithTheirFeatureAndFigures() {
        List<DriftAlarm> alarms = new ArrayList<>();
        // Read in topic order, which is not the order they fired in across detectors.
        for (long i = 7; i >= 1; i--) {
            alarms.add(alarm("population-stability-index", "in_store", i * 1_000, 100 + i));
        }
        alarms.add(alarm("page-hinkley-served-log-loss", null, 7_500, 108));

        List<String> lines = SuiteStatus.driftLines(alarms, 3);

        assertThat(lines)
                .containsExactly(
                        "Drift: 8 alarm(s) among the last records of ml.drift, the newest 3:",
                        "  "
                                + Instant.ofEpochMilli(6_000)
                                + "  population-stability-index on in_store: 0.406 >= 0.250,"
                                + " serving version 106 (event time "
                                + Instant.ofEpochMilli(6_000 - 60_000)
                                + ")",
                        "  "
                                + Instant.ofEpochMilli(7_000)
                                + "  population-stability-index on in_store: 0.407 >= 0.250,"
                                + " serving version 107 (event time "
                                + Instant.ofEpochMilli(7_000 - 60_000)
                                + ")",
                        "  "
                                + Instant.ofEpochMilli(7_500)
                                + "  page-hinkley-served-log-loss: 0.408 >= 0.250, serving"
                                + " version 108 (event time "
                                + Instant.ofEpochMilli(7_500 - 60_000)
                                + ")");
    }
}
