package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.state.TimeBuffer;
import io.eventml.features.state.ItemState;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keyed by item. For each product view, emits the item's view and purchase counts as of the view's
 * time (from the events strictly before it), then applies the item's views and purchases to its
 * counters. Inputs are held until the watermark passes them and handled in event-time order; at
 * equal times views are scored before anything is applied. State is cleared 24 h 5 min after the
 * item's last event, when every window is empty.
 */
public final class ItemFeatureFunction
        extends KeyedProcessFunction<String, CanonicalEvent, PendingVector> {
    private static final long serialVersionUID = 1L;

    /** Longer than the 24 h window at one-hour granularity. */
    static final long RETENTION = 25 * Retention.HOUR;

    /** Scoring order at equal event time: views first, then by eventId. */
    static final Comparator<CanonicalEvent> ORDER =
            Comparator.comparing((CanonicalEvent e) -> e.type() != EventType.PRODUCT_VIEW)
                    .thenComparing(CanonicalEvent::eventId);

    private transient ValueState<ItemState> state;
    private transient TimeBuffer<CanonicalEvent> buffer;
    private transient Counter late;

    @Override
    public void open(OpenContext openContext) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "item", TypeInformation.of(ItemState.class)));
        buffer =
                new TimeBuffer<>(
                        getRuntimeContext(),
                        "held-events",
                        TypeInformation.of(CanonicalEvent.class));
        late = getRuntimeContext().getMetricGroup().addGroup("eventml").counter("lateEvents");
    }

    @Override
    public void processElement(CanonicalEvent event, Context ctx, Collector<PendingVector> out)
            throws Exception {
        if (!buffer.hold(event.eventTime(), event, ctx.timerService())) {
            late.inc();
            handle(new ArrayList<>(List.of(event)), ctx, out);
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<PendingVector> out)
            throws Exception {
        List<CanonicalEvent> due = buffer.release(time);
        if (!due.isEmpty()) {
            handle(new ArrayList<>(due), ctx, out);
        }
        if (Retention.isCleanupTime(time, ctx.timerService())) {
            ItemState item = state.value();
            if (item != null && time >= item.lastEventTime + RETENTION) {
                state.clear();
            }
        }
    }

    private void handle(List<CanonicalEvent> events, Context ctx, Collector<PendingVector> out)
            throws Exception {
        events.sort(ORDER);
        ItemState item = state.value();
        if (item == null) {
            item = new ItemState();
        }
        for (CanonicalEvent e : events) {
            if (e.type() == EventType.PRODUCT_VIEW) {
                long t = e.eventTime();
                out.collect(
                        new PendingVector(
                                e,
                                item.lastHour(t, ItemState.VIEWS),
                                item.lastDay(t, ItemState.VIEWS),
                                item.lastHour(t, ItemState.PURCHASES),
                                item.lastDay(t, ItemState.PURCHASES),
                                0));
            }
        }
        for (CanonicalEvent e : events) {
            if (e.type() == EventType.PRODUCT_VIEW) {
                item.add(e.eventTime(), ItemState.VIEWS);
            } else if (e.type() == EventType.PURCHASE) {
                item.add(e.eventTime(), ItemState.PURCHASES);
            }
            item.lastEventTime = Math.max(item.lastEventTime, e.eventTime());
        }
        state.update(item);
        Retention.scheduleCleanup(ctx.timerService(), item.lastEventTime, RETENTION);
    }
}
