package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.state.CachedListState;
import io.eventml.common.state.CachedValueState;
import io.eventml.common.state.SlotStates;
import io.eventml.common.state.StateCaches;
import io.eventml.features.state.UserDelta;
import io.eventml.features.state.UserItemState;
import io.eventml.features.state.UserProfile;
import io.eventml.features.state.UserState;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Keyed by user: completes each product view's feature vector with the user's features as of the
 * view's time and emits it. Input 1: the views, carrying their item and store features; input 2:
 * all of the user's events. A vector only ever sees the user's events strictly before its view,
 * whatever order they arrived in.
 *
 * <p>State, laid out so that an event touches only what it changes (the time rules are those of
 * {@link HeldViews}):
 *
 * <ul>
 *   <li>{@code recent}: every event that moves a feature, cut down to a {@link UserDelta} and
 *       appended (an append reads nothing); page views and other events are not kept at all;
 *   <li>{@code activity}, {@code profile}, {@code items}: the settled state, holding exactly the
 *       events before the settled frontier (watermark minus allowed lateness): counters in rings of
 *       one-minute and one-hour buckets (cleared 25 h after the last event), the last purchase and
 *       loyalty status, newest event time wins (cleared after 30 days), and per item the views and
 *       cart status (dropped 25 h after the item's last event);
 *   <li>{@code held-views}: views waiting for the watermark, in one-second slots.
 * </ul>
 *
 * A view is scored against a copy of the settled state with the recent events before it applied
 * (the computation itself is {@link UserFeatures}, which touches no Flink state). Recent events are
 * folded into the settled state at a view's timer once a minute's worth is behind the frontier, at
 * a view scored on arrival once ten minutes' worth is ({@link Retention#ARRIVAL_FOLD_BACKLOG}), and
 * at whole hours. {@code recent}, {@code activity} and {@code profile} of the most recently used
 * users are also kept on the heap, written through ({@link StateCaches}): a user's views in a
 * session read them from the state backend once.
 */
public final class UserFeatureFunction
        extends KeyedCoProcessFunction<String, PendingVector, CanonicalEvent, FeatureVector>
        implements SlotStates.User {
    private static final long serialVersionUID = 1L;

    private transient SlotStates slots;

    /** Longer than the 24 h window at one-hour granularity. */
    static final long ACTIVITY_RETENTION = 25 * Retention.HOUR;

    /** The cap of hours-since-purchase. */
    static final long PROFILE_RETENTION =
            (long) FeatureSpec.MAX_HOURS_SINCE_PURCHASE * Retention.HOUR;

    private final long allowedLatenessMillis;
    private final OutputTag<LateView> lateViews;
    private final int featureSpec;

    private final int stateCacheKeys;

    private transient CachedValueState<String, UserState> activity;
    private transient CachedValueState<String, UserProfile> profile;
    private transient MapState<String, UserItemState> items;
    private transient CachedListState<String, UserDelta> recent;
    private transient HeldViews<PendingVector> views;

    private transient Counter emitted;
    private transient Counter lateEvents;
    private transient volatile long lastLagMillis;

    public UserFeatureFunction(long allowedLatenessMillis, OutputTag<LateView> lateViews) {
        this(
                allowedLatenessMillis,
                lateViews,
                FeatureSpec.VERSION,
                FeatureConfig.DEFAULT_STATE_CACHE_KEYS);
    }

    /**
     * Emitting vectors of spec {@code featureSpec} (an older one cut from the newest), with the
     * state of {@code stateCacheKeys} users kept on the heap besides the state backend.
     */
    public UserFeatureFunction(
            long allowedLatenessMillis,
            OutputTag<LateView> lateViews,
            int featureSpec,
            int stateCacheKeys) {
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.lateViews = lateViews;
        this.featureSpec = featureSpec;
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
        activity =
                caches.value(
                        new ValueStateDescriptor<>(
                                "activity", TypeInformation.of(UserState.class)));
        profile =
                caches.value(
                        new ValueStateDescriptor<>(
                                "profile", TypeInformation.of(UserProfile.class)));
        items =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "items",
                                        Types.STRING,
                                        TypeInformation.of(UserItemState.class)));
        recent =
                caches.list(
                        new ListStateDescriptor<>("recent", TypeInformation.of(UserDelta.class)));
        views =
                new HeldViews<>(
                        slots,
                        getRuntimeContext(),
                        TypeInformation.of(PendingVector.class),
                        allowedLatenessMillis,
                        metrics);
        emitted = metrics.counter("vectorsEmitted");
        lateEvents = metrics.counter("lateEvents");
        metrics.gauge("eventTimeLagMillis", (Gauge<Long>) () -> lastLagMillis);
    }

    @Override
    public void processElement1(PendingVector view, Context ctx, Collector<FeatureVector> out)
            throws Exception {
        TimerService timers = ctx.timerService();
        switch (views.arrive(view.view().eventTime(), view, timers, slots.secondInputWatermark())) {
            case HELD -> {}
            case SCORE_NOW -> {
                String key = ctx.getCurrentKey();
                UserState settledActivity = activity.value(key);
                UserProfile settledProfile = profile.value(key);
                List<UserDelta> deltas = recent.get(key);
                score(List.of(view), settledActivity, settledProfile, deltas, ctx, out);
                // Most views are scored here, with no timer of their own: fold here too, or the
                // recent events would pile up until the whole hour. Every slot before the
                // watermark has been released, so its frontier is the one to fold at.
                fold(
                        key,
                        HeldViews.frontier(timers.currentWatermark(), allowedLatenessMillis),
                        Retention.ARRIVAL_FOLD_BACKLOG,
                        settledActivity,
                        settledProfile,
                        deltas,
                        timers);
            }
            case TOO_LATE ->
                    ctx.output(
                            lateViews,
                            new LateView(
                                    view.view(),
                                    "user",
                                    HeldViews.frontier(
                                            timers.currentWatermark(), allowedLatenessMillis)));
        }
    }

    @Override
    public void processElement2(CanonicalEvent event, Context ctx, Collector<FeatureVector> out)
            throws Exception {
        UserDelta delta = UserDelta.of(event);
        if (delta == null) {
            return;
        }
        if (delta.time <= ctx.timerService().currentWatermark()) {
            lateEvents.inc();
        }
        recent.add(ctx.getCurrentKey(), delta);
        Retention.scheduleFold(ctx.timerService(), delta.time, allowedLatenessMillis);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<FeatureVector> out)
            throws Exception {
        List<PendingVector> due = views.release(time);
        boolean wholeHour = Retention.isCleanupTime(time, ctx.timerService());
        if (due.isEmpty() && !wholeHour) {
            return;
        }
        // Each piece of state read once per timer, for the scoring and the fold.
        String key = ctx.getCurrentKey();
        UserState settledActivity = activity.value(key);
        UserProfile settledProfile = profile.value(key);
        List<UserDelta> deltas = recent.get(key);
        if (!due.isEmpty()) {
            score(due, settledActivity, settledProfile, deltas, ctx, out);
        }
        // The frontier of this timer's time, not of the watermark: in a jump of the watermark the
        // timers of earlier slots fire first, and their views must still find their events.
        boolean unsettled =
                fold(
                        key,
                        HeldViews.frontier(time, allowedLatenessMillis),
                        wholeHour ? 0 : Retention.FOLD_BACKLOG,
                        settledActivity,
                        settledProfile,
                        deltas,
                        ctx.timerService());
        if (wholeHour && !unsettled) {
            cleanUp(key, time);
        }
    }

    /** Scores views, each against the settled state plus the recent events before it. */
    private void score(
            List<PendingVector> due,
            UserState settledActivity,
            UserProfile settledProfile,
            List<UserDelta> deltas,
            Context ctx,
            Collector<FeatureVector> out)
            throws Exception {
        List<PendingVector> sorted = new ArrayList<>(due);
        sorted.sort(Comparator.comparing(p -> p.view().eventId()));
        for (PendingVector pending : sorted) {
            CanonicalEvent view = pending.view();
            long t = view.eventTime();
            if (settledProfile != null && t < settledProfile.settledBefore) {
                views.tooLate();
                ctx.output(lateViews, new LateView(view, "user", settledProfile.settledBefore));
                continue;
            }
            double[] v =
                    UserFeatures.asOf(
                            pending,
                            settledActivity,
                            settledProfile,
                            items.get(view.itemId()),
                            deltas);
            out.collect(
                    new FeatureVector(
                            view.eventId(),
                            view.userId(),
                            view.itemId(),
                            t,
                            featureSpec,
                            new DenseVector(FeatureSpec.asVersion(v, featureSpec))));
            emitted.inc();
            lastLagMillis = System.currentTimeMillis() - t;
        }
    }

    /**
     * Moves the recent events before the frontier into the settled state once the oldest of them is
     * {@code backlog} behind it (0: whenever there are any). Returns whether recent events remain.
     */
    private boolean fold(
            String key,
            long frontier,
            long backlog,
            UserState settledActivity,
            UserProfile settledProfile,
            List<UserDelta> deltas,
            TimerService timers)
            throws Exception {
        UserFeatures.Split split = UserFeatures.split(deltas, frontier);
        if (split.settle().isEmpty() || split.oldestSettled() >= frontier - backlog) {
            return !deltas.isEmpty();
        }
        // Copies: the settled state read may be the cached one, which is not to be changed.
        UserState a = settledActivity == null ? new UserState() : settledActivity.copy();
        UserProfile p = settledProfile == null ? new UserProfile() : settledProfile.copy();
        Map<String, UserItemState> touched = new HashMap<>();
        for (UserDelta d : UserFeatures.inTimeOrder(split.settle())) {
            d.applyTo(a, p);
            if (d.touchesItem()) {
                UserItemState ui = touched.get(d.itemId);
                if (ui == null) {
                    ui = items.get(d.itemId);
                    if (ui == null) {
                        ui = new UserItemState();
                    }
                    touched.put(d.itemId, ui);
                }
                d.applyTo(ui);
            }
        }
        p.settledBefore = Math.max(p.settledBefore, frontier);
        a.compact();
        touched.values().forEach(UserItemState::compact);
        activity.update(key, a);
        profile.update(key, p);
        items.putAll(touched);
        recent.update(key, split.keep());
        Retention.scheduleCleanup(timers, a.lastEventTime, ACTIVITY_RETENTION);
        Retention.scheduleCleanup(timers, p.lastEventTime, PROFILE_RETENTION);
        return !split.keep().isEmpty();
    }

    /** Clears what every window has left behind; only when no recent event waits to settle. */
    private void cleanUp(String key, long time) throws Exception {
        UserProfile p = profile.value(key);
        if (p != null && time >= p.lastEventTime + PROFILE_RETENTION) {
            profile.clear(key);
        }
        UserState a = activity.value(key);
        if (a != null && time >= a.lastEventTime + ACTIVITY_RETENTION) {
            activity.clear(key);
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
