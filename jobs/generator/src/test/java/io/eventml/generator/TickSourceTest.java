package io.eventml.generator;

import io.eventml.generator.TickSource.CheckpointSerializer;
import io.eventml.generator.TickSource.LegacyLayout;
import io.eventml.generator.TickSource.SplitSerializer;
import io.eventml.generator.TickSource.TickSplit;

import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generator source's splits: their wire format, and the 0.1.0 index ranges read as splits. */
class TickSourceTest {
    private static final long START = 1_764_547_200_000L;

    /** Two shards of an unbounded run, as 0.1.0 laid them out: index i = shard * n + tick. */
    private static final LegacyLayout UNBOUNDED_IN_TWO =
            new LegacyLayout(START, 2, Long.MAX_VALUE / 2);

    private final SplitSerializer serializer = new SplitSerializer(UNBOUNDED_IN_TWO);

    @Test
    void aSplitRoundTripsWithItsShardAndStartTime() throws IOException {
        TickSplit split = new TickSplit("1", 1, 2, START + 5, 1234, Long.MAX_VALUE - 1);

        TickSplit read =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(read).isEqualTo(split);
        assertThat(serializer.getVersion()).isEqualTo(2);
    }

    @Test
    void theRemainingSplitsRoundTrip() throws IOException {
        CheckpointSerializer checkpoints = new CheckpointSerializer(serializer);
        List<TickSplit> remaining =
                List.of(
                        new TickSplit("0", 0, 2, START, 0, 99),
                        new TickSplit("1", 1, 2, START, 7, 99));

        Collection<TickSplit> read =
                checkpoints.deserialize(checkpoints.getVersion(), checkpoints.serialize(remaining));

        assertThat(read).containsExactlyElementsOf(remaining);
    }

    @Test
    void aDataGeneratorSourceRangeOf010IsReadAsTheTicksOfItsShard() throws IOException {
        long n = Long.MAX_VALUE / 2;
        // Subtask 2's range of 0.1.0 ("2": indexes n..2n-1), 40 ticks in.
        TickSplit read = serializer.deserialize(1, legacyBytes("2", n + 40, 2 * n - 1));

        assertThat(read).isEqualTo(new TickSplit("2", 1, 2, START, 40, n - 1));
        assertThat(read.getIterator().next()).isEqualTo(40L);
    }

    @Test
    void aBoundedRangeOf010KeepsItsEnd() throws IOException {
        SplitSerializer bounded = new SplitSerializer(new LegacyLayout(START, 1, 6_000));

        assertThat(bounded.deserialize(1, legacyBytes("1", 250, 5_999)))
                .isEqualTo(new TickSplit("1", 0, 1, START, 250, 5_999));
    }

    @Test
    void aRangeOfTheUnshardedLayoutIsCutAtTheEndOfItsShard() throws IOException {
        // Before shards, an unbounded run at parallelism 2 split [0, MAX - 1] in two halves.
        long n = Long.MAX_VALUE / 2;

        assertThat(serializer.deserialize(1, legacyBytes("1", 10, n)))
                .isEqualTo(new TickSplit("1", 0, 2, START, 10, n - 1));
        assertThat(serializer.deserialize(1, legacyBytes("2", n + 1, Long.MAX_VALUE - 1)))
                .isEqualTo(new TickSplit("2", 1, 2, START, 1, n - 1));
    }

    @Test
    void a010RangeBeyondTheShardsIsRefusedWithWhatToDo() {
        // 100 ticks started at parallelism 3 (indexes 0..299), restored at 2.
        SplitSerializer twoShards = new SplitSerializer(new LegacyLayout(START, 2, 100));

        assertThatThrownBy(() -> twoShards.deserialize(1, legacyBytes("3", 250, 299)))
                .hasMessageContaining("restore it with the parallelism and --duration");
    }

    @Test
    void anUnknownVersionIsRefused() {
        assertThatThrownBy(() -> serializer.deserialize(3, new byte[8]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 3");
    }

    @Test
    void aSplitIsAShardOfItsShards() {
        assertThatThrownBy(() -> new TickSplit("2", 2, 2, START, 0, 9))
                .hasMessageContaining("shard 2 of 2");
        assertThatThrownBy(() -> new TickSplit("0", 0, 1, START, 10, 9))
                .hasMessageContaining("no ticks");
    }

    /** A split as {@code NumberSequenceSource}'s serializer (version 1) writes it. */
    private static byte[] legacyBytes(String id, long from, long to) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(32);
        out.writeUTF(id);
        out.writeLong(from);
        out.writeLong(to);
        return out.getCopyOfBuffer();
    }
}
