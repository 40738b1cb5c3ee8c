package io.eventml.generator;

import io.eventml.common.event.EventSource;
import io.eventml.common.raw.ClickAction;
import io.eventml.common.raw.ClickstreamEvent;
import io.eventml.common.raw.LoyaltyEvent;
import io.eventml.common.raw.OrderChannel;
import io.eventml.common.raw.OrderEvent;
import io.eventml.common.raw.OrderLine;
import io.eventml.common.raw.SensorMetric;
import io.eventml.common.raw.SensorReading;
import io.eventml.common.raw.SocialPost;
import io.eventml.common.serde.Codec;
import io.eventml.common.topic.Topics;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Generates the raw records of the simulated world, one tick (100 ms of simulated time) at a time.
 *
 * <p>{@link #batch(long)} returns the records <em>delivered</em> during a tick, ordered by delivery
 * time. Every record is a pure function of the config and of the tick and session it belongs to, so
 * a batch does not depend on which batches were asked for before: the Flink source can split the
 * tick range across subtasks and restore from any tick, and gets exactly the same records. Asking
 * for ticks in order is cheap; a jump (the first call of a split, or a restore) re-simulates the
 * few minutes of sessions that can still deliver into the requested tick.
 *
 * <p>Not thread-safe: one instance per source subtask.
 */
public final class Simulator {
    /** Sessions end within this much simulated time. */
    static final long MAX_SESSION_MS = 10 * 60_000;

    /** Mean gap between two actions in a session. */
    static final double MEAN_GAP_MS = 15_000;

    /** Measured mean number of records one session produces (see SimulatorTest). */
    static final double RECORDS_PER_SESSION = 6.5;

    /** Fraction of records that are social posts. */
    static final double SOCIAL_SHARE = 0.02;

    /** Footfall every 10 s and temperature every 60 s per store, in ticks. */
    static final int FOOTFALL_EVERY_TICKS = 100;

    static final int TEMPERATURE_EVERY_TICKS = 600;

    /** Duplicates are re-sent within this long after the original. */
    static final long DUPLICATE_WITHIN_MS = 2_000;

    private static final ZoneOffset[] POSTER_OFFSETS = {
        ZoneOffset.UTC,
        ZoneOffset.ofHours(1),
        ZoneOffset.ofHours(-5),
        ZoneOffset.ofHoursMinutes(5, 30)
    };

    private final GeneratorConfig config;
    private final RetailWorld world;
    private final long tickMs;
    private final double sessionsPerTick;
    private final double socialPerTick;
    private final long lookbackTicks;

    private final Codec<ClickstreamEvent> clickstream = codec(Topics.RAW_CLICKSTREAM.valueCodec());
    private final Codec<OrderEvent> orders = codec(Topics.RAW_ORDERS.valueCodec());
    private final Codec<LoyaltyEvent> loyalty = codec(Topics.RAW_LOYALTY.valueCodec());
    private final Codec<SocialPost> social = codec(Topics.RAW_SOCIAL.valueCodec());
    private final Codec<SensorReading> sensors = codec(Topics.RAW_SENSORS.valueCodec());

    /** Records generated but not yet delivered, by delivery tick. */
    private final TreeMap<Long, List<RawRecord>> pending = new TreeMap<>();

    private long nextOriginTick;
    private long lastBatch = Long.MIN_VALUE;

    /** This simulator's share of the world: sessions, posts and stores of shard {@code shard}. */
    private final int shard;

    private final int shards;

    /** The whole world. */
    public Simulator(GeneratorConfig config) {
        this(config, 0, 1);
    }

    /**
     * One of {@code shards} disjoint shares of the world, for parallel generation: the sessions and
     * social posts of a tick and the stores are dealt round-robin over the shards, so the shards
     * together make exactly the sessions, posts and readings of the whole world. The noise is drawn
     * per shard, so with noise the records depend on the number of shards.
     */
    public Simulator(GeneratorConfig config, int shard, int shards) {
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException(
                    "shard " + shard + " of " + shards + " is not a shard");
        }
        this.shard = shard;
        this.shards = shards;
        this.config = config;
        this.world =
                new RetailWorld(
                        config.seed(),
                        config.users(),
                        config.items(),
                        config.stores(),
                        config.categories());
        this.tickMs = GeneratorConfig.TICK.toMillis();
        double recordsPerTick = config.eventsPerSecond() * tickMs / 1000.0;
        double sensorsPerTick =
                config.stores() * (1.0 / FOOTFALL_EVERY_TICKS + 1.0 / TEMPERATURE_EVERY_TICKS);
        this.socialPerTick = SOCIAL_SHARE * recordsPerTick;
        this.sessionsPerTick =
                Math.max(
                        0.01,
                        (recordsPerTick - sensorsPerTick - socialPerTick) / RECORDS_PER_SESSION);
        long boundMs = config.noise().outOfOrderBound().toMillis();
        long maxDelayMs = 2 * boundMs + 1 + DUPLICATE_WITHIN_MS;
        this.lookbackTicks = (MAX_SESSION_MS + maxDelayMs) / tickMs + 2;
    }

    public RetailWorld world() {
        return world;
    }

    /** The records delivered during {@code tick}, in delivery order. */
    public List<RawRecord> batch(long tick) {
        if (tick < 0 || tick >= config.ticks()) {
            throw new IllegalArgumentException(
                    "tick " + tick + " is outside [0, " + config.ticks() + ")");
        }
        if (tick != lastBatch + 1) {
            pending.clear();
            nextOriginTick = Math.max(0, tick - lookbackTicks);
        }
        lastBatch = tick;
        while (nextOriginTick <= tick) {
            for (RawRecord r : originate(nextOriginTick)) {
                long deliveryTick =
                        Math.floorDiv(r.deliveryTime() - config.startTime().toEpochMilli(), tickMs);
                if (deliveryTick >= tick) {
                    pending.computeIfAbsent(deliveryTick, t -> new ArrayList<>()).add(r);
                }
            }
            nextOriginTick++;
        }
        List<RawRecord> delivered = pending.remove(tick);
        if (delivered == null) {
            return List.of();
        }
        delivered.sort(Comparator.comparingLong(RawRecord::deliveryTime));
        return delivered;
    }

    /** All records delivered in ticks {@code [from, to)}, in delivery order. */
    public List<RawRecord> records(long from, long to) {
        List<RawRecord> all = new ArrayList<>();
        for (long t = from; t < to; t++) {
            all.addAll(batch(t));
        }
        return all;
    }

    // ---- what happens in one tick ----

    /**
     * The records whose story starts in {@code tick}: sessions, social posts, sensor readings; with
     * noise.
     */
    List<RawRecord> originate(long tick) {
        List<Draft> drafts = new ArrayList<>();
        int sessions =
                Seeds.poisson(Seeds.random(config.seed(), Seeds.SESSIONS, tick), sessionsPerTick);
        for (int k = 0; k < sessions; k++) {
            if (mine(tick + k)) {
                session(tick, k, drafts);
            }
        }
        socialPosts(tick, drafts);
        sensorReadings(tick, drafts);
        return withNoise(tick, drafts);
    }

    /** Whether the {@code n}-th thing of its kind belongs to this shard. */
    private boolean mine(long n) {
        return shards == 1 || Math.floorMod(n, shards) == shard;
    }

    private void session(long tick, int k, List<Draft> out) {
        SplittableRandom r = Seeds.random(config.seed(), Seeds.SESSION, tick, k);
        int u = r.nextInt(world.users());
        for (int attempt = 0; attempt < 4 && r.nextDouble() > world.engagement[u]; attempt++) {
            u = r.nextInt(world.users());
        }
        long start = config.tickStart(tick) + r.nextInt((int) tickMs);
        long end = start + MAX_SESSION_MS;
        boolean inStore = r.nextDouble() < 0.15;
        String sessionId = "s-" + tick + "-" + k;
        String device = inStore ? "store-kiosk" : r.nextDouble() < 0.6 ? "mobile" : "desktop";
        String sessionStore = inStore ? RetailWorld.storeId(world.homeStore[u]) : null;
        String userId = RetailWorld.userId(u);
        String prefix = "c-" + tick + "-" + k + "-";
        int views = 1 + Seeds.poisson(r, 3 * world.engagement[u]);

        long time = start;
        int n = 0;
        String referrer = null;
        Map<Integer, Integer> viewsOf = new LinkedHashMap<>();
        Map<Integer, Integer> bought = new LinkedHashMap<>();
        for (int v = 0; v < views && time < end; v++) {
            if (r.nextDouble() < 0.5) {
                int category =
                        r.nextDouble() < 0.6
                                ? world.favouriteCategory[u]
                                : r.nextInt(world.categories());
                String page = "/c/" + category;
                out.add(
                        click(
                                prefix + n++,
                                sessionId,
                                userId,
                                ClickAction.PAGE_VIEW,
                                null,
                                page,
                                referrer,
                                device,
                                sessionStore,
                                time));
                referrer = page;
                time += gap(r);
            }
            int item = pickItem(r, u);
            int seen = viewsOf.merge(item, 1, Integer::sum);
            String page = "/p/" + RetailWorld.sku(item);
            out.add(
                    click(
                            prefix + n++,
                            sessionId,
                            userId,
                            ClickAction.PRODUCT_VIEW,
                            RetailWorld.sku(item),
                            page,
                            referrer,
                            device,
                            sessionStore,
                            time));
            referrer = page;
            time += gap(r);
            if (r.nextDouble() < 0.3) {
                int other = sameCategory(r, item);
                out.add(
                        click(
                                prefix + n++,
                                sessionId,
                                userId,
                                ClickAction.CLICK,
                                RetailWorld.sku(other),
                                page,
                                referrer,
                                device,
                                sessionStore,
                                time));
                time += gap(r);
            }
            double p = world.purchaseProbability(u, item, inStore, seen);
            if (!bought.containsKey(item) && r.nextDouble() < p) {
                bought.put(item, r.nextDouble() < 0.2 ? 2 : 1);
                out.add(
                        click(
                                prefix + n++,
                                sessionId,
                                userId,
                                ClickAction.ADD_TO_CART,
                                RetailWorld.sku(item),
                                "/cart",
                                page,
                                device,
                                sessionStore,
                                time));
                time += gap(r);
            } else if (r.nextDouble() < 0.3 * p) {
                // Added, then abandoned.
                out.add(
                        click(
                                prefix + n++,
                                sessionId,
                                userId,
                                ClickAction.ADD_TO_CART,
                                RetailWorld.sku(item),
                                "/cart",
                                page,
                                device,
                                sessionStore,
                                time));
                time += gap(r);
            }
        }
        if (!bought.isEmpty()) {
            time = Math.min(time, end);
            List<OrderLine> lines = new ArrayList<>();
            double total = 0;
            for (Map.Entry<Integer, Integer> b : bought.entrySet()) {
                OrderLine line =
                        new OrderLine(
                                RetailWorld.sku(b.getKey()), b.getValue(), world.price[b.getKey()]);
                lines.add(line);
                total += line.total();
            }
            String storeId = sessionStore;
            OrderChannel channel =
                    inStore
                            ? OrderChannel.STORE
                            : "mobile".equals(device) ? OrderChannel.APP : OrderChannel.WEB;
            OrderEvent order =
                    new OrderEvent(
                            "o-" + tick + "-" + k,
                            userId,
                            storeId,
                            channel,
                            "EUR",
                            time / 1000,
                            lines);
            out.add(
                    new Draft(
                            EventSource.ORDERS,
                            userId,
                            orders.encode(order),
                            order.createdAt() * 1000));
            long points = Math.round(total);
            long loyaltyTime = time + 1000 + r.nextInt(4000);
            LoyaltyEvent update =
                    new LoyaltyEvent(
                            userId,
                            world.tier[u],
                            points,
                            world.pointsBase[u] + points,
                            "purchase",
                            loyaltyTime);
            out.add(new Draft(EventSource.LOYALTY, userId, loyalty.encode(update), loyaltyTime));
        }
    }

    private Draft click(
            String eventId,
            String sessionId,
            String userId,
            ClickAction action,
            String itemId,
            String page,
            String referrer,
            String device,
            String storeId,
            long time) {
        ClickstreamEvent e =
                new ClickstreamEvent(
                        eventId,
                        sessionId,
                        userId,
                        action,
                        itemId,
                        page,
                        referrer,
                        device,
                        storeId,
                        Instant.ofEpochMilli(time),
                        itemId == null
                                ? null
                                : "cat-" + world.categoryOf(Integer.parseInt(itemId.substring(4))));
        return new Draft(EventSource.CLICKSTREAM, userId, clickstream.encode(e), time);
    }

    private long gap(SplittableRandom r) {
        return 1000 + (long) (-MEAN_GAP_MS * Math.log(1.0 - r.nextDouble()));
    }

    /**
     * An item: often from the user's favourite category, and the better of two candidates more
     * often than not.
     */
    private int pickItem(SplittableRandom r, int u) {
        int a = candidate(r, u);
        int b = candidate(r, u);
        boolean preferBetter = r.nextDouble() < 0.7;
        return (world.quality[a] >= world.quality[b]) == preferBetter ? a : b;
    }

    private int candidate(SplittableRandom r, int u) {
        if (r.nextDouble() < 0.6) {
            int c = world.favouriteCategory[u];
            int perCategory = (world.items() - c + world.categories() - 1) / world.categories();
            return c + world.categories() * r.nextInt(perCategory);
        }
        return r.nextInt(world.items());
    }

    private int sameCategory(SplittableRandom r, int item) {
        int c = world.categoryOf(item);
        int perCategory = (world.items() - c + world.categories() - 1) / world.categories();
        return c + world.categories() * r.nextInt(perCategory);
    }

    private void socialPosts(long tick, List<Draft> out) {
        SplittableRandom r = Seeds.random(config.seed(), Seeds.SOCIAL, tick);
        int posts = Seeds.poisson(r, socialPerTick);
        for (int n = 0; n < posts; n++) {
            int u = r.nextInt(world.users());
            double sentiment = Math.tanh(0.8 * world.mood[u] + 0.5 * Seeds.gaussian(r));
            sentiment = Math.round(sentiment * 1000) / 1000.0;
            List<String> mentions = new ArrayList<>();
            if (r.nextDouble() < 0.5) {
                mentions.add(RetailWorld.sku(candidate(r, u)));
            }
            long time = config.tickStart(tick) + r.nextInt((int) tickMs);
            ZoneOffset offset = POSTER_OFFSETS[r.nextInt(POSTER_OFFSETS.length)];
            OffsetDateTime postedAt = Instant.ofEpochMilli(time).atOffset(offset);
            SocialPost post =
                    new SocialPost(
                            "p-" + tick + "-" + n,
                            RetailWorld.handle(u),
                            RetailWorld.userId(u),
                            sentiment,
                            mentions,
                            postedAt);
            // Every shard draws every post (one random stream per tick) and keeps its own.
            if (mine(tick + n)) {
                out.add(new Draft(EventSource.SOCIAL, post.handle(), social.encode(post), time));
            }
        }
    }

    private void sensorReadings(long tick, List<Draft> out) {
        for (int s = 0; s < world.stores(); s++) {
            if (!mine(s)) {
                continue;
            }
            long time = config.tickStart(tick) + (s * 37L) % tickMs;
            if ((tick + s * 7L) % FOOTFALL_EVERY_TICKS == 0) {
                SplittableRandom r = Seeds.random(config.seed(), Seeds.SENSOR, tick, s);
                double mean = world.footfallPerReading[s] * openingFactor(time);
                SensorReading reading =
                        new SensorReading(
                                "dev-" + s + "-door",
                                RetailWorld.storeId(s),
                                SensorMetric.FOOTFALL,
                                Seeds.poisson(r, mean),
                                time);
                out.add(
                        new Draft(
                                EventSource.SENSORS,
                                reading.deviceId(),
                                sensors.encode(reading),
                                time));
            }
            if ((tick + s * 13L) % TEMPERATURE_EVERY_TICKS == 0) {
                SplittableRandom r = Seeds.random(config.seed(), Seeds.SENSOR, tick, -1 - s);
                double hour = hourOfDay(time);
                double celsius =
                        19 + 2 * Math.sin(2 * Math.PI * (hour - 9) / 24) + 0.3 * Seeds.gaussian(r);
                SensorReading reading =
                        new SensorReading(
                                "dev-" + s + "-climate",
                                RetailWorld.storeId(s),
                                SensorMetric.TEMPERATURE_C,
                                Math.round(celsius * 10) / 10.0,
                                time);
                out.add(
                        new Draft(
                                EventSource.SENSORS,
                                reading.deviceId(),
                                sensors.encode(reading),
                                time));
            }
        }
    }

    /** Stores are busy in the afternoon, quiet at night. */
    private static double openingFactor(long time) {
        double hour = hourOfDay(time);
        if (hour < 8 || hour >= 22) {
            return 0.05;
        }
        return 0.3 + 1.4 * Math.sin(Math.PI * (hour - 8) / 14);
    }

    private static double hourOfDay(long epochMillis) {
        return (Math.floorMod(epochMillis, 86_400_000L)) / 3_600_000.0;
    }

    /** Corruption, delays and duplicates, decided per record from the noise stream of the tick. */
    private List<RawRecord> withNoise(long tick, List<Draft> drafts) {
        GeneratorConfig.Noise noise = config.noise();
        SplittableRandom r =
                shards == 1
                        ? Seeds.random(config.seed(), Seeds.NOISE, tick)
                        : Seeds.random(config.seed(), Seeds.NOISE, tick, shard);
        long boundMs = noise.outOfOrderBound().toMillis();
        List<RawRecord> out = new ArrayList<>(drafts.size() + 4);
        for (Draft d : drafts) {
            boolean corrupt = r.nextDouble() < noise.malformed();
            Corruption corruption = Corruption.pick(r.nextDouble());
            boolean duplicate = r.nextDouble() < noise.duplicates();
            long duplicateDelay = 1 + r.nextLong(DUPLICATE_WITHIN_MS);
            double delayKind = r.nextDouble();
            long delayWithin = r.nextLong(boundMs + 1);
            long delay = 0;
            if (delayKind < noise.outOfOrder()) {
                delay = delayWithin;
            } else if (delayKind < noise.outOfOrder() + noise.late()) {
                delay = boundMs + 1 + delayWithin;
            }
            byte[] value = corrupt ? corruption.apply(d.source, d.value) : d.value;
            RawRecord record =
                    new RawRecord(
                            d.source,
                            d.key,
                            value,
                            d.eventTime,
                            d.eventTime + delay,
                            corrupt ? corruption.name() : null,
                            false);
            out.add(record);
            if (duplicate) {
                out.add(record.asDuplicate(record.deliveryTime() + duplicateDelay));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> Codec<T> codec(Codec<?> codec) {
        return (Codec<T>) codec;
    }

    /** A well-formed record before noise. */
    private record Draft(EventSource source, String key, byte[] value, long eventTime) {}
}
