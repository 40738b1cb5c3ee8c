package io.eventml.ingestion;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventSource;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.Map;

/**
 * Keyed by eventId: forwards the first event with an id and drops later ones for {@code ttl}
 * (processing time), counting them as duplicates. Events behind the watermark are forwarded and
 * counted as late.
 *
 * <p>State: one flag per seen id, expiring {@code ttl} after it was written. Expired entries are
 * never returned, are left out of full snapshots and are purged by RocksDB's compaction filter.
 */
public final class DeduplicateEvents
        extends KeyedProcessFunction<String, CanonicalEvent, CanonicalEvent> {
    private static final long serialVersionUID = 1L;

    private final Duration ttl;

    private transient ValueState<Boolean> seen;
    private transient Map<EventSource, Counter> duplicates;
    private transient Map<EventSource, Counter> late;

    public DeduplicateEvents(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException(
                    "the de-duplication TTL must be positive, got " + ttl);
        }
        this.ttl = ttl;
    }

    static ValueStateDescriptor<Boolean> seenDescriptor(Duration ttl) {
        ValueStateDescriptor<Boolean> descriptor =
                new ValueStateDescriptor<>("seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .updateTtlOnCreateAndWrite()
                        .neverReturnExpired()
                        .cleanupFullSnapshot()
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        return descriptor;
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getState(seenDescriptor(ttl));
        IngestMetrics metrics = new IngestMetrics(getRuntimeContext().getMetricGroup());
        duplicates = metrics.counters(IngestMetrics.DUPLICATES);
        late = metrics.counters(IngestMetrics.LATE);
    }

    @Override
    public void processElement(CanonicalEvent event, Context ctx, Collector<CanonicalEvent> out)
            throws Exception {
        if (seen.value() != null) {
            duplicates.get(event.source()).inc();
            return;
        }
        seen.update(Boolean.TRUE);
        Long timestamp = ctx.timestamp();
        if (timestamp != null && timestamp < ctx.timerService().currentWatermark()) {
            late.get(event.source()).inc();
        }
        out.collect(event);
    }
}
