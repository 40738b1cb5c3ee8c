package io.eventml.generator;

import io.eventml.common.config.JobArgs;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Everything that defines a generated stream. The same config gives the same records, byte for
 * byte.
 *
 * @param seed seed of the world and of every decision
 * @param users number of users
 * @param items number of items
 * @param stores number of stores
 * @param categories number of item categories
 * @param eventsPerSecond expected records per second of simulated time (the world's activity)
 * @param throttled whether the job paces simulated time to the wall clock ({@code --rate N}) or
 *     runs as fast as it can ({@code --rate unbounded})
 * @param startTime simulated time of tick 0
 * @param ticks number of 100 ms ticks to generate; {@link Long#MAX_VALUE} for an unbounded stream
 * @param noise what goes wrong on the way
 * @param shiftTick the tick from which the world is shifted ({@link
 *     RetailWorld#purchaseProbability}): in-store sessions convert worse than online ones instead
 *     of better, every purchase about half as likely; {@link Long#MAX_VALUE}: never
 */
public record GeneratorConfig(
        long seed,
        int users,
        int items,
        int stores,
        int categories,
        double eventsPerSecond,
        boolean throttled,
        Instant startTime,
        long ticks,
        Noise noise,
        long shiftTick)
        implements Serializable {

    /**
     * Simulated time advances in ticks of this length; one tick is one element of the Flink source.
     */
    public static final Duration TICK = Duration.ofMillis(100);

    /** Items fall into this many categories. */
    public static final int CATEGORIES = 12;

    /** Density used when the rate is unbounded: records per simulated second. */
    public static final double UNBOUNDED_DENSITY = 1000;

    public GeneratorConfig {
        require(users >= 1, "users must be at least 1, got " + users);
        require(
                items >= categories,
                "items ("
                        + items
                        + ") must be at least the number of categories ("
                        + categories
                        + ")");
        require(stores >= 1, "stores must be at least 1, got " + stores);
        require(categories >= 1, "categories must be at least 1, got " + categories);
        require(eventsPerSecond > 0, "events per second must be positive, got " + eventsPerSecond);
        require(ticks >= 1, "ticks must be at least 1, got " + ticks);
        java.util.Objects.requireNonNull(startTime, "startTime");
        java.util.Objects.requireNonNull(noise, "noise");
        require(shiftTick >= 0, "the shift must not come before the start, got tick " + shiftTick);
    }

    /** A world that never shifts. */
    public GeneratorConfig(
            long seed,
            int users,
            int items,
            int stores,
            int categories,
            double eventsPerSecond,
            boolean throttled,
            Instant startTime,
            long ticks,
            Noise noise) {
        this(
                seed,
                users,
                items,
                stores,
                categories,
                eventsPerSecond,
                throttled,
                startTime,
                ticks,
                noise,
                Long.MAX_VALUE);
    }

    /** The same stream, its world shifted from {@code after} of simulated time on. */
    public GeneratorConfig withShiftAfter(Duration after) {
        return new GeneratorConfig(
                seed,
                users,
                items,
                stores,
                categories,
                eventsPerSecond,
                throttled,
                startTime,
                ticks,
                noise,
                after.toMillis() / TICK.toMillis());
    }

    /** The same world and stream, its tick 0 at {@code start}. */
    public GeneratorConfig withStartTime(Instant start) {
        return new GeneratorConfig(
                seed,
                users,
                items,
                stores,
                categories,
                eventsPerSecond,
                throttled,
                start,
                ticks,
                noise,
                shiftTick);
    }

    /** Whether the world is shifted in {@code tick}. */
    public boolean shifted(long tick) {
        return tick >= shiftTick;
    }

    /**
     * Noise on the way to Kafka.
     *
     * @param malformed fraction of records whose payload is corrupted (they must end in the DLQ)
     * @param duplicates fraction of records sent a second time, byte for byte, within two seconds
     * @param outOfOrder fraction of records delivered late but within {@code outOfOrderBound}
     * @param outOfOrderBound how late an out-of-order record may be
     * @param late fraction of records delivered later than the bound (late for the watermark)
     */
    public record Noise(
            double malformed,
            double duplicates,
            double outOfOrder,
            Duration outOfOrderBound,
            double late)
            implements Serializable {

        public static final Noise NONE = new Noise(0, 0, 0, Duration.ofSeconds(5), 0);

        public Noise {
            require(malformed >= 0 && malformed <= 1, "malformed must be a fraction in [0, 1]");
            require(duplicates >= 0 && duplicates <= 1, "duplicates must be a fraction in [0, 1]");
            require(
                    outOfOrder >= 0 && outOfOrder <= 1,
                    "out-of-order must be a fraction in [0, 1]");
            require(late >= 0 && late <= 1, "late must be a fraction in [0, 1]");
            require(outOfOrder + late <= 1, "out-of-order + late must not exceed 1");
            require(!outOfOrderBound.isNegative(), "out-of-order bound must not be negative");
        }
    }

    /** The tick that simulated time {@code time} (epoch ms) falls in. */
    public long tickOf(long time) {
        return Math.floorDiv(time - startTime.toEpochMilli(), TICK.toMillis());
    }

    /** Simulated time of the start of {@code tick}, epoch ms. */
    public long tickStart(long tick) {
        return startTime.toEpochMilli() + tick * TICK.toMillis();
    }

    /** Reads the world and noise arguments of the generator job. */
    public static GeneratorConfig fromArgs(JobArgs args, Clock clock) {
        long seed =
                args.longValue(
                        "seed", 42, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the simulated world");
        int users = args.intValue("users", 50_000, 1, 10_000_000, "number of users");
        int items =
                args.intValue(
                        "items",
                        2_000,
                        CATEGORIES,
                        10_000_000,
                        "number of items (at least the 12 categories)");
        int stores = args.intValue("stores", 5, 1, 10_000, "number of stores");
        String rate =
                args.string(
                        "rate",
                        "200",
                        "records per second, or 'unbounded' to generate as fast as possible");
        double eventsPerSecond;
        boolean throttled;
        if (rate.equalsIgnoreCase("unbounded")) {
            eventsPerSecond = UNBOUNDED_DENSITY;
            throttled = false;
        } else {
            try {
                eventsPerSecond = Double.parseDouble(rate);
            } catch (NumberFormatException e) {
                eventsPerSecond = -1;
            }
            if (!(eventsPerSecond >= 1 && eventsPerSecond <= 1_000_000)) {
                throw new JobArgs.InvalidArgumentsException(
                        "generator: --rate is '"
                                + rate
                                + "', expected records per second from 1 to 1000000, or 'unbounded'");
            }
            throttled = true;
        }
        Instant start =
                args.instant(
                        "start-time",
                        clock.instant(),
                        "simulated time of the first event (ISO-8601)");
        Duration duration =
                args.duration("duration", null, TICK, "simulated time to generate, e.g. 10m");
        long events =
                args.longValue(
                        "events",
                        0,
                        0,
                        Long.MAX_VALUE,
                        "about how many records to generate (0: no limit)");
        if (duration != null && events > 0) {
            throw new JobArgs.InvalidArgumentsException(
                    "generator: give either --duration or --events, not both");
        }
        long ticks = Long.MAX_VALUE;
        if (duration != null) {
            ticks = Math.max(1, duration.toMillis() / TICK.toMillis());
        } else if (events > 0) {
            ticks =
                    Math.max(
                            1,
                            (long)
                                    Math.ceil(
                                            events / (eventsPerSecond * TICK.toMillis() / 1000.0)));
        }
        double malformed =
                args.fraction("malformed", 0.01, "fraction of records with a corrupted payload");
        double duplicates = args.fraction("duplicates", 0.01, "fraction of records sent twice");
        double outOfOrder =
                args.fraction("out-of-order", 0.05, "fraction of records delayed within the bound");
        Duration bound =
                args.duration(
                        "out-of-order-bound",
                        Duration.ofSeconds(5),
                        Duration.ZERO,
                        "the out-of-order bound");
        double late = args.fraction("late", 0.001, "fraction of records delayed beyond the bound");
        Duration shiftAfter =
                args.duration(
                        "shift-after",
                        null,
                        Duration.ZERO,
                        "simulated time after the start from which the world is shifted (in-store"
                                + " sessions convert worse than online ones, every purchase about"
                                + " half as likely), to test drift detection; default: never");
        try {
            GeneratorConfig config =
                    new GeneratorConfig(
                            seed,
                            users,
                            items,
                            stores,
                            CATEGORIES,
                            eventsPerSecond,
                            throttled,
                            start,
                            ticks,
                            new Noise(malformed, duplicates, outOfOrder, bound, late));
            return shiftAfter == null ? config : config.withShiftAfter(shiftAfter);
        } catch (IllegalArgumentException e) {
            throw new JobArgs.InvalidArgumentsException("generator: " + e.getMessage());
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
