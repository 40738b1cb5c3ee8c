package io.eventml.ingestion;

import io.eventml.common.event.CanonicalEvent;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Emits canonical events in event-time order: each event waits until the watermark passes it, then
 * leaves with every other event up to the watermark, oldest first (ties in arrival order). An event
 * that arrives behind the watermark leaves at once and is counted in {@code lateEvents}.
 *
 * <p>When every input is idle the events held are written at once (see {@link
 * #processWatermarkStatus}).
 *
 * <p>Before the sink, this turns each {@code events.canonical} partition (one writer per partition,
 * see {@link CanonicalPartitions}) into an event-time ordered log up to the watermark, whatever
 * order the raw topics were read in: a catch-up that reads one raw topic ahead of the others, or
 * two sources at different speeds, no longer shows up downstream as disorder. The held events live
 * on the heap and in operator state (checkpointed as a list); how many there are is bounded by the
 * watermark's out-of-orderness and by the source's watermark alignment (docs/ingestion.md).
 */
final class EventTimeOrder extends AbstractStreamOperator<CanonicalEvent>
        implements OneInputStreamOperator<CanonicalEvent, CanonicalEvent> {
    private static final long serialVersionUID = 1L;

    /** An event waiting, with its arrival number for a stable order at equal times. */
    private record Held(CanonicalEvent event, long arrival) {}

    private static final Comparator<Held> ORDER =
            Comparator.comparingLong((Held h) -> h.event().eventTime())
                    .thenComparingLong(Held::arrival);

    private transient PriorityQueue<Held> held;
    private transient ListState<CanonicalEvent> checkpointed;
    private transient long arrivals;
    private transient long watermark;
    private transient Counter late;

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        held = new PriorityQueue<>(ORDER);
        watermark = Long.MIN_VALUE;
        checkpointed =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "held-events", TypeInformation.of(CanonicalEvent.class)));
        for (CanonicalEvent e : checkpointed.get()) {
            held.add(new Held(e, arrivals++));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        var metrics = getMetricGroup().addGroup("eventml");
        late = metrics.counter("lateEvents");
        metrics.gauge("heldEvents", (Gauge<Integer>) () -> held.size());
    }

    @Override
    public void processElement(StreamRecord<CanonicalEvent> element) {
        CanonicalEvent event = element.getValue();
        if (event.eventTime() <= watermark) {
            late.inc();
            output.collect(element.replace(event, event.eventTime()));
        } else {
            held.add(new Held(event, arrivals++));
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        StreamRecord<CanonicalEvent> record = new StreamRecord<>(null);
        while (!held.isEmpty() && held.peek().event().eventTime() <= watermark) {
            CanonicalEvent e = held.poll().event();
            output.collect(record.replace(e, e.eventTime()));
        }
        super.processWatermark(mark);
    }

    /**
     * When every input has been idle for the source's idleness timeout (the raw topics fell silent:
     * the generator stopped, a quiet night), the watermark will not move until records come again,
     * so the events held are written now, in order. Anything that arrives later comes out after
     * them, which is what a record later than the idleness timeout is.
     */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (status.isIdle()) {
            StreamRecord<CanonicalEvent> record = new StreamRecord<>(null);
            while (!held.isEmpty()) {
                CanonicalEvent e = held.poll().event();
                output.collect(record.replace(e, e.eventTime()));
            }
        }
        super.processWatermarkStatus(status);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<CanonicalEvent> events = new ArrayList<>(held.size());
        for (Held h : held) {
            events.add(h.event());
        }
        checkpointed.update(events);
    }
}
