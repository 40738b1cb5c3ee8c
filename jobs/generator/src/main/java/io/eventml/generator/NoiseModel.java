package io.eventml.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the transport does to well-formed records: corrupts some (a {@link Corruption}), delays some
 * within the out-of-order bound and some beyond it (late), and re-sends some (duplicates), each
 * decided per record from the noise stream of its tick (of its shard's, when sharded).
 */
final class NoiseModel {
    /** Duplicates are re-sent within this long after the original. */
    static final long DUPLICATE_WITHIN_MS = 2_000;

    private final GeneratorConfig config;
    private final int shard;
    private final int shards;

    NoiseModel(GeneratorConfig config, int shard, int shards) {
        this.config = config;
        this.shard = shard;
        this.shards = shards;
    }

    /** The longest a record can be delivered after its event time. */
    long maxDelayMs() {
        return 2 * config.noise().outOfOrderBound().toMillis() + 1 + DUPLICATE_WITHIN_MS;
    }

    /** Corruption, delays and duplicates, decided per record from the noise stream of the tick. */
    List<RawRecord> apply(long tick, List<Draft> drafts) {
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
            byte[] value = corrupt ? corruption.apply(d.source(), d.value()) : d.value();
            RawRecord record =
                    new RawRecord(
                            d.source(),
                            d.key(),
                            value,
                            d.eventTime(),
                            d.eventTime() + delay,
                            corrupt ? corruption.name() : null,
                            false);
            out.add(record);
            if (duplicate) {
                out.add(record.asDuplicate(record.deliveryTime() + duplicateDelay));
            }
        }
        return out;
    }
}
