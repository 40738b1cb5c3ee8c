package io.eventml.common.testkit;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The MiniCluster setup shared by job tests: keyed state on RocksDB, exactly-once checkpoints every
 * {@link #CHECKPOINT_INTERVAL}, a fixed-delay restart strategy so injected failures recover, and
 * generic (Kryo) types disabled so that a state or record type without explicit TypeInformation
 * fails the test instead of silently falling back to Kryo.
 *
 * <pre>{@code
 * @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
 * ...
 * StreamExecutionEnvironment env = FlinkTestCluster.environment();
 * }</pre>
 */
public final class FlinkTestCluster {
    public static final int TASK_MANAGERS = 1;
    public static final int SLOTS_PER_TASK_MANAGER = 4;
    public static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(200);

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private FlinkTestCluster() {}

    /** A MiniCluster with 1 TaskManager and 4 slots, configured as {@link #configuration()}. */
    public static MiniClusterExtension extension() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(clusterConfiguration())
                        .setNumberTaskManagers(TASK_MANAGERS)
                        .setNumberSlotsPerTaskManager(SLOTS_PER_TASK_MANAGER)
                        .build());
    }

    /**
     * The cluster configuration: the job configuration plus enough managed memory for RocksDB in 4
     * slots.
     */
    public static Configuration clusterConfiguration() {
        Configuration config = configuration();
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        // The REST API's job figures (records read per vertex) fresh enough to wait on.
        config.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(300));
        return config;
    }

    /** The job configuration every test job runs with. */
    public static Configuration configuration() {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        // As flink-conf/config.yaml.
        config.setString("state.backend.rocksdb.use-bloom-filter", "true");
        config.setString("state.backend.rocksdb.memory.partitioned-index-filters", "true");
        config.setString("state.backend.rocksdb.writebuffer.size", "8mb");
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, tempDirUri("eventml-checkpoints-"));
        config.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, tempDirUri("eventml-savepoints-"));
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
        config.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        config.set(PipelineOptions.GENERIC_TYPES, false);
        return config;
    }

    /**
     * A second, separate MiniCluster like the shared one, started; the caller closes it. For tests
     * that restore a savepoint into a new cluster.
     */
    public static MiniCluster startNewCluster() throws Exception {
        Configuration config = clusterConfiguration();
        // Any free port: a Flink cluster on this machine (deploy/local) may hold 8081.
        config.set(RestOptions.BIND_PORT, "0");
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(TASK_MANAGERS)
                                .setNumSlotsPerTaskManager(SLOTS_PER_TASK_MANAGER)
                                .build());
        cluster.start();
        return cluster;
    }

    /** The base address of a test cluster's REST API ({@code http://host:port}). */
    public static String restAddress(MiniClusterExtension cluster) {
        Configuration client = cluster.getClientConfiguration();
        return "http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT);
    }

    /**
     * A GET of a test cluster's REST API, as JSON (job details, checkpoint statistics, exceptions).
     * The ops module's {@code FlinkRest} is the full client; the test kit needs only this.
     */
    public static JsonNode restJson(MiniClusterExtension cluster, String path) throws IOException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(restAddress(cluster) + path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build();
        try {
            HttpResponse<String> response =
                    HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException(
                        "GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: GET " + path, e);
        }
    }

    /**
     * Waits (up to three minutes) until the job's sources named {@code Source: <source>...} have
     * read {@code records} records since the job started, as Flink's REST API counts them: progress
     * seen by the job itself, independent of Kafka offset commits (which go through the broker's
     * group coordinator and run only after completed checkpoints).
     */
    public static void awaitRecordsRead(
            MiniClusterExtension cluster, JobClient job, String source, long records)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        long read = 0;
        while (System.nanoTime() < deadline) {
            read = 0;
            for (JsonNode vertex : restJson(cluster, "/jobs/" + job.getJobID()).path("vertices")) {
                if (vertex.path("name").asText().startsWith("Source: " + source)) {
                    read += vertex.path("metrics").path("read-records").asLong();
                }
            }
            if (read >= records) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "job "
                        + job.getJobID()
                        + " read "
                        + read
                        + " records from "
                        + source
                        + " in three minutes, waiting for "
                        + records);
    }

    /** An environment on the test MiniCluster with {@link #configuration()}. */
    public static StreamExecutionEnvironment environment() {
        return StreamExecutionEnvironment.getExecutionEnvironment(configuration());
    }

    private static String tempDirUri(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            dir.toFile().deleteOnExit();
            return dir.toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
