package io.eventml.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The few calls of Flink's REST API that deploying and upgrading the suite needs: upload and run a
 * jar, list jobs, stop with a savepoint, read a job's root exception. Errors carry the REST
 * response, so a refused request says why.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A job as the overview lists it. */
    public record Job(String id, String name, String state, long startTime) {}

    public FlinkRest(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public List<Job> jobs() throws IOException {
        List<Job> jobs = new ArrayList<>();
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            jobs.add(
                    new Job(
                            j.path("jid").asText(),
                            j.path("name").asText(),
                            j.path("state").asText(),
                            j.path("start-time").asLong()));
        }
        return jobs;
    }

    /** The newest job whose name starts with {@code namePrefix} and that is not terminated. */
    public Optional<Job> activeJob(String namePrefix) throws IOException {
        return jobs().stream()
                .filter(j -> j.name().startsWith(namePrefix))
                .filter(j -> !List.of("FINISHED", "CANCELED", "FAILED").contains(j.state()))
                .max((a, b) -> Long.compare(a.startTime(), b.startTime()));
    }

    public String state(String jobId) throws IOException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** Whether the job and every one of its tasks run. */
    public boolean fullyRunning(String jobId) throws IOException {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())
                    && !"FINISHED".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** The root exception of a failed job, or an empty string. */
    public String rootException(String jobId) throws IOException {
        JsonNode e = get("/jobs/" + jobId + "/exceptions");
        JsonNode history = e.path("exceptionHistory").path("entries");
        if (history.size() > 0) {
            return history.get(0).path("stacktrace").asText();
        }
        return e.path("root-exception").asText("");
    }

    /** Uploads a jar; returns its id on the cluster. */
    public String upload(Path jar) throws IOException {
        String boundary = "eventml-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode response =
                send(
                        HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String file = response.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /**
     * Runs an uploaded jar; returns the job id.
     *
     * @param savepoint the savepoint to start from, or null
     * @param parallelism the job's parallelism, or 0 for the cluster's default
     */
    public String run(
            String jarId,
            List<String> args,
            int parallelism,
            String savepoint,
            boolean allowNonRestoredState)
            throws IOException {
        return run(
                jarId,
                null,
                args,
                parallelism,
                savepoint,
                allowNonRestoredState,
                java.util.Map.of());
    }

    /**
     * Runs an uploaded jar with job configuration on top of the cluster's ({@code
     * flinkConfiguration} of the run request, for example {@code state.backend.type}); returns the
     * job id.
     *
     * @param entryClass the class whose {@code main} builds the job, or null for the jar manifest's
     *     {@code Main-Class}
     */
    public String run(
            String jarId,
            String entryClass,
            List<String> args,
            int parallelism,
            String savepoint,
            boolean allowNonRestoredState,
            java.util.Map<String, String> configuration)
            throws IOException {
        ObjectNode request = JSON.createObjectNode();
        if (entryClass != null) {
            request.put("entryClass", entryClass);
        }
        if (!configuration.isEmpty()) {
            ObjectNode conf = request.putObject("flinkConfiguration");
            configuration.forEach(conf::put);
        }
        var argList = request.putArray("programArgsList");
        args.forEach(argList::add);
        if (parallelism > 0) {
            request.put("parallelism", parallelism);
        }
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
            request.put("allowNonRestoredState", allowNonRestoredState);
        }
        return post("/jars/" + jarId + "/run", request).path("jobid").asText();
    }

    /** Stops a job with a savepoint (no drain) and returns the savepoint's path. */
    public String stopWithSavepoint(String jobId, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        request.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", request).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode op = status.path("operation");
                if (op.has("failure-cause")) {
                    throw new IOException(
                            "the savepoint of job "
                                    + jobId
                                    + " failed: "
                                    + op.path("failure-cause").path("stack-trace").asText());
                }
                return op.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IOException("no savepoint of job " + jobId + " within " + timeout);
    }

    /** Cancels a job and waits until it is canceled (or otherwise terminated). */
    public void cancel(String jobId, Duration timeout) throws IOException, InterruptedException {
        send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!List.of("CANCELED", "FAILED", "FINISHED").contains(state(jobId))) {
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + jobId + " was not canceled within " + timeout);
            }
            Thread.sleep(250);
        }
    }

    /** The number of registered TaskManagers and their free slots. */
    public int[] taskManagers() throws IOException {
        JsonNode overview = get("/overview");
        return new int[] {
            overview.path("taskmanagers").asInt(), overview.path("slots-available").asInt()
        };
    }

    /**
     * The Kafka transactions each sink of a job wrote and could not commit: their records are lost
     * (the {@code eventml.lostTransactions} counter of each committer, summed over its subtasks;
     * sinks without any are left out).
     */
    public Map<String, Long> lostTransactions(String jobId) throws IOException {
        return sinkCounters(jobId, ".eventml.lostTransactions");
    }

    /**
     * The transactions recovered from a checkpoint that each sink of a job could not commit again
     * after the restore: lost only if the restore came later than the transaction timeout (the
     * {@code eventml.recoveredCommitsRefused} counters; see {@link #restoreDelay}).
     */
    public Map<String, Long> recoveredCommitsRefused(String jobId) throws IOException {
        return sinkCounters(jobId, ".eventml.recoveredCommitsRefused");
    }

    /**
     * How long after its checkpoint completed the job's latest restore came, and the job's
     * checkpoint timeout; empty when the job was not restored or the checkpoint is not in its
     * history (a savepoint, or a checkpoint of an earlier job).
     */
    public Optional<Duration[]> restoreDelay(String jobId) throws IOException {
        JsonNode checkpoints = get("/jobs/" + jobId + "/checkpoints");
        JsonNode restored = checkpoints.path("latest").path("restored");
        if (restored.isMissingNode() || restored.isNull()) {
            return Optional.empty();
        }
        long id = restored.path("id").asLong();
        long restoredAt = restored.path("restore_timestamp").asLong();
        long timeout = get("/jobs/" + jobId + "/checkpoints/config").path("timeout").asLong();
        for (JsonNode c : checkpoints.path("history")) {
            if (c.path("id").asLong() == id && c.path("status").asText().equals("COMPLETED")) {
                long completed = c.path("latest_ack_timestamp").asLong();
                return Optional.of(
                        new Duration[] {
                            Duration.ofMillis(Math.max(0, restoredAt - completed)),
                            Duration.ofMillis(timeout)
                        });
            }
        }
        return Optional.empty();
    }

    /**
     * The job that finished by stopping with the savepoint this job was restored from, if Flink
     * still lists it. A job stopped with a savepoint commits the savepoint's Kafka transactions
     * before it finishes, so a restore from that savepoint recovers only committed ones.
     */
    public Optional<Job> stoppedWithRestoredSavepoint(String jobId) throws IOException {
        JsonNode restored = get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        if (!restored.path("is_savepoint").asBoolean(false)) {
            return Optional.empty();
        }
        String path = restored.path("external_path").asText("");
        if (path.isEmpty()) {
            return Optional.empty();
        }
        for (Job job : jobs()) {
            if (job.id().equals(jobId) || !job.state().equals("FINISHED")) {
                continue;
            }
            JsonNode savepoint =
                    get("/jobs/" + job.id() + "/checkpoints").path("latest").path("savepoint");
            if (path.equals(savepoint.path("external_path").asText(""))) {
                return Optional.of(job);
            }
        }
        return Optional.empty();
    }

    /** A committer counter of each sink, summed over its subtasks; sinks at 0 are left out. */
    private Map<String, Long> sinkCounters(String jobId, String suffix) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText();
            List<String> ids = new ArrayList<>();
            for (JsonNode m : get(path + "/subtasks/metrics")) {
                String id = m.path("id").asText();
                if (id.endsWith(suffix)) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            for (JsonNode m :
                    get(path + "/subtasks/metrics?agg=sum&get=" + String.join(",", ids))) {
                long n = m.path("sum").asLong();
                if (n > 0) {
                    String id = m.path("id").asText();
                    counts.merge(id.substring(0, id.length() - suffix.length()), n, Long::sum);
                }
            }
        }
        return counts;
    }

    /** Any GET of the REST API, as JSON (job details, checkpoint statistics, metrics). */
    public JsonNode getJson(String path) throws IOException {
        return get(path);
    }

    JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private JsonNode post(String path, JsonNode body) throws IOException {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException {
        HttpResponse<String> response;
        try {
            response =
                    http.send(
                            request.timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    "Flink REST "
                            + response.request().method()
                            + " "
                            + response.uri().getPath()
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
