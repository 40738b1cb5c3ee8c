package io.eventml.ingestion;

import io.eventml.common.config.JobArgs;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.SavepointCompatibilityContract;
import io.eventml.common.testkit.SavepointFixtures;
import io.eventml.generator.RawRecord;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.List;

/**
 * This version of the ingestion job, as its main class builds it with default arguments, restores
 * the savepoints of the versions in {@code src/test/resources/savepoints} (see {@link
 * SavepointFixtures}).
 */
class SavepointCompatibilityTest extends SavepointCompatibilityContract {

    @Override
    protected void build(StreamExecutionEnvironment env, String suffix) {
        IngestionJob.of(config(suffix)).build(env);
    }

    /** The small world's raw records, ingested. */
    @Override
    protected JobClient runForAFixture(String suffix) throws Exception {
        IngestionConfig config = config(suffix);
        List<RawRecord> raw = SmallWorld.produce(KAFKA, config);
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        build(env, suffix);
        JobClient job = env.executeAsync("ingestion for a savepoint fixture");
        FlinkTestCluster.awaitRecordsRead(FLINK, job, "Kafka: raw topics", raw.size());
        return job;
    }

    /** The job's arguments: defaults but for the broker and the topics. */
    private static IngestionConfig config(String suffix) {
        return IngestionConfig.fromArgs(
                JobArgs.parse("ingestion", SavepointFixtures.args(KAFKA, suffix)));
    }
}
