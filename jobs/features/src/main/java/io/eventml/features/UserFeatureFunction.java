package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.raw.LoyaltyTier;
import io.eventml.common.state.TimeBuffer;
import io.eventml.features.state.UserItemState;
import io.eventml.features.state.UserProfile;
import io.eventml.features.state.UserState;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Keyed by user: completes each product view's feature vector with the user's features as of the
 * view's time and emits it. Input 1: the views, carrying their item and store features; input 2:
 * all of the user's events, which update the user's state. Both are held until the watermark passes
 * them and handled in event-time order; at equal times views are scored before any event is
 * applied, so a vector only ever sees events strictly before its view (no leakage, whatever the
 * arrival order within the out-of-orderness bound).
 *
 * <p>State per user: activity counters (cleared 25 h after the last event), a profile (last
 * purchase, loyalty; cleared after 30 days) and per-item views and cart status (dropped 25 h after
 * the item's last event).
 */
public final class UserFeatureFunction
        extends KeyedCoProcessFunction<String, PendingVector, CanonicalEvent, FeatureVector> {
    private static final long serialVersionUID = 1L;

    /** Longer than the 24 h window at one-hour granularity. */
    static final long ACTIVITY_RETENTION = 25 * Retention.HOUR;

    /** The cap of hours-since-purchase. */
    static final long PROFILE_RETENTION =
            (long) FeatureSpec.MAX_HOURS_SINCE_PURCHASE * Retention.HOUR;

    /** Event types that change a user-item state. */
    private static final java.util.Set<EventType> TRACKED_PER_ITEM =
            java.util.EnumSet.of(EventType.PRODUCT_VIEW, EventType.ADD_TO_CART, EventType.PURCHASE);

    private transient ValueState<UserState> activity;
    private transient ValueState<UserProfile> profile;
    private transient MapState<String, UserItemState> items;
    private transient TimeBuffer<PendingVector> views;
    private transient TimeBuffer<CanonicalEvent> events;

    private transient Counter emitted;
    private transient Counter late;
    private transient volatile long lastLagMillis;

    @Override
    public void open(OpenContext openContext) {
        activity =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "activity", TypeInformation.of(UserState.class)));
        profile =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "profile", TypeInformation.of(UserProfile.class)));
        items =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "items",
                                        Types.STRING,
                                        TypeInformation.of(UserItemState.class)));
        views =
                new TimeBuffer<>(
                        getRuntimeContext(), "held-views", TypeInformation.of(PendingVector.class));
        events =
                new TimeBuffer<>(
                        getRuntimeContext(),
                        "held-events",
                        TypeInformation.of(CanonicalEvent.class));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("eventml");
        emitted = metrics.counter("vectorsEmitted");
        late = metrics.counter("lateEvents");
        metrics.gauge("eventTimeLagMillis", (Gauge<Long>) () -> lastLagMillis);
    }

    @Override
    public void processElement1(PendingVector view, Context ctx, Collector<FeatureVector> out)
            throws Exception {
        if (!views.hold(view.view().eventTime(), view, ctx.timerService())) {
            late.inc();
            score(List.of(view), out);
        }
    }

    @Override
    public void processElement2(CanonicalEvent event, Context ctx, Collector<FeatureVector> out)
            throws Exception {
        if (!events.hold(event.eventTime(), event, ctx.timerService())) {
            late.inc();
            apply(List.of(event), ctx);
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<FeatureVector> out)
            throws Exception {
        score(views.release(time), out);
        apply(events.release(time), ctx);
        if (Retention.isCleanupTime(time, ctx.timerService())) {
            cleanUp(time);
        }
    }

    private void score(List<PendingVector> due, Collector<FeatureVector> out) throws Exception {
        if (due.isEmpty()) {
            return;
        }
        List<PendingVector> sorted = new ArrayList<>(due);
        sorted.sort(Comparator.comparing(p -> p.view().eventId()));
        UserState a = activity.value();
        UserProfile p = profile.value();
        for (PendingVector pending : sorted) {
            CanonicalEvent view = pending.view();
            UserItemState ui = items.get(view.itemId());
            double[] v = features(pending, a, p, ui);
            out.collect(
                    new FeatureVector(
                            view.eventId(),
                            view.userId(),
                            view.itemId(),
                            view.eventTime(),
                            FeatureSpec.VERSION,
                            new DenseVector(v)));
            emitted.inc();
            lastLagMillis = System.currentTimeMillis() - view.eventTime();
        }
    }

    /** The feature vector of a view from the state as it is (events strictly before the view). */
    static double[] features(PendingVector pending, UserState a, UserProfile p, UserItemState ui) {
        CanonicalEvent view = pending.view();
        long t = view.eventTime();
        double[] v = new double[FeatureSpec.SIZE];
        v[FeatureSpec.BIAS] = 1;
        if (a != null) {
            windows(v, a, t, UserState.VIEWS, FeatureSpec.USER_VIEWS_10M);
            windows(v, a, t, UserState.CLICKS, FeatureSpec.USER_CLICKS_10M);
            windows(v, a, t, UserState.CART_ADDS, FeatureSpec.USER_CART_ADDS_10M);
            windows(v, a, t, UserState.PURCHASES, FeatureSpec.USER_PURCHASES_10M);
            windows(v, a, t, UserState.SPEND, FeatureSpec.USER_SPEND_10M);
            double posts24h = a.hours(t, UserState.POSTS, 24);
            double mean24h = posts24h > 0 ? a.hours(t, UserState.SENTIMENT_SUM, 24) / posts24h : 0;
            double posts1h = a.minutes(t, UserState.POSTS, 60);
            double mean1h = posts1h > 0 ? a.minutes(t, UserState.SENTIMENT_SUM, 60) / posts1h : 0;
            v[FeatureSpec.SENTIMENT_24H] = mean24h;
            v[FeatureSpec.SENTIMENT_TREND] = posts1h > 0 ? mean1h - mean24h : 0;
            v[FeatureSpec.SOCIAL_POSTS_24H] = FeatureSpec.log1p(posts24h);
        }
        if (p != null && p.lastPurchase != Long.MIN_VALUE) {
            double hours =
                    Math.min(
                            FeatureSpec.MAX_HOURS_SINCE_PURCHASE,
                            (t - p.lastPurchase) / (double) Retention.HOUR);
            v[FeatureSpec.USER_HOURS_SINCE_PURCHASE] = FeatureSpec.log1p(hours);
        } else {
            v[FeatureSpec.USER_HOURS_SINCE_PURCHASE] =
                    FeatureSpec.log1p(FeatureSpec.MAX_HOURS_SINCE_PURCHASE);
            v[FeatureSpec.USER_NEVER_PURCHASED] = 1;
        }
        if (p != null && p.tier >= 0) {
            v[FeatureSpec.LOYALTY_TIER] = p.tier / (double) (LoyaltyTier.values().length - 1);
            v[FeatureSpec.LOYALTY_POINTS] = FeatureSpec.log1p(p.points);
            v[FeatureSpec.LOYALTY_KNOWN] = 1;
        }
        v[FeatureSpec.ITEM_VIEWS_1H] = FeatureSpec.log1p(pending.itemViews1h());
        v[FeatureSpec.ITEM_VIEWS_24H] = FeatureSpec.log1p(pending.itemViews24h());
        v[FeatureSpec.ITEM_PURCHASES_1H] = FeatureSpec.log1p(pending.itemPurchases1h());
        v[FeatureSpec.ITEM_PURCHASES_24H] = FeatureSpec.log1p(pending.itemPurchases24h());
        v[FeatureSpec.ITEM_CONVERSION_24H] =
                FeatureSpec.conversion(pending.itemPurchases24h(), pending.itemViews24h());
        if (ui != null) {
            v[FeatureSpec.USER_ITEM_VIEWS_24H] = FeatureSpec.log1p(ui.views24h(t));
            v[FeatureSpec.USER_ITEM_IN_CART] = ui.inCart(t) ? 1 : 0;
        }
        v[FeatureSpec.STORE_FOOTFALL_15M] = FeatureSpec.log1p(pending.storeFootfall15m());
        v[FeatureSpec.IN_STORE] = view.storeId() != null ? 1 : 0;
        String category = view.attributes().get("category");
        if (category != null) {
            v[FeatureSpec.CATEGORY_HASH_0 + FeatureSpec.categoryBucket(category)] = 1;
        }
        return v;
    }

    /**
     * Writes the 10 min, 1 h and 24 h sums of a channel, log-transformed, at {@code first}, +1, +2.
     */
    private static void windows(double[] v, UserState a, long t, int channel, int first) {
        v[first] = FeatureSpec.log1p(a.minutes(t, channel, 10));
        v[first + 1] = FeatureSpec.log1p(a.minutes(t, channel, 60));
        v[first + 2] = FeatureSpec.log1p(a.hours(t, channel, 24));
    }

    private void apply(List<CanonicalEvent> due, Context ctx) throws Exception {
        if (due.isEmpty()) {
            return;
        }
        List<CanonicalEvent> sorted = new ArrayList<>(due);
        sorted.sort(Comparator.comparing(CanonicalEvent::eventId));
        UserState a = activity.value();
        if (a == null) {
            a = new UserState();
        }
        UserProfile p = profile.value();
        if (p == null) {
            p = new UserProfile();
        }
        for (CanonicalEvent e : sorted) {
            long t = e.eventTime();
            UserItemState ui = null;
            if (e.itemId() != null && TRACKED_PER_ITEM.contains(e.type())) {
                ui = items.get(e.itemId());
                if (ui == null) {
                    ui = new UserItemState();
                }
                ui.lastEventTime = Math.max(ui.lastEventTime, t);
            }
            switch (e.type()) {
                case PRODUCT_VIEW -> {
                    a.add(t, UserState.VIEWS, 1);
                    if (ui != null) {
                        ui.view(t);
                    }
                }
                case CLICK -> a.add(t, UserState.CLICKS, 1);
                case ADD_TO_CART -> {
                    a.add(t, UserState.CART_ADDS, 1);
                    if (ui != null) {
                        ui.lastCartAdd = Math.max(ui.lastCartAdd, t);
                    }
                }
                case PURCHASE -> {
                    a.add(t, UserState.PURCHASES, 1);
                    a.add(t, UserState.SPEND, e.value());
                    p.lastPurchase = Math.max(p.lastPurchase, t);
                    if (ui != null) {
                        ui.lastPurchase = Math.max(ui.lastPurchase, t);
                    }
                }
                case LOYALTY_UPDATE -> {
                    p.tier = LoyaltyTier.valueOf(e.attributes().get("tier")).ordinal();
                    p.points = Long.parseLong(e.attributes().get("balance"));
                }
                case SOCIAL_POST -> {
                    a.add(t, UserState.SENTIMENT_SUM, e.value());
                    a.add(t, UserState.POSTS, 1);
                }
                default -> {
                    // Page views and anything else move no feature.
                }
            }
            if (ui != null) {
                items.put(e.itemId(), ui);
            }
            a.lastEventTime = Math.max(a.lastEventTime, t);
            p.lastEventTime = Math.max(p.lastEventTime, t);
        }
        activity.update(a);
        profile.update(p);
        Retention.scheduleCleanup(ctx.timerService(), a.lastEventTime, ACTIVITY_RETENTION);
        Retention.scheduleCleanup(ctx.timerService(), p.lastEventTime, PROFILE_RETENTION);
    }

    private void cleanUp(long time) throws Exception {
        UserProfile p = profile.value();
        if (p != null && time >= p.lastEventTime + PROFILE_RETENTION) {
            profile.clear();
        }
        UserState a = activity.value();
        if (a != null && time >= a.lastEventTime + ACTIVITY_RETENTION) {
            activity.clear();
            items.clear();
            return;
        }
        Iterator<Map.Entry<String, UserItemState>> it = items.iterator();
        while (it.hasNext()) {
            if (time >= it.next().getValue().lastEventTime + ACTIVITY_RETENTION) {
                it.remove();
            }
        }
    }
}
