package io.eventml.ingestion;

import io.eventml.common.event.EventSource;
import io.eventml.common.serde.ReasonCode;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-source counters under the operator's metric group, as {@code eventml.source.<source>.<name>}
 * (Prometheus: label {@code source}); dead letters also per reason, {@code
 * eventml.source.<source>.reason.<code>.deadLetters}.
 */
final class IngestMetrics {
    static final String RECORDS_IN = "recordsIn";
    static final String CANONICAL_OUT = "canonicalOut";
    static final String DEAD_LETTERS = "deadLetters";
    static final String DUPLICATES = "duplicates";
    static final String LATE = "late";

    private final Map<EventSource, MetricGroup> groups = new EnumMap<>(EventSource.class);

    IngestMetrics(MetricGroup operatorGroup) {
        MetricGroup eventml = operatorGroup.addGroup("eventml");
        for (EventSource source : EventSource.values()) {
            groups.put(source, eventml.addGroup("source", source.name().toLowerCase(Locale.ROOT)));
        }
    }

    /** One counter per source. */
    Map<EventSource, Counter> counters(String name) {
        Map<EventSource, Counter> counters = new EnumMap<>(EventSource.class);
        groups.forEach((source, group) -> counters.put(source, group.counter(name)));
        return counters;
    }

    /** One counter per source and reason code, registered up front so dashboards see zeros. */
    Map<EventSource, Map<ReasonCode, Counter>> deadLettersByReason() {
        Map<EventSource, Map<ReasonCode, Counter>> counters = new EnumMap<>(EventSource.class);
        groups.forEach(
                (source, group) -> {
                    Map<ReasonCode, Counter> byReason = new EnumMap<>(ReasonCode.class);
                    for (ReasonCode reason : ReasonCode.values()) {
                        byReason.put(
                                reason,
                                group.addGroup("reason", reason.name()).counter(DEAD_LETTERS));
                    }
                    counters.put(source, byReason);
                });
        return counters;
    }
}
