package io.eventml.generator;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceEnumerator;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceReaderBase;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimitedSourceReader;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.NumberSequenceIterator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulated world as a Flink source: one element is the batch of records one shard delivers in
 * one tick ({@link Simulator#batch}). At parallelism p the world is generated in p shards, one
 * split each, every shard running through every tick in order.
 *
 * <p>A split holds its shard, the number of shards, the simulated time of tick 0 and the next tick.
 * So a generator restored from a checkpoint or savepoint continues its own simulated timeline,
 * whatever {@code --start-time} it is given (that flag sets the start of a fresh run only), and a
 * restore at another parallelism is refused with a message instead of generating other shards'
 * ticks.
 *
 * <p>Splits of version 1 are those of Flink's {@code DataGeneratorSource}, which this job used up
 * to 0.1.0: an index range in which index {@code i} is tick {@code i % n} of shard {@code i / n}.
 * They are read with the start time, parallelism and length this job is submitted with, as that
 * source read them.
 */
final class TickSource
        implements Source<List<RawRecord>, TickSource.TickSplit, Collection<TickSource.TickSplit>>,
                ResultTypeQueryable<List<RawRecord>> {
    private static final long serialVersionUID = 1L;

    private static final long TICKS_PER_SECOND = 1000 / GeneratorConfig.TICK.toMillis();

    private final GeneratorConfig config;
    private final int shards;

    /** The world of {@code config} in {@code shards} shards, one per subtask. */
    TickSource(GeneratorConfig config, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, got " + shards);
        }
        this.config = config;
        this.shards = shards;
    }

    @Override
    public Boundedness getBoundedness() {
        return config.ticks() == Long.MAX_VALUE
                ? Boundedness.CONTINUOUS_UNBOUNDED
                : Boundedness.BOUNDED;
    }

    @Override
    public TypeInformation<List<RawRecord>> getProducedType() {
        return Types.LIST(TypeInformation.of(RawRecord.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public SourceReader<List<RawRecord>, TickSplit> createReader(SourceReaderContext context) {
        // Throttled, all shards advance at ten ticks a second each, so simulated time follows the
        // wall clock.
        RateLimiterStrategy<TickSplit> pace =
                config.throttled()
                        ? RateLimiterStrategy.perSecond(TICKS_PER_SECOND * shards)
                        : RateLimiterStrategy.noOp();
        RateLimiter<TickSplit> limiter = pace.createRateLimiter(context.currentParallelism());
        return new RateLimitedSourceReader<>(new TickReader(context, config), limiter);
    }

    @Override
    public SplitEnumerator<TickSplit, Collection<TickSplit>> createEnumerator(
            SplitEnumeratorContext<TickSplit> context) {
        long start = config.startTime().toEpochMilli();
        List<TickSplit> splits = new ArrayList<>(shards);
        for (int shard = 0; shard < shards; shard++) {
            splits.add(
                    new TickSplit(
                            String.valueOf(shard), shard, shards, start, 0, config.ticks() - 1));
        }
        return new IteratorSourceEnumerator<>(context, splits);
    }

    @Override
    public SplitEnumerator<TickSplit, Collection<TickSplit>> restoreEnumerator(
            SplitEnumeratorContext<TickSplit> context, Collection<TickSplit> remaining) {
        return new IteratorSourceEnumerator<>(context, remaining);
    }

    @Override
    public SimpleVersionedSerializer<TickSplit> getSplitSerializer() {
        return new SplitSerializer(legacyLayout());
    }

    @Override
    public SimpleVersionedSerializer<Collection<TickSplit>> getEnumeratorCheckpointSerializer() {
        return new CheckpointSerializer(new SplitSerializer(legacyLayout()));
    }

    private LegacyLayout legacyLayout() {
        long ticksPerShard =
                config.ticks() == Long.MAX_VALUE ? Long.MAX_VALUE / shards : config.ticks();
        return new LegacyLayout(config.startTime().toEpochMilli(), shards, ticksPerShard);
    }

    /**
     * Ticks {@code next..last} (inclusive) of shard {@code shard} of {@code shards}, tick 0 at
     * {@code startMillis} of simulated time.
     */
    record TickSplit(String splitId, int shard, int shards, long startMillis, long next, long last)
            implements IteratorSourceSplit<Long, NumberSequenceIterator> {
        TickSplit {
            if (shards < 1 || shard < 0 || shard >= shards) {
                throw new IllegalArgumentException(
                        "shard " + shard + " of " + shards + " is not a shard");
            }
            if (next < 0 || next > last) {
                throw new IllegalArgumentException("no ticks from " + next + " to " + last);
            }
        }

        @Override
        public NumberSequenceIterator getIterator() {
            return new NumberSequenceIterator(next, last);
        }

        @Override
        public TickSplit getUpdatedSplitForIterator(NumberSequenceIterator iterator) {
            return new TickSplit(
                    splitId, shard, shards, startMillis, iterator.getCurrent(), iterator.getTo());
        }
    }

    /** Runs the ticks of its splits through a simulator per shard. */
    static final class TickReader
            extends IteratorSourceReaderBase<
                    Long, List<RawRecord>, NumberSequenceIterator, TickSplit> {
        private static final Logger LOG = LoggerFactory.getLogger(TickReader.class);

        private final GeneratorConfig config;
        private final int parallelism;
        private final Map<Integer, Simulator> simulators = new HashMap<>();

        TickReader(SourceReaderContext context, GeneratorConfig config) {
            super(context);
            this.config = config;
            this.parallelism = context.currentParallelism();
        }

        @Override
        public void addSplits(List<TickSplit> splits) {
            for (TickSplit split : splits) {
                if (split.shards() != parallelism) {
                    throw new IllegalStateException(
                            "this generator was started at parallelism "
                                    + split.shards()
                                    + " and is restored at parallelism "
                                    + parallelism
                                    + ": each subtask generates one shard of the world, so restore"
                                    + " it at parallelism "
                                    + split.shards()
                                    + " (or start a fresh one)");
                }
            }
            super.addSplits(splits);
        }

        @Override
        protected List<RawRecord> convert(Long tick) {
            TickSplit split = currentSplit;
            return simulators.computeIfAbsent(split.shard(), shard -> simulator(split)).batch(tick);
        }

        private Simulator simulator(TickSplit split) {
            Instant start = Instant.ofEpochMilli(split.startMillis());
            if (!start.equals(config.startTime())) {
                LOG.info(
                        "Shard {} continues the simulated timeline that started at {} (kept in"
                                + " its state), not --start-time {}",
                        split.shard(),
                        start,
                        config.startTime());
            }
            return new Simulator(config.withStartTime(start), split.shard(), split.shards());
        }
    }

    /**
     * How {@code DataGeneratorSource}'s index ranges (version 1) map to shards and ticks: index
     * {@code i} is tick {@code i % n} of shard {@code i / n}. A range that runs past the end of the
     * shard it starts in (the unbounded layout before shards, one contiguous range per subtask) is
     * cut at that end, as that source read it: it never got that far.
     */
    record LegacyLayout(long startMillis, int shards, long ticksPerShard)
            implements java.io.Serializable {
        TickSplit split(String splitId, long from, long to) {
            long shard = from / ticksPerShard;
            if (shard >= shards) {
                throw new IllegalArgumentException(
                        "the index range "
                                + from
                                + ".."
                                + to
                                + " of a 0.1.0 generator does not fit "
                                + shards
                                + " shards of "
                                + ticksPerShard
                                + " ticks: restore it with the parallelism and --duration"
                                + " (or --events) it was started with");
            }
            long last = to / ticksPerShard == shard ? to % ticksPerShard : ticksPerShard - 1;
            return new TickSplit(
                    splitId, (int) shard, shards, startMillis, from % ticksPerShard, last);
        }
    }

    /** Version 2: the split's fields; version 1: a {@code DataGeneratorSource} index range. */
    static final class SplitSerializer implements SimpleVersionedSerializer<TickSplit> {
        static final int VERSION = 2;

        private final LegacyLayout legacy;

        SplitSerializer(LegacyLayout legacy) {
            this.legacy = legacy;
        }

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(TickSplit split) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(48);
            write(split, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public TickSplit deserialize(int version, byte[] bytes) throws IOException {
            return read(version, new DataInputDeserializer(bytes));
        }

        void write(TickSplit split, DataOutputSerializer out) throws IOException {
            out.writeUTF(split.splitId());
            out.writeInt(split.shard());
            out.writeInt(split.shards());
            out.writeLong(split.startMillis());
            out.writeLong(split.next());
            out.writeLong(split.last());
        }

        TickSplit read(int version, DataInputDeserializer in) throws IOException {
            switch (version) {
                case 1:
                    return legacy.split(in.readUTF(), in.readLong(), in.readLong());
                case VERSION:
                    return new TickSplit(
                            in.readUTF(),
                            in.readInt(),
                            in.readInt(),
                            in.readLong(),
                            in.readLong(),
                            in.readLong());
                default:
                    throw new IOException(
                            "generator split of version "
                                    + version
                                    + ", this version reads 1 and "
                                    + VERSION);
            }
        }
    }

    /** The splits not yet assigned: their count, then each as {@link SplitSerializer} writes it. */
    static final class CheckpointSerializer
            implements SimpleVersionedSerializer<Collection<TickSplit>> {
        private final SplitSerializer splits;

        CheckpointSerializer(SplitSerializer splits) {
            this.splits = splits;
        }

        @Override
        public int getVersion() {
            return SplitSerializer.VERSION;
        }

        @Override
        public byte[] serialize(Collection<TickSplit> remaining) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(4 + 48 * remaining.size());
            out.writeInt(remaining.size());
            for (TickSplit split : remaining) {
                splits.write(split, out);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public Collection<TickSplit> deserialize(int version, byte[] bytes) throws IOException {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            int count = in.readInt();
            List<TickSplit> remaining = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                remaining.add(splits.read(version, in));
            }
            return remaining;
        }
    }
}
