package io.eventml.common.testkit;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Savepoints of each job's released versions, kept as test resources, and what a test needs to
 * prove that this version restores them (docs/operations.md, "Savepoint compatibility").
 *
 * <p>A module keeps its fixtures in {@code src/test/resources/savepoints/<version>/}: the canonical
 * savepoint's directory and {@code fixture.properties} (the topic suffix the writing run used,
 * since restored Kafka source splits name their topics). Its {@code SavepointCompatibilityTest}
 * restores every fixture into the current job graph on a MiniCluster, every operator's state mapped
 * (no state may be dropped), and waits for a checkpoint after the restore. Run with {@code
 * -Deventml.savepoint-fixture=<version>}, the same test writes a new fixture of this version.
 */
public final class SavepointFixtures {
    /** The system property that makes a compatibility test write a fixture of this version. */
    public static final String WRITE_PROPERTY = "eventml.savepoint-fixture";

    private static final Path ROOT = Path.of("src", "test", "resources", "savepoints");
    private static final String PROPERTIES = "fixture.properties";

    private SavepointFixtures() {}

    /** One committed savepoint of a released version of a job. */
    public record Fixture(String version, Path savepoint, String topicSuffix) {
        /** A configuration that restores this savepoint, allowing no dropped state. */
        public Configuration restoring() {
            Configuration config = FlinkTestCluster.configuration();
            config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
            config.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
            return config;
        }

        @Override
        public String toString() {
            return version;
        }
    }

    /** The module's fixtures, oldest version first; fails when there are none. */
    public static Stream<Fixture> fixtures() throws IOException {
        List<Fixture> fixtures = new ArrayList<>();
        if (Files.isDirectory(ROOT)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(ROOT)) {
                for (Path version : versions) {
                    Properties p = new Properties();
                    try (var in = Files.newBufferedReader(version.resolve(PROPERTIES))) {
                        p.load(in);
                    }
                    fixtures.add(
                            new Fixture(
                                    version.getFileName().toString(),
                                    version.resolve("savepoint").toAbsolutePath(),
                                    p.getProperty("topic-suffix")));
                }
            }
        }
        if (fixtures.isEmpty()) {
            throw new IllegalStateException(
                    "no savepoint fixtures in "
                            + ROOT.toAbsolutePath()
                            + ": write one with -D"
                            + WRITE_PROPERTY
                            + "=<version>");
        }
        fixtures.sort(java.util.Comparator.comparing(Fixture::version));
        return fixtures.stream();
    }

    /**
     * Generator arguments of the small world the fixtures are written from: 30 users, 20 items, ten
     * simulated minutes, the default noise.
     */
    public static final List<String> SMALL_WORLD =
            List.of(
                    "--users",
                    "30",
                    "--items",
                    "20",
                    "--rate",
                    "5",
                    "--duration",
                    "10m",
                    "--start-time",
                    "2026-12-01T00:00:00Z");

    /** A job's arguments: the test broker, the topics of {@code suffix}, then {@code more}. */
    public static String[] args(KafkaBrokerExtension kafka, String suffix, String... more) {
        List<String> args = new ArrayList<>();
        args.addAll(
                List.of("--bootstrap-servers", kafka.bootstrapServers(), "--topic-suffix", suffix));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    /**
     * Restores {@code fixture} into the job that {@code build} adds to an environment, on {@code
     * cluster}, and waits for a checkpoint after the restore; fails, naming the cause, when the job
     * cannot start from it (state not mapped to an operator, or not readable) or fails afterwards.
     */
    public static void assertRestores(
            MiniClusterExtension cluster,
            KafkaBrokerExtension kafka,
            Fixture fixture,
            Consumer<StreamExecutionEnvironment> build)
            throws Exception {
        kafka.createRegistryTopics(fixture.topicSuffix());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(fixture.restoring());
        build.accept(env);
        JobClient job = env.executeAsync("restored from the savepoint of " + fixture);
        try {
            awaitRestoredAndCheckpointed(cluster, job);
        } finally {
            cancelIfRunning(job);
        }
    }

    /** The version to write a fixture of, or {@code null} when this run only checks them. */
    public static String versionToWrite() {
        String version = System.getProperty(WRITE_PROPERTY);
        return version == null || version.isBlank() ? null : version.trim();
    }

    /**
     * Stops {@code job} with a canonical savepoint and keeps it as the fixture of {@code version},
     * replacing an older fixture of the same version. Waits for two more completed checkpoints
     * first: a job whose input is idle has then committed all its output, and the savepoint holds
     * no transaction to commit (a test broker that restores it would not know its producer id).
     */
    public static void write(
            MiniClusterExtension cluster, JobClient job, String version, String topicSuffix)
            throws Exception {
        String checkpoints = "/jobs/" + job.getJobID() + "/checkpoints";
        long wanted =
                FlinkTestCluster.restJson(cluster, checkpoints)
                                .path("counts")
                                .path("completed")
                                .asLong()
                        + 2;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (FlinkTestCluster.restJson(cluster, checkpoints)
                        .path("counts")
                        .path("completed")
                        .asLong()
                < wanted) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no checkpoints completed before the fixture's savepoint");
            }
            Thread.sleep(100);
        }
        Path temp = Files.createTempDirectory("eventml-fixture");
        String location =
                job.stopWithSavepoint(false, temp.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
        Path target = ROOT.resolve(version);
        deleteRecursively(target);
        copyRecursively(Path.of(URI.create(location)), target.resolve("savepoint"));
        Properties p = new Properties();
        p.setProperty("topic-suffix", topicSuffix);
        try (var out = Files.newBufferedWriter(target.resolve(PROPERTIES))) {
            p.store(out, "savepoint fixture of version " + version + "; see SavepointFixtures");
        }
    }

    /**
     * Waits until {@code job}, restored from a fixture, has completed a checkpoint: every task
     * restored its state and runs. Fails with the job's exceptions when it failed or restarted.
     */
    private static void awaitRestoredAndCheckpointed(MiniClusterExtension cluster, JobClient job)
            throws Exception {
        String id = job.getJobID().toString();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                Throwable failure = job.getJobExecutionResult().handle((r, e) -> e).get();
                StringBuilder causes = new StringBuilder();
                for (Throwable t = failure; t != null; t = t.getCause()) {
                    causes.append("\n  caused by: ").append(t);
                }
                throw new AssertionError(
                        "job " + id + " is " + status + " after the restore" + causes);
            }
            if (status != JobStatus.RUNNING) {
                Thread.sleep(200);
                continue;
            }
            JsonNode exceptions = FlinkTestCluster.restJson(cluster, "/jobs/" + id + "/exceptions");
            if (exceptions.path("exceptionHistory").path("entries").size() > 0) {
                throw new AssertionError(
                        "job " + id + " failed after the restore: " + exceptions.toPrettyString());
            }
            JsonNode checkpoints =
                    FlinkTestCluster.restJson(cluster, "/jobs/" + id + "/checkpoints");
            JsonNode restored = checkpoints.path("latest").path("restored");
            if (!restored.isMissingNode()
                    && !restored.isNull()
                    && checkpoints.path("counts").path("completed").asLong() > 0) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " completed no checkpoint after its restore");
    }

    /**
     * Cancels a job unless it has already ended (so that a failure is not hidden by the cancel).
     */
    public static void cancelIfRunning(JobClient job) {
        try {
            if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            // Already gone: nothing to free.
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.delete(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
