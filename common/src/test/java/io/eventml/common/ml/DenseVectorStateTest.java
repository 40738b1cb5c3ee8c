package io.eventml.common.ml;

import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.Slowdown;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.ml.linalg.BLAS;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flink ML's DenseVector on Flink 2 with {@link DenseVectorTypeInformation}: as a record field, in
 * keyed state on RocksDB and in broadcast state, across a failure and restore from a checkpoint,
 * with generic types disabled.
 */
class DenseVectorStateTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final int RECORDS = 400;
    private static final int KEYS = 4;
    private static final int PARALLELISM = 2;
    private static final DenseVector WEIGHTS = new DenseVector(new double[] {1.0, 0.5, -2.0});

    static final MapStateDescriptor<String, DenseVector> WEIGHTS_STATE =
            new MapStateDescriptor<>("weights", Types.STRING, DenseVectorTypeInformation.INSTANCE);

    /** An input record with a DenseVector field. */
    public record Measurement(
            String key,
            long seq,
            @TypeInfo(DenseVectorTypeInformation.Factory.class) DenseVector vector) {}

    /**
     * An output record: the running vector sum of the key and its score under the broadcast
     * weights.
     */
    public record Scored(
            String key,
            long seq,
            @TypeInfo(DenseVectorTypeInformation.Factory.class) DenseVector sum,
            double score,
            int attempt) {}

    @Test
    void recordsWithDenseVectorFieldsArePojosWithTheFlink2TypeInformation() {
        TypeInformation<Measurement> type = TypeInformation.of(Measurement.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<Measurement> pojo = (PojoTypeInfo<Measurement>) type;
        assertThat(pojo.getTypeAt(pojo.getFieldIndex("vector")))
                .isEqualTo(DenseVectorTypeInformation.INSTANCE);
    }

    @Test
    void denseVectorsInKeyedAndBroadcastStateSurviveAFailureAndRestoreOnRocksDb() throws Exception {
        SumAndScore.reset();
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        env.setParallelism(PARALLELISM);

        DataStream<Measurement> measurements =
                env.fromSequence(0, RECORDS - 1)
                        .map(new Slowdown<>(5))
                        .map(DenseVectorStateTest::measurement)
                        .returns(Measurement.class);
        BroadcastStream<DenseVector> weights =
                env.fromData(List.of(WEIGHTS), DenseVectorTypeInformation.INSTANCE)
                        .broadcast(WEIGHTS_STATE);
        List<Scored> scored =
                measurements
                        .keyBy(Measurement::key)
                        .connect(weights)
                        .process(new SumAndScore())
                        .returns(Scored.class)
                        .uid("sum-and-score")
                        .executeAndCollect(RECORDS * 2);

        assertThat(SumAndScore.FAILED.get()).as("a failure must have been injected").isTrue();

        // Exactly one output per input, whatever the restart replayed.
        assertThat(scored.stream().map(Scored::seq).sorted().collect(Collectors.toList()))
                .isEqualTo(LongStream.range(0, RECORDS).boxed().collect(Collectors.toList()));

        // Keyed state: each key's final running sum is the sum of all its vectors, counted once.
        // The first
        // component of every vector is 1, so the first component of a sum counts the vectors in it.
        Map<String, Scored> last = new HashMap<>();
        for (Scored s : scored) {
            last.merge(s.key(), s, (a, b) -> a.sum().get(0) > b.sum().get(0) ? a : b);
        }
        assertThat(last).hasSize(KEYS);
        for (Scored s : last.values()) {
            assertThat(s.sum()).isEqualTo(expectedSum(s.key()));
        }

        // Broadcast state: after the restore the weights come only from restored state, and score
        // every record.
        List<Scored> afterRestore =
                scored.stream().filter(s -> s.attempt() > 0).collect(Collectors.toList());
        assertThat(afterRestore).isNotEmpty();
        for (Scored s : afterRestore) {
            assertThat(s.score()).isEqualTo(BLAS.dot(WEIGHTS, s.sum()));
        }
    }

    private static Measurement measurement(long i) {
        return new Measurement("k" + (i % KEYS), i, new DenseVector(new double[] {1, i, i % 7}));
    }

    private static DenseVector expectedSum(String key) {
        DenseVector sum = new DenseVector(3);
        for (long i = 0; i < RECORDS; i++) {
            Measurement m = measurement(i);
            if (m.key().equals(key)) {
                BLAS.axpy(1.0, m.vector(), sum);
            }
        }
        return sum;
    }

    /**
     * Sums vectors per key in keyed state, scores the sum with the broadcast weights, and fails
     * once after a checkpoint that holds the weights in every subtask has completed.
     */
    static final class SumAndScore
            extends KeyedBroadcastProcessFunction<String, Measurement, DenseVector, Scored>
            implements CheckpointedFunction, CheckpointListener {

        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final Set<Integer> SUBTASKS_WITH_CHECKPOINTED_WEIGHTS =
                ConcurrentHashMap.newKeySet();

        private transient ValueState<DenseVector> sum;
        private transient boolean sawWeights;
        private transient long weightsCheckpointId;

        static void reset() {
            FAILED.set(false);
            SUBTASKS_WITH_CHECKPOINTED_WEIGHTS.clear();
        }

        @Override
        public void open(OpenContext openContext) {
            sum =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            "sum", DenseVectorTypeInformation.INSTANCE));
            weightsCheckpointId = -1;
        }

        @Override
        public void processBroadcastElement(DenseVector weights, Context ctx, Collector<Scored> out)
                throws Exception {
            BroadcastState<String, DenseVector> state = ctx.getBroadcastState(WEIGHTS_STATE);
            state.put("w", weights);
            sawWeights = true;
        }

        @Override
        public void processElement(Measurement m, ReadOnlyContext ctx, Collector<Scored> out)
                throws Exception {
            int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
            if (attempt == 0
                    && m.seq() >= RECORDS / 2
                    && SUBTASKS_WITH_CHECKPOINTED_WEIGHTS.size() == PARALLELISM
                    && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at record " + m.seq());
            }
            DenseVector current =
                    sum.value() == null ? new DenseVector(m.vector().size()) : sum.value();
            BLAS.axpy(1.0, m.vector(), current);
            sum.update(current);
            ReadOnlyBroadcastState<String, DenseVector> state =
                    ctx.getBroadcastState(WEIGHTS_STATE);
            DenseVector w = state.get("w");
            if (w != null) {
                sawWeights = true;
            }
            double score = w == null ? Double.NaN : BLAS.dot(w, current);
            out.collect(new Scored(m.key(), m.seq(), current.clone(), score, attempt));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            if (sawWeights && weightsCheckpointId < 0) {
                weightsCheckpointId = context.getCheckpointId();
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (weightsCheckpointId >= 0 && checkpointId >= weightsCheckpointId) {
                SUBTASKS_WITH_CHECKPOINTED_WEIGHTS.add(
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
            }
        }
    }
}
