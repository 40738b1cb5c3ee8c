package io.eventml.common.config;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;

import org.apache.kafka.clients.admin.Admin;

import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A {@link KafkaSink} whose committer tells failed commits that lost records from those that may
 * not have.
 *
 * <p>Flink counts every commit the connector gives up on in the committer's {@code
 * failedCommittables}, for reasons that differ in what they mean. A transaction the committer
 * itself wrote and could not commit (the broker aborted it after the transaction timeout, or forgot
 * it) lost its records: counted in {@code lostTransactions}. A transaction recovered from a
 * checkpoint and refused when committed again after a restore (the connector sees a fenced
 * producer) is ambiguous: usually it had been committed before the failure and its transactional id
 * used again since (nothing lost), but the broker refuses it the same way when it aborted it
 * because the restore came later than the transaction timeout (records lost). Counted in {@code
 * recoveredCommitsRefused}; {@code eventml.sh status} tells the two apart by how long after the
 * restored checkpoint the restore came. Both counters are in the committer's metric group {@code
 * eventml}; everything else is the {@link KafkaSink}'s.
 *
 * <p>Its writers also close the admin client the connector's exactly-once writer opens (to abort
 * lingering transactions) and leaves open ({@link ClosingWriter}).
 */
public final class ReportingKafkaSink<IN>
        implements Sink<IN>,
                SupportsWriterState<IN, KafkaWriterState>,
                SupportsCommitter<KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable>,
                LineageVertexProvider {
    private static final long serialVersionUID = 1L;

    private final KafkaSink<IN> kafka;

    public ReportingKafkaSink(KafkaSink<IN> kafka) {
        this.kafka = kafka;
    }

    @Override
    public SinkWriter<IN> createWriter(WriterInitContext context) throws IOException {
        return new ClosingWriter<>(kafka.createWriter(context));
    }

    @Override
    public StatefulSinkWriter<IN, KafkaWriterState> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState) {
        return new ClosingWriter<>(kafka.restoreWriter(context, recoveredState));
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return kafka.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
            throws IOException {
        MetricGroup metrics = context.metricGroup().addGroup("eventml");
        return new ReportingCommitter(
                kafka.createCommitter(context),
                metrics.counter("lostTransactions"),
                metrics.counter("recoveredCommitsRefused"));
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return kafka.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committer) {
        kafka.addPostCommitTopology(committer);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return kafka.getLineageVertex();
    }

    /**
     * The connector's writer, which also closes the admin client that flink-connector-kafka
     * 5.0.0-2.2's exactly-once writer opens on first use and never closes: its thread ran on for
     * the admin client's idle timeout (5 minutes) after the job ended, holding the job's whole
     * class loader, so that a TaskManager given a few dozen jobs within minutes (a benchmark, a
     * series of upgrades) ran out of metaspace. A connector without that field is left as it is.
     */
    static final class ClosingWriter<IN>
            implements PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> {
        private final PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable>
                writer;

        ClosingWriter(
                PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> writer) {
            this.writer = writer;
        }

        @Override
        public void write(IN element, Context context) throws IOException, InterruptedException {
            writer.write(element, context);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public Collection<KafkaCommittable> prepareCommit()
                throws IOException, InterruptedException {
            return writer.prepareCommit();
        }

        @Override
        public void close() throws Exception {
            try {
                writer.close();
            } finally {
                Admin admin = adminClientOf(writer);
                if (admin != null) {
                    admin.close(Duration.ZERO);
                }
            }
        }

        /**
         * The writer's admin client, if its class has one, it was opened and it can be reached: a
         * connector that hides it otherwise is left as it is, the job is not failed for it.
         */
        static Admin adminClientOf(Object writer) {
            for (Class<?> c = writer.getClass(); c != null; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getName().equals("adminClient")
                            && Admin.class.isAssignableFrom(f.getType())) {
                        try {
                            f.setAccessible(true);
                            return (Admin) f.get(writer);
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            return null;
                        }
                    }
                }
            }
            return null;
        }
    }

    /** The connector's committer, with the outcome of each failed commit counted. */
    static final class ReportingCommitter implements Committer<KafkaCommittable> {
        private final Committer<KafkaCommittable> committer;
        private final Counter lost;
        private final Counter recoveredRefused;

        ReportingCommitter(
                Committer<KafkaCommittable> committer, Counter lost, Counter recoveredRefused) {
            this.committer = committer;
            this.lost = lost;
            this.recoveredRefused = recoveredRefused;
        }

        @Override
        public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
                throws IOException, InterruptedException {
            List<CommitRequest<KafkaCommittable>> reporting = new ArrayList<>(requests.size());
            for (CommitRequest<KafkaCommittable> r : requests) {
                reporting.add(new ReportingRequest(r));
            }
            committer.commit(reporting);
        }

        @Override
        public void close() throws Exception {
            committer.close();
        }

        /**
         * Whether a committable was recovered from a checkpoint (its writer's producer is gone).
         */
        static boolean recovered(KafkaCommittable committable) {
            return committable.getProducer().isEmpty();
        }

        private final class ReportingRequest implements CommitRequest<KafkaCommittable> {
            private final CommitRequest<KafkaCommittable> request;

            ReportingRequest(CommitRequest<KafkaCommittable> request) {
                this.request = request;
            }

            @Override
            public KafkaCommittable getCommittable() {
                return request.getCommittable();
            }

            @Override
            public int getNumberOfRetries() {
                return request.getNumberOfRetries();
            }

            @Override
            public void signalFailedWithKnownReason(Throwable t) {
                (recovered(request.getCommittable()) ? recoveredRefused : lost).inc();
                request.signalFailedWithKnownReason(t);
            }

            @Override
            public void signalFailedWithUnknownReason(Throwable t) {
                lost.inc();
                request.signalFailedWithUnknownReason(t);
            }

            @Override
            public void retryLater() {
                request.retryLater();
            }

            @Override
            public void updateAndRetryLater(KafkaCommittable committable) {
                request.updateAndRetryLater(committable);
            }

            @Override
            public void signalAlreadyCommitted() {
                request.signalAlreadyCommitted();
            }
        }
    }
}
