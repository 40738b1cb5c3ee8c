package io.eventml.features;

import io.eventml.common.config.JobArgs;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.SavepointCompatibilityContract;
import io.eventml.common.testkit.SavepointFixtures;
import io.eventml.ingestion.SmallWorld;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * This version of the feature job, as its main class builds it with default arguments, restores the
 * savepoints of the versions in {@code src/test/resources/savepoints} (see {@link
 * SavepointFixtures}): users', items' and stores' windows and held views included.
 */
class SavepointCompatibilityTest extends SavepointCompatibilityContract {

    @Override
    protected void build(StreamExecutionEnvironment env, String suffix) {
        FeatureJob.of(
                        FeatureConfig.fromArgs(
                                JobArgs.parse("features", SavepointFixtures.args(KAFKA, suffix))))
                .build(env);
    }

    /** The small world ingested and its features computed; the last views are still held. */
    @Override
    protected JobClient runForAFixture(String suffix) throws Exception {
        long canonical = SmallWorld.ingest(KAFKA, suffix);
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        build(env, suffix);
        JobClient job = env.executeAsync("features for a savepoint fixture");
        FlinkTestCluster.awaitRecordsRead(FLINK, job, "Kafka: events.canonical", canonical);
        return job;
    }
}
