package io.eventml.features;

import io.eventml.common.event.CanonicalEvent;
import io.eventml.common.event.EventType;
import io.eventml.common.features.FeatureSpec;
import io.eventml.common.features.FeatureVector;
import io.eventml.common.state.SlottedOperators;
import io.eventml.ops.FeatureRescan;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.eventml.features.Events.HOUR;
import static io.eventml.features.Events.MINUTE;
import static io.eventml.features.Events.T;
import static io.eventml.features.Events.cartAdd;
import static io.eventml.features.Events.click;
import static io.eventml.features.Events.loyalty;
import static io.eventml.features.Events.pageView;
import static io.eventml.features.Events.post;
import static io.eventml.features.Events.purchase;
import static io.eventml.features.Events.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class UserFeatureFunctionTest {
    private static final OutputTag<LateView> LATE =
            new OutputTag<>("late", TypeInformation.of(LateView.class));

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingVector, CanonicalEvent, FeatureVector>
            harness() throws Exception {
        return harness(null, false);
    }

    /** A harness on RocksDB, restored from {@code snapshot} when there is one. */
    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingVector, CanonicalEvent, FeatureVector>
            harness(OperatorSubtaskState snapshot, boolean onRocksDb) throws Exception {
        return harness(snapshot, onRocksDb, FeatureConfig.DEFAULT_STATE_CACHE_KEYS);
    }

    /**
     * As {@link #harness(OperatorSubtaskState, boolean)}, keeping {@code cacheKeys} users' state on
     * the heap too.
     */
    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingVector, CanonicalEvent, FeatureVector>
            harness(OperatorSubtaskState snapshot, boolean onRocksDb, int cacheKeys)
                    throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        SlottedOperators.coProcess(
                                new UserFeatureFunction(
                                        Disorder.LATENESS, LATE, FeatureSpec.VERSION, cacheKeys)),
                        (PendingVector p) -> p.view().userId(),
                        CanonicalEvent::userId,
                        Types.STRING);
        if (onRocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        return h;
    }

    /**
     * A view on its way, with item counts 3 (1 h), 40 (24 h), 1, 4, price 45 EUR and a lifetime of
     * 120 views and 9 purchases.
     */
    private static PendingVector pending(CanonicalEvent view) {
        return new PendingVector(view, 3, 40, 1, 4, 0, 45, 120, 9);
    }

    private static final CanonicalEvent V1 = view("v1", "u-1", "sku-1", T);
    private static final CanonicalEvent V2 = view("v2", "u-1", "sku-1", T + 5 * MINUTE);
    private static final CanonicalEvent V3 = view("v3", "u-1", "sku-2", T + 2 * HOUR);

    /** The user's events, the views among them. */
    private static List<CanonicalEvent> events() {
        return List.of(
                V1,
                click("c1", "u-1", "sku-9", T + 30_000),
                cartAdd("a1", "u-1", "sku-1", T + MINUTE),
                purchase("p1", "u-1", "sku-1", T + 2 * MINUTE, 20),
                cartAdd("a2", "u-1", "sku-2", T + 2 * MINUTE + 1),
                loyalty("l1", "u-1", T + 2 * MINUTE + 5_000, "GOLD", 3000),
                post("s1", "u-1", T + 2 * MINUTE + 10_000, 0.5),
                post("s0", "u-1", T - 3 * HOUR, -0.5),
                V2,
                V3);
    }

    private static List<FeatureVector> run(List<Object> inputs) throws Exception {
        try (var h = harness()) {
            for (Object in : inputs) {
                if (in instanceof PendingVector p) {
                    h.processElement1(new StreamRecord<>(p, p.view().eventTime()));
                } else {
                    CanonicalEvent e = (CanonicalEvent) in;
                    h.processElement2(new StreamRecord<>(e, e.eventTime()));
                }
            }
            h.processBothWatermarks(new Watermark(T + 3 * HOUR));
            return new ArrayList<>(h.extractOutputValues());
        }
    }

    private static List<Object> inputs() {
        List<Object> inputs = new ArrayList<>(events());
        inputs.add(pending(V1));
        inputs.add(pending(V2));
        inputs.add(pending(V3));
        return inputs;
    }

    @Test
    void aViewSeesOnlyWhatHappenedBeforeIt() throws Exception {
        List<FeatureVector> out = run(inputs());
        assertThat(out).extracting(FeatureVector::eventId).containsExactly("v1", "v2", "v3");

        double[] v1 = out.get(0).values().values;
        assertThat(v1[FeatureSpec.BIAS]).isEqualTo(1);
        assertThat(v1[FeatureSpec.USER_VIEWS_24H]).as("its own view is not counted").isZero();
        assertThat(v1[FeatureSpec.USER_NEVER_PURCHASED]).isEqualTo(1);
        assertThat(v1[FeatureSpec.USER_HOURS_SINCE_PURCHASE]).isEqualTo(Math.log1p(720));
        assertThat(v1[FeatureSpec.LOYALTY_KNOWN]).isZero();
        assertThat(v1[FeatureSpec.SENTIMENT_24H]).as("the post 3 h before").isEqualTo(-0.5);
        assertThat(v1[FeatureSpec.SENTIMENT_TREND]).as("no post in the last hour").isZero();
        assertThat(v1[FeatureSpec.ITEM_VIEWS_1H]).isEqualTo(Math.log1p(3));
        assertThat(v1[FeatureSpec.ITEM_CONVERSION_24H]).isEqualTo((4 + 1) / (40 + 10.0));
        assertThat(v1[FeatureSpec.CATEGORY_HASH_0 + FeatureSpec.categoryBucket("cat-1")])
                .isEqualTo(1);

        double[] v2 = out.get(1).values().values;
        assertThat(v2[FeatureSpec.USER_VIEWS_10M]).isEqualTo(Math.log1p(1));
        assertThat(v2[FeatureSpec.USER_CLICKS_10M]).isEqualTo(Math.log1p(1));
        assertThat(v2[FeatureSpec.USER_CART_ADDS_10M]).isEqualTo(Math.log1p(2));
        assertThat(v2[FeatureSpec.USER_PURCHASES_1H]).isEqualTo(Math.log1p(1));
        assertThat(v2[FeatureSpec.USER_SPEND_24H]).isEqualTo(Math.log1p(20));
        assertThat(v2[FeatureSpec.USER_NEVER_PURCHASED]).isZero();
        assertThat(v2[FeatureSpec.USER_HOURS_SINCE_PURCHASE])
                .isCloseTo(Math.log1p(3.0 / 60), within(1e-12));
        assertThat(v2[FeatureSpec.LOYALTY_TIER]).isEqualTo(2.0 / 3);
        assertThat(v2[FeatureSpec.LOYALTY_POINTS]).isEqualTo(Math.log1p(3000));
        assertThat(v2[FeatureSpec.LOYALTY_KNOWN]).isEqualTo(1);
        assertThat(v2[FeatureSpec.SENTIMENT_24H]).isEqualTo(0.0); // (-0.5 + 0.5) / 2
        assertThat(v2[FeatureSpec.SENTIMENT_TREND]).isEqualTo(0.5); // last hour 0.5 minus 24 h 0.0
        assertThat(v2[FeatureSpec.SOCIAL_POSTS_24H]).isEqualTo(Math.log1p(2));
        assertThat(v2[FeatureSpec.USER_ITEM_VIEWS_24H]).isEqualTo(Math.log1p(1));
        assertThat(v2[FeatureSpec.USER_ITEM_IN_CART])
                .as("sku-1 was bought after it was added")
                .isZero();

        double[] v3 = out.get(2).values().values;
        assertThat(v3[FeatureSpec.USER_VIEWS_10M]).as("the 10 min window has passed").isZero();
        assertThat(v3[FeatureSpec.USER_VIEWS_1H]).isZero();
        assertThat(v3[FeatureSpec.USER_VIEWS_24H]).isEqualTo(Math.log1p(2));
        assertThat(v3[FeatureSpec.USER_ITEM_IN_CART])
                .as("sku-2 was added and not bought")
                .isEqualTo(1);
        assertThat(v3[FeatureSpec.USER_ITEM_VIEWS_24H]).isZero();
    }

    /**
     * A view comes from the item stage only after that stage's watermark passed it, so the user
     * stage has usually seen the same watermark on its events' input already: such a view is scored
     * on arrival, with every event before it, not held until the stage's own watermark (the smaller
     * of both inputs') passes it. A view the events' watermark has not passed is held.
     */
    @Test
    void aViewTheEventsWatermarkHasPassedIsScoredOnArrival() throws Exception {
        try (var h = harness(null, true)) {
            for (CanonicalEvent e : events()) {
                h.processElement2(new StreamRecord<>(e, e.eventTime()));
            }
            // The events' input has passed V2; the views' input has not reached V1 yet.
            h.processWatermark2(new Watermark(T + 10 * MINUTE));
            h.processElement1(new StreamRecord<>(pending(V2), V2.eventTime()));
            h.processElement1(new StreamRecord<>(pending(V3), V3.eventTime()));
            assertThat(h.extractOutputValues())
                    .as("V2 on arrival; V3, ahead of the events' watermark, held")
                    .extracting(FeatureVector::eventId)
                    .containsExactly("v2");
            FeatureAssertions.assertSameVector(
                    "v2", h.extractOutputValues().get(0).values().values, expected(events(), V2));
            h.processWatermark1(new Watermark(T + 3 * HOUR));
            h.processWatermark2(new Watermark(T + 3 * HOUR));
            assertThat(h.extractOutputValues())
                    .extracting(FeatureVector::eventId)
                    .containsExactly("v2", "v3");
            FeatureAssertions.assertSameVector(
                    "v3", h.extractOutputValues().get(1).values().values, expected(events(), V3));
        }
    }

    @Test
    void arrivalOrderWithinTheBoundDoesNotChangeTheVectors() throws Exception {
        List<FeatureVector> inOrder = run(inputs());
        for (int seed = 0; seed < 8; seed++) {
            List<Object> shuffled = inputs();
            Collections.shuffle(shuffled, new Random(seed));
            assertThat(run(shuffled)).as("shuffle %d", seed).isEqualTo(inOrder);
        }
    }

    @Test
    void allStateAndTimersAreGoneThirtyDaysAfterTheLastEvent() throws Exception {
        try (var h = harness()) {
            for (Object in : inputs()) {
                if (in instanceof PendingVector p) {
                    h.processElement1(new StreamRecord<>(p, p.view().eventTime()));
                } else {
                    h.processElement2(
                            new StreamRecord<>(
                                    (CanonicalEvent) in, ((CanonicalEvent) in).eventTime()));
                }
            }
            h.processBothWatermarks(new Watermark(T + 3 * HOUR));
            assertThat(h.numKeyedStateEntries()).isPositive();
            // After 25 h the activity is gone but the profile (last purchase, loyalty) stays.
            h.processBothWatermarks(new Watermark(T + 2 * HOUR + 27 * HOUR));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processBothWatermarks(
                    new Watermark(T + 2 * HOUR + UserFeatureFunction.PROFILE_RETENTION + 2 * HOUR));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    /** Events of three users on four items over three hours: every type the user stage reads. */
    private static List<CanonicalEvent> randomHistory(Random r) {
        return randomHistory(r, 900, T, "e");
    }

    /**
     * {@code n} events of three users on four items over the three hours from {@code from}, their
     * ids starting with {@code prefix}.
     */
    private static List<CanonicalEvent> randomHistory(Random r, int n, long from, String prefix) {
        List<CanonicalEvent> events = new ArrayList<>();
        String[] tiers = {"BRONZE", "SILVER", "GOLD", "PLATINUM"};
        for (int i = 0; i < n; i++) {
            String id = prefix + i;
            String user = "u-" + r.nextInt(3);
            String item = "sku-" + Math.min(r.nextInt(5), r.nextInt(5));
            // Some events share a millisecond with another, the hardest case of "strictly before".
            long t =
                    from
                            + (r.nextInt(10) == 0
                                    ? 12 * r.nextInt(900) * 1_000L
                                    : r.nextLong(3 * HOUR));
            double kind = r.nextDouble();
            if (kind < 0.40) {
                // The category of an item is its own; the users view the items unevenly.
                events.add(view(id, user, item, t, "cat-" + item.charAt(item.length() - 1)));
            } else if (kind < 0.52) {
                events.add(click(id, user, item, t));
            } else if (kind < 0.62) {
                events.add(cartAdd(id, user, item, t));
            } else if (kind < 0.72) {
                events.add(purchase(id, user, item, t, 1 + r.nextInt(50) + r.nextInt(100) / 100.0));
            } else if (kind < 0.82) {
                events.add(loyalty(id, user, t, tiers[r.nextInt(4)], r.nextInt(10_000)));
            } else if (kind < 0.94) {
                events.add(post(id, user, t, r.nextDouble() * 2 - 1));
            } else {
                events.add(pageView(id, user, t));
            }
        }
        return events;
    }

    /**
     * The vector a view must get when it is scored after {@code arrived}: the re-scan of those
     * events, with the item and store parts the view carries.
     */
    private static double[] expected(List<CanonicalEvent> arrived, CanonicalEvent view) {
        double[] v = new FeatureRescan(arrived).vector(view);
        PendingVector p = pending(view);
        v[FeatureSpec.ITEM_VIEWS_1H] = Math.log1p(p.itemViews1h());
        v[FeatureSpec.ITEM_VIEWS_24H] = Math.log1p(p.itemViews24h());
        v[FeatureSpec.ITEM_PURCHASES_1H] = Math.log1p(p.itemPurchases1h());
        v[FeatureSpec.ITEM_PURCHASES_24H] = Math.log1p(p.itemPurchases24h());
        v[FeatureSpec.ITEM_CONVERSION_24H] =
                FeatureSpec.conversion(p.itemPurchases24h(), p.itemViews24h());
        v[FeatureSpec.STORE_FOOTFALL_15M] = 0;
        v[FeatureSpec.ITEM_LOG_PRICE] = Math.log(p.itemPrice() / 30);
        v[FeatureSpec.ITEM_PRICE_KNOWN] = 1;
        v[FeatureSpec.ITEM_LOG_CONVERSION] =
                Math.log((p.itemLifetimePurchases() + 1) / (p.itemLifetimeViews() + 10));
        v[FeatureSpec.USER_PRICE_AFFINITY] =
                v[FeatureSpec.USER_BOUGHT_LOG_PRICE] * v[FeatureSpec.ITEM_LOG_PRICE];
        return v;
    }

    /**
     * Out-of-order arrival with records behind the watermark, periodic watermarks, and a snapshot
     * and restore (on RocksDB) in the middle: every vector equals the re-scan of the events that
     * had arrived when it was emitted, so a late event is seen by every view scored after it; views
     * within the allowed lateness are scored at once, exactly; views beyond it come out as late
     * views, and nothing else does.
     */
    @Test
    void everyVectorEqualsTheRescanOfWhatHadArrivedWhateverTheOrderAndAcrossARestore()
            throws Exception {
        for (int seed = 0; seed < 3; seed++) {
            Random r = new Random(seed);
            List<CanonicalEvent> order = Disorder.arrivalOrder(randomHistory(r), r);
            // Every user's state on the heap too, then one user's, then two of the three.
            int cacheKeys = seed == 0 ? FeatureConfig.DEFAULT_STATE_CACHE_KEYS : seed;
            replay(new Disorder.Replay(order, order.size() / 2), "seed " + seed, cacheKeys);
        }
    }

    /**
     * The hard path of the lifetimes: two bursts of three hours per user, 30 days less a minute
     * (one lifetime), exactly 30 days and 31 days (two; the second after the profile's retention
     * cleared it) apart, a restore between them, and a dozen events of the first burst arriving in
     * the second, a month late. Every vector of both bursts equals the re-scan of what had arrived;
     * the state is gone a retention after the end.
     */
    @Test
    void lifetimesHoldAcrossAGapARestoreAndEventsAMonthLate() throws Exception {
        long[] gaps = {
            FeatureSpec.USER_LIFETIME_GAP_MILLIS - MINUTE,
            FeatureSpec.USER_LIFETIME_GAP_MILLIS,
            FeatureSpec.USER_LIFETIME_GAP_MILLIS + 24 * HOUR
        };
        Random r = new Random(7);
        List<CanonicalEvent> before = new ArrayList<>();
        List<CanonicalEvent> after = new ArrayList<>();
        for (int u = 0; u < gaps.length; u++) {
            String user = "u-" + u;
            // Half past an hour: the profile of a 30-day gap is not yet cleared (on the whole hour
            // after its retention) when the first event after the gap comes: the rule restarts it.
            long end = T + 3 * HOUR + 30 * MINUTE;
            long start = end + gaps[u];
            before.add(click("c-end-" + u, user, "sku-0", end));
            after.add(click("c-start-" + u, user, "sku-1", start));
            // A view that sees nothing of the new lifetime but that click.
            after.add(view("v-start-" + u, user, "sku-2", start + MINUTE, "cat-2"));
            for (CanonicalEvent e : randomHistory(r, 150, T, "a" + u)) {
                before.add(as(e, user));
            }
            for (CanonicalEvent e : randomHistory(r, 150, start + 2 * MINUTE, "b" + u)) {
                after.add(as(e, user));
            }
        }
        Set<String> scored =
                replay(
                        Disorder.acrossAGap(before, after, 12, r),
                        "gap",
                        FeatureConfig.DEFAULT_STATE_CACHE_KEYS);
        for (int u = 0; u < gaps.length; u++) {
            String user = "u-" + u;
            assertThat(after)
                    .as("views after the gap scored, user %d", u)
                    .filteredOn(e -> e.userId().equals(user))
                    .filteredOn(e -> scored.contains(e.eventId()))
                    .hasSizeGreaterThan(30);
        }
    }

    /** {@code e} as an event of {@code user}. */
    private static CanonicalEvent as(CanonicalEvent e, String user) {
        return new CanonicalEvent(
                e.schemaVersion(),
                e.eventId(),
                e.type(),
                e.source(),
                user,
                e.itemId(),
                e.storeId(),
                e.eventTime(),
                e.ingestTime(),
                e.value(),
                e.quantity(),
                e.attributes());
    }

    /**
     * Out-of-order arrival with records behind the watermark, periodic watermarks (the views' input
     * trailing the events' by 30 s in stretches, so that views the events' watermark has passed are
     * scored on arrival), and a snapshot and restore (on RocksDB) where {@code replay} says: no
     * event within the bound arrives after a later view of its user was scored (no view is scored
     * too early); every vector equals the re-scan of the events that had arrived when it was
     * emitted, so a late event is seen by every view scored after it; views within the allowed
     * lateness are scored at once, exactly; views beyond it come out as late views, and nothing
     * else does (but, after the restore, views older than the restored state may). State and timers
     * are gone a retention after the end. The function keeps {@code cacheKeys} users' state on the
     * heap too. Returns the views scored.
     */
    private static Set<String> replay(Disorder.Replay replay, String label, int cacheKeys)
            throws Exception {
        List<CanonicalEvent> order = replay.order();
        List<CanonicalEvent> arrived = new ArrayList<>();
        Set<String> expectLate = new HashSet<>();
        Set<String> scored = new HashSet<>();
        // The stage's watermark, the smaller of its inputs': the views' input trails the events' in
        // stretches, as it does in the job, where the views come through the item stage.
        long watermark = Long.MIN_VALUE;
        long viewsWatermark = Long.MIN_VALUE;
        long maxSeen = Long.MIN_VALUE;
        // Views older than the frontier before the restore may be refused after it.
        long restoredFrom = Long.MIN_VALUE;
        Set<String> mayBeLate = new HashSet<>();
        int behindWatermark = 0;
        // Views scored as they arrived though the stage's watermark had not passed them.
        int onArrival = 0;
        long eventsWatermark = Long.MIN_VALUE;
        // The events' watermark before any restore too: an event behind it is late for the stream.
        long latestEventsWatermark = Long.MIN_VALUE;
        // Per user, the newest view scored: no event before it may arrive within the bound later.
        Map<String, Long> newestScored = new HashMap<>();
        var h = harness(null, true, cacheKeys);
        List<String> late = new ArrayList<>();
        int seen = 0;
        for (int i = 0; i < order.size(); i++) {
            if (i == replay.restoreAt()) {
                OperatorSubtaskState snapshot = h.snapshot(1, 1);
                collectLate(h, late);
                h.close();
                h = harness(snapshot, true, cacheKeys);
                // The watermark is not part of a checkpoint: it starts again from nothing.
                restoredFrom = watermark;
                watermark = Long.MIN_VALUE;
                viewsWatermark = Long.MIN_VALUE;
                eventsWatermark = Long.MIN_VALUE;
                seen = 0;
            }
            CanonicalEvent e = order.get(i);
            if (e.eventTime() > latestEventsWatermark) {
                assertThat(e.eventTime())
                        .as("%s: %s within the bound, after a later view was scored", label, e)
                        .isGreaterThanOrEqualTo(
                                newestScored.getOrDefault(e.userId(), Long.MIN_VALUE));
            }
            h.processElement2(new StreamRecord<>(e, e.eventTime()));
            arrived.add(e);
            if (e.type() == EventType.PRODUCT_VIEW) {
                long t = e.eventTime();
                if (t < Disorder.frontier(watermark)) {
                    expectLate.add(e.eventId());
                } else if (t < Disorder.frontier(restoredFrom)) {
                    mayBeLate.add(e.eventId());
                } else if (t <= watermark) {
                    behindWatermark++;
                }
                int before = h.extractOutputValues().size();
                h.processElement1(new StreamRecord<>(pending(e), t));
                if (t > watermark && h.extractOutputValues().size() > before) {
                    onArrival++;
                }
            }
            seen = check(h, seen, arrived, scored, newestScored);
            maxSeen = Math.max(maxSeen, e.eventTime());
            if (i % 4 == 3
                    && Disorder.watermarkDue(i, replay.restoreAt())
                    && maxSeen - Disorder.BOUND > watermark) {
                eventsWatermark = maxSeen - Disorder.BOUND;
                latestEventsWatermark = Math.max(latestEventsWatermark, eventsWatermark);
                viewsWatermark = Disorder.viewsWatermark(i, eventsWatermark, viewsWatermark);
                h.processWatermark2(new Watermark(eventsWatermark));
                h.processWatermark1(new Watermark(viewsWatermark));
                watermark = Math.min(viewsWatermark, eventsWatermark);
                seen = check(h, seen, arrived, scored, newestScored);
            }
        }
        h.processBothWatermarks(new Watermark(maxSeen + HOUR));
        check(h, seen, arrived, scored, newestScored);
        collectLate(h, late);
        h.processBothWatermarks(
                new Watermark(maxSeen + UserFeatureFunction.PROFILE_RETENTION + 2 * HOUR));
        // On RocksDB, once a snapshot has flushed the timers' pending deletes: the entries of every
        // state and of the timers.
        h.snapshot(2, 2);
        assertThat(
                        ((RocksDBKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend())
                                .numKeyValueStateEntries())
                .as("%s: state and timers after the retention", label)
                .isZero();
        h.close();

        Set<String> notLate = new HashSet<>();
        order.stream()
                .filter(e -> e.type() == EventType.PRODUCT_VIEW)
                .forEach(e -> notLate.add(e.eventId()));
        notLate.removeAll(expectLate);
        assertThat(expectLate).as("%s: views beyond the lateness", label).isNotEmpty();
        assertThat(behindWatermark).as("%s: views within the lateness", label).isPositive();
        assertThat(onArrival).as("%s: views the events' watermark had passed", label).isPositive();
        assertThat(late).as(label).doesNotHaveDuplicates().containsAll(expectLate);
        late.removeAll(expectLate);
        assertThat(mayBeLate).as(label).containsAll(late);
        notLate.removeAll(late);
        assertThat(scored).as(label).isEqualTo(notLate);
        return scored;
    }

    /**
     * After a restore the watermark starts from nothing, but the state has settled: a view older
     * than the settled frontier is refused (it would otherwise see events after it), a view after
     * it is still scored exactly.
     */
    @Test
    void afterARestoreAViewOlderThanTheSettledStateIsRefused() throws Exception {
        var h = harness(null, true);
        List<CanonicalEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(click("c" + i, "u-1", "sku-1", T + i * 10_000L));
        }
        CanonicalEvent first = view("v0", "u-1", "sku-1", T + 5_000);
        events.add(first);
        for (CanonicalEvent e : events) {
            h.processElement2(new StreamRecord<>(e, e.eventTime()));
        }
        h.processElement1(new StreamRecord<>(pending(first), first.eventTime()));
        // Scoring v0 at T + 6 s folds nothing yet; the watermark at T + 5 min settles up to 4 min.
        h.processBothWatermarks(new Watermark(T + 5 * MINUTE));
        assertThat(h.extractOutputValues())
                .extracting(FeatureVector::eventId)
                .containsExactly("v0");
        h.processElement1(
                new StreamRecord<>(pending(view("v1", "u-1", "sku-1", T + 5 * MINUTE + 1)), 0L));
        h.processBothWatermarks(new Watermark(T + 6 * MINUTE));
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        var restored = harness(snapshot, true);
        CanonicalEvent old = view("v-old", "u-1", "sku-1", T + 2 * MINUTE + 5_000);
        CanonicalEvent recent = view("v-new", "u-1", "sku-1", T + 5 * MINUTE + 30_000);
        for (CanonicalEvent v : List.of(old, recent)) {
            restored.processElement2(new StreamRecord<>(v, v.eventTime()));
            restored.processElement1(new StreamRecord<>(pending(v), v.eventTime()));
        }
        restored.processBothWatermarks(new Watermark(T + 7 * MINUTE));
        List<String> late = new ArrayList<>();
        collectLate(restored, late);
        assertThat(late).containsExactly("v-old");
        List<FeatureVector> out = restored.extractOutputValues();
        assertThat(out).extracting(FeatureVector::eventId).containsExactly("v-new");
        List<CanonicalEvent> all = new ArrayList<>(events);
        all.add(old);
        all.add(recent);
        FeatureAssertions.assertSameVector(
                "v-new", out.get(0).values().values, expected(all, recent));
        restored.close();
    }

    /**
     * A view scored on arrival folds the recent events once ten minutes of them are behind the
     * frontier (the events' watermark ahead of the views', no timer of the view's own): a view
     * behind the watermark but within the allowed lateness is still scored exactly, and after a
     * restore (the watermark starting from nothing) a view older than the folded frontier is
     * refused, which it would not be had nothing been folded.
     */
    @Test
    void aViewScoredOnArrivalFoldsALongBacklogAndViewsWithinTheLatenessStayExact()
            throws Exception {
        var h = harness(null, true);
        List<CanonicalEvent> events = new ArrayList<>();
        for (int i = 0; i <= 44; i++) {
            events.add(click("c" + i, "u-1", "sku-" + i % 3, T + i * 30_000L));
        }
        for (CanonicalEvent e : events) {
            h.processElement2(new StreamRecord<>(e, e.eventTime()));
        }
        // The stage's watermark at 21 min (the views'), the events' at 25 min: the frontier is at
        // 20 min, the oldest recent event 20 min behind it.
        h.processWatermark1(new Watermark(T + 21 * MINUTE));
        h.processWatermark2(new Watermark(T + 25 * MINUTE));
        CanonicalEvent ahead = view("v-ahead", "u-1", "sku-1", T + 21 * MINUTE + 30_000);
        CanonicalEvent within = view("v-within", "u-1", "sku-2", T + 20 * MINUTE + 10_000);
        for (CanonicalEvent v : List.of(ahead, within)) {
            h.processElement1(new StreamRecord<>(pending(v), v.eventTime()));
        }
        List<FeatureVector> out = h.extractOutputValues();
        assertThat(out).extracting(FeatureVector::eventId).containsExactly("v-ahead", "v-within");
        FeatureAssertions.assertSameVector(
                "v-ahead", out.get(0).values().values, expected(events, ahead));
        FeatureAssertions.assertSameVector(
                "v-within", out.get(1).values().values, expected(events, within));
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        var restored = harness(snapshot, true);
        CanonicalEvent old = view("v-old", "u-1", "sku-1", T + 19 * MINUTE + 50_000);
        restored.processElement1(new StreamRecord<>(pending(old), old.eventTime()));
        restored.processBothWatermarks(new Watermark(T + 20 * MINUTE + 5_000));
        List<String> late = new ArrayList<>();
        collectLate(restored, late);
        assertThat(late).as("older than the folded frontier").containsExactly("v-old");
        assertThat(restored.extractOutputValues()).isEmpty();
        restored.close();
    }

    private static void collectLate(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, PendingVector, CanonicalEvent, FeatureVector>
                    h,
            List<String> late) {
        var records = h.getSideOutput(LATE);
        if (records != null) {
            for (StreamRecord<LateView> l : records) {
                assertThat(l.getValue().stage()).isEqualTo("user");
                late.add(l.getValue().view().eventId());
            }
        }
    }

    /**
     * As {@link #check(KeyedTwoInputStreamOperatorTestHarness, int, List, Set)}, also noting per
     * user the newest view scored.
     */
    private static int check(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, PendingVector, CanonicalEvent, FeatureVector>
                    h,
            int seen,
            List<CanonicalEvent> arrived,
            Set<String> scored,
            Map<String, Long> newestScored) {
        int now = check(h, seen, arrived, scored);
        for (FeatureVector fv : h.extractOutputValues().subList(seen, now)) {
            newestScored.merge(fv.userId(), fv.eventTime(), Math::max);
        }
        return now;
    }

    /** Checks the vectors emitted since the {@code seen}-th; returns how many there are now. */
    private static int check(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, PendingVector, CanonicalEvent, FeatureVector>
                    h,
            int seen,
            List<CanonicalEvent> arrived,
            Set<String> scored) {
        List<FeatureVector> out = h.extractOutputValues();
        for (FeatureVector fv : out.subList(seen, out.size())) {
            CanonicalEvent view =
                    arrived.stream()
                            .filter(e -> e.eventId().equals(fv.eventId()))
                            .findFirst()
                            .orElseThrow();
            FeatureAssertions.assertSameVector(
                    fv.eventId(), fv.values().values, expected(arrived, view));
            assertThat(scored.add(fv.eventId())).as("one vector per view").isTrue();
        }
        return out.size();
    }
}
