package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.state.CachedListState;
import io.eventml.common.state.CachedValueState;
import io.eventml.common.state.SlotStates;
import io.eventml.common.state.StateCaches;
import io.eventml.features.state.ItemState;
import io.eventml.features.state.TimedValue;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keyed by item. For each product view, emits the item's view and purchase counts as of the view's
 * time, from the item's views and purchases strictly before it, whatever order they arrived in.
 *
 * <p>State, laid out so that an event touches only what it changes: the item's counters up to the
 * settled frontier (watermark minus allowed lateness) in {@code item}; every newer view and
 * purchase as one {@code long} appended to {@code recent} (time and kind; an append reads nothing);
 * views waiting for the watermark in one-second slots; for spec 2, each recent purchase's time and
 * unit price in {@code recent-prices}. A view is scored against a copy of the settled counters with
 * the recent events before it applied, so a view behind the watermark (within the allowed lateness)
 * gets exactly the counts it would have had on time. Recent events are folded into the settled
 * counters once a minute's worth is behind the frontier. State is cleared 25 h after the item's
 * last event, when every window is empty. The three states of the most recently used items are also
 * kept on the heap, written through ({@link StateCaches}): a busy item's timers read none of them
 * from the state backend.
 */
public final class ItemFeatureFunction
        extends KeyedProcessFunction<String, CanonicalEvent, PendingVector>
        implements SlotStates.User {
    private static final long serialVersionUID = 1L;

    private transient SlotStates slots;

    /** Longer than the 24 h window at one-hour granularity. */
    static final long RETENTION = 25 * Retention.HOUR;

    private final long allowedLatenessMillis;
    private final OutputTag<LateView> lateViews;

    private final int stateCacheKeys;

    private transient CachedValueState<String, ItemState> state;
    private transient CachedListState<String, Long> recent;
    private transient CachedListState<String, TimedValue> recentPrices;
    private transient HeldViews<CanonicalEvent> views;
    private transient Counter lateEvents;

    /**
     * @param stateCacheKeys how many items' state is kept on the heap besides the state backend
     *     ({@link StateCaches})
     */
    public ItemFeatureFunction(
            long allowedLatenessMillis, OutputTag<LateView> lateViews, int stateCacheKeys) {
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.lateViews = lateViews;
        this.stateCacheKeys = stateCacheKeys;
    }

    @Override
    public void useSlotStates(SlotStates slots) {
        this.slots = slots;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        StateCaches caches = new StateCaches(getRuntimeContext(), metrics, stateCacheKeys);
        state =
                caches.value(
                        new ValueStateDescriptor<>("item", TypeInformation.of(ItemState.class)));
        recent = caches.list(new ListStateDescriptor<>("recent", Types.LONG));
        recentPrices =
                caches.list(
                        new ListStateDescriptor<>(
                                "recent-prices", TypeInformation.of(TimedValue.class)));
        views =
                new HeldViews<>(
                        slots,
                        getRuntimeContext(),
                        TypeInformation.of(CanonicalEvent.class),
                        allowedLatenessMillis,
                        metrics);
        lateEvents = metrics.counter("lateEvents");
    }

    /** A recent view or purchase as one long: the time, and the kind in the lowest bit. */
    static long encode(long time, boolean purchase) {
        return (time << 1) | (purchase ? 1 : 0);
    }

    static long timeOf(long encoded) {
        return encoded >> 1;
    }

    static int channelOf(long encoded) {
        return (encoded & 1) == 1 ? ItemState.PURCHASES : ItemState.VIEWS;
    }

    @Override
    public void processElement(CanonicalEvent event, Context ctx, Collector<PendingVector> out)
            throws Exception {
        long t = event.eventTime();
        TimerService timers = ctx.timerService();
        if (t <= timers.currentWatermark()) {
            lateEvents.inc();
        }
        boolean isView = event.type() == EventType.PRODUCT_VIEW;
        if (isView) {
            switch (views.arrive(t, event, timers)) {
                case HELD -> {}
                case SCORE_NOW ->
                        score(
                                List.of(event),
                                state.value(ctx.getCurrentKey()),
                                readRecent(ctx.getCurrentKey()),
                                recentPrices.get(ctx.getCurrentKey()),
                                ctx,
                                out);
                case TOO_LATE ->
                        ctx.output(
                                lateViews,
                                new LateView(
                                        event,
                                        "item",
                                        HeldViews.frontier(
                                                timers.currentWatermark(), allowedLatenessMillis)));
            }
        }
        recent.add(ctx.getCurrentKey(), encode(t, !isView));
        double price = isView ? 0 : FeatureSpec.unitPrice(event.value(), event.quantity());
        if (price > 0) {
            recentPrices.add(ctx.getCurrentKey(), new TimedValue(t, price));
        }
        Retention.scheduleFold(timers, t, allowedLatenessMillis);
    }

    /** The recent events in time order (an item's lifetime restarts after a gap). */
    private List<Long> readRecent(String item) throws Exception {
        List<Long> events = new ArrayList<>(recent.get(item));
        events.sort(null);
        return events;
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<PendingVector> out)
            throws Exception {
        List<CanonicalEvent> due = views.release(time);
        boolean wholeHour = Retention.isCleanupTime(time, ctx.timerService());
        if (due.isEmpty() && !wholeHour) {
            return;
        }
        // Each piece of state read once per timer, for the scoring and the fold.
        String key = ctx.getCurrentKey();
        ItemState settled = state.value(key);
        List<Long> recentEvents = readRecent(key);
        List<TimedValue> prices = recentPrices.get(key);
        if (!due.isEmpty()) {
            score(due, settled, recentEvents, prices, ctx, out);
        }
        // The frontier of this timer's time, not of the watermark: in a jump of the watermark the
        // timers of earlier slots fire first, and their views must still find their events.
        long frontier = HeldViews.frontier(time, allowedLatenessMillis);
        boolean unsettled =
                fold(key, frontier, wholeHour, settled, recentEvents, prices, ctx.timerService());
        if (wholeHour && !unsettled) {
            ItemState item = state.value(key);
            if (item != null && time >= item.lastEventTime + RETENTION) {
                state.clear(key);
            }
        }
    }

    /**
     * Scores views, each against the settled counters plus the recent events before it ({@code
     * recentEvents} in time order).
     */
    private void score(
            List<CanonicalEvent> due,
            ItemState settled,
            List<Long> recentEvents,
            List<TimedValue> prices,
            Context ctx,
            Collector<PendingVector> out) {
        List<CanonicalEvent> sorted = new ArrayList<>(due);
        sorted.sort(Comparator.comparing(CanonicalEvent::eventId));
        for (CanonicalEvent view : sorted) {
            long t = view.eventTime();
            if (settled != null && t < settled.settledBefore) {
                views.tooLate();
                ctx.output(lateViews, new LateView(view, "item", settled.settledBefore));
                continue;
            }
            ItemState asOf = settled == null ? new ItemState() : settled.copy();
            for (long e : recentEvents) {
                if (timeOf(e) < t) {
                    asOf.apply(timeOf(e), channelOf(e));
                }
            }
            for (TimedValue p : prices) {
                if (p.time < t) {
                    asOf.price(p.time, p.value);
                }
            }
            boolean over = asOf.lifetimeOver(t);
            out.collect(
                    new PendingVector(
                            view,
                            asOf.lastHour(t, ItemState.VIEWS),
                            asOf.lastDay(t, ItemState.VIEWS),
                            asOf.lastHour(t, ItemState.PURCHASES),
                            asOf.lastDay(t, ItemState.PURCHASES),
                            0,
                            over || !(asOf.price > 0) ? Double.NaN : asOf.price,
                            over ? 0 : asOf.lifetimeViews,
                            over ? 0 : asOf.lifetimePurchases));
        }
    }

    /**
     * Moves the recent events before the frontier into the settled counters: always when {@code
     * force}, otherwise once a minute's worth of them has gathered. Returns whether recent events
     * remain.
     */
    private boolean fold(
            String key,
            long frontier,
            boolean force,
            ItemState settled,
            List<Long> recentEvents,
            List<TimedValue> prices,
            TimerService timers)
            throws Exception {
        List<Long> keep = new ArrayList<>();
        List<Long> settle = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (Long e : recentEvents) {
            if (timeOf(e) < frontier) {
                settle.add(e);
                oldest = Math.min(oldest, timeOf(e));
            } else {
                keep.add(e);
            }
        }
        if (settle.isEmpty() || (!force && oldest >= frontier - Retention.FOLD_BACKLOG)) {
            return !recentEvents.isEmpty();
        }
        // A copy: the settled state read may be the cached one, which is not to be changed.
        ItemState item = settled == null ? new ItemState() : settled.copy();
        for (long e : settle) {
            item.apply(timeOf(e), channelOf(e));
        }
        List<TimedValue> keepPrices = new ArrayList<>();
        for (TimedValue p : prices) {
            if (p.time < frontier) {
                item.price(p.time, p.value);
            } else {
                keepPrices.add(p);
            }
        }
        item.settledBefore = Math.max(item.settledBefore, frontier);
        state.update(key, item);
        recent.update(key, keep);
        if (keepPrices.size() != prices.size()) {
            recentPrices.update(key, keepPrices);
        }
        Retention.scheduleCleanup(timers, item.lastEventTime, RETENTION);
        return !keep.isEmpty();
    }
}
