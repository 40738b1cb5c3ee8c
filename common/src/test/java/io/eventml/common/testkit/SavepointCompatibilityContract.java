package io.eventml.common.testkit;

import io.eventml.common.testkit.SavepointFixtures.Fixture;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every job module's {@code SavepointCompatibilityTest} checks (see {@link
 * SavepointFixtures}): this version of the job restores each committed savepoint fixture; and, run
 * with {@code -Deventml.savepoint-fixture=<version>}, writes the fixture of this version.
 */
public abstract class SavepointCompatibilityContract {
    @RegisterExtension
    protected static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    protected static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    /** Adds this version's job, as its main class builds it, on the topics of {@code suffix}. */
    protected abstract void build(StreamExecutionEnvironment env, String suffix);

    /**
     * Starts this version's job on a small input written to the topics of {@code suffix} (which
     * exist) and returns it once it has read all of it.
     */
    protected abstract JobClient runForAFixture(String suffix) throws Exception;

    @ParameterizedTest(name = "restores the savepoint of {0}")
    @MethodSource("io.eventml.common.testkit.SavepointFixtures#fixtures")
    void thisVersionRestoresTheSavepointsOfEarlierVersions(Fixture fixture) throws Exception {
        SavepointFixtures.assertRestores(
                FLINK, KAFKA, fixture, env -> build(env, fixture.topicSuffix()));
    }

    @Test
    @EnabledIfSystemProperty(named = SavepointFixtures.WRITE_PROPERTY, matches = ".+")
    void writeTheFixtureOfThisVersion() throws Exception {
        String suffix = KAFKA.createRegistryTopics(KafkaBrokerExtension.uniqueSuffix());
        JobClient job = runForAFixture(suffix);
        SavepointFixtures.write(FLINK, job, SavepointFixtures.versionToWrite(), suffix);
    }
}
