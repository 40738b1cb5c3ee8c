package io.eventml.ingestion;

import io.eventml.common.event.EventSource;
import io.eventml.common.serde.ReasonCode;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Per-source counters under the operator's metric group, as {@code eventml.source.<source>.<name>}
 * (Prometheus: label {@code source}); dead letters also per reason, {@code
 * eventml.source.<source>.reason.<code>.deadLetters}; optional descriptive fields dropped or cut
 * per field, {@code eventml.source.<source>.field.<field>.repaired}.
 */
final class IngestMetrics {
    static final String RECORDS_IN = "recordsIn";
    static final String CANONICAL_OUT = "canonicalOut";
    static final String DEAD_LETTERS = "deadLetters";
    static final String DUPLICATES = "duplicates";
    static final String LATE = "late";
    static final String REPAIRED = "repaired";

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

    /**
     * Counts the optional descriptive fields dropped or cut, per source and field, as {@code
     * eventml.source.<source>.field.<field>.repaired}; registered when a field is first repaired.
     */
    BiConsumer<EventSource, String> repairedFields() {
        Map<EventSource, Map<String, Counter>> counters = new EnumMap<>(EventSource.class);
        return (source, field) ->
                counters.computeIfAbsent(source, s -> new HashMap<>())
                        .computeIfAbsent(
                                field,
                                f -> groups.get(source).addGroup("field", f).counter(REPAIRED))
                        .inc();
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
