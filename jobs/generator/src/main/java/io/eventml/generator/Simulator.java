package io.eventml.generator;

import io.eventml.common.event.EventSource;
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
import java.util.HashMap;
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
 * <p>The sessions are {@link SessionModel}'s, the corruption, delays and duplicates {@link
 * NoiseModel}'s; this class adds social posts and store sensors, deals the world out to shards and
 * delivers the records tick by tick.
 *
 * <p>Not thread-safe: one instance per source subtask.
 */
public final class Simulator {
    /** Measured mean number of records one session produces (see SimulatorTest). */
    static final double RECORDS_PER_SESSION = 6.5;

    /** Fraction of records that are social posts. */
    static final double SOCIAL_SHARE = 0.02;

    /** Footfall every 10 s and temperature every 60 s per store, in ticks. */
    static final int FOOTFALL_EVERY_TICKS = 100;

    static final int TEMPERATURE_EVERY_TICKS = 600;

    private static final ZoneOffset[] POSTER_OFFSETS = {
        ZoneOffset.UTC,
        ZoneOffset.ofHours(1),
        ZoneOffset.ofHours(-5),
        ZoneOffset.ofHoursMinutes(5, 30)
    };

    private final GeneratorConfig config;
    private final RetailWorld world;
    private final SessionModel sessionModel;
    private final NoiseModel noiseModel;
    private final long tickMs;
    private final double sessionsPerTick;
    private final double socialPerTick;
    private final long lookbackTicks;

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
        this.sessionModel = new SessionModel(config, world);
        this.noiseModel = new NoiseModel(config, shard, shards);
        this.tickMs = GeneratorConfig.TICK.toMillis();
        double recordsPerTick = config.eventsPerSecond() * tickMs / 1000.0;
        double sensorsPerTick =
                config.stores() * (1.0 / FOOTFALL_EVERY_TICKS + 1.0 / TEMPERATURE_EVERY_TICKS);
        this.socialPerTick = SOCIAL_SHARE * recordsPerTick;
        this.sessionsPerTick =
                Math.max(
                        0.01,
                        (recordsPerTick - sensorsPerTick - socialPerTick) / RECORDS_PER_SESSION);
        this.lookbackTicks = (SessionModel.MAX_SESSION_MS + noiseModel.maxDelayMs()) / tickMs + 2;
    }

    public GeneratorConfig config() {
        return config;
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

    /**
     * The generator's own purchase probability of every product view in sessions that start in
     * ticks {@code [from, to)}, by the view's canonical event id ({@code clickstream:<hit id>}):
     * the ground truth a model of these views can at best recover. Only the views this shard makes.
     */
    public Map<String, Double> viewProbabilities(long from, long to) {
        Map<String, Double> truth = new HashMap<>();
        List<Draft> ignored = new ArrayList<>();
        for (long tick = from; tick < to; tick++) {
            int sessions =
                    Seeds.poisson(
                            Seeds.random(config.seed(), Seeds.SESSIONS, tick), sessionsPerTick);
            for (int k = 0; k < sessions; k++) {
                if (mine(tick + k)) {
                    sessionModel.session(
                            tick, k, ignored, (hit, p) -> truth.put("clickstream:" + hit, p));
                    ignored.clear();
                }
            }
        }
        return truth;
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
                sessionModel.session(tick, k, drafts);
            }
        }
        socialPosts(tick, drafts);
        sensorReadings(tick, drafts);
        return noiseModel.apply(tick, drafts);
    }

    /** Whether the {@code n}-th thing of its kind belongs to this shard. */
    private boolean mine(long n) {
        return shards == 1 || Math.floorMod(n, shards) == shard;
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
                mentions.add(RetailWorld.sku(sessionModel.candidate(r, u)));
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

    @SuppressWarnings("unchecked")
    static <T> Codec<T> codec(Codec<?> codec) {
        return (Codec<T>) codec;
    }
}
