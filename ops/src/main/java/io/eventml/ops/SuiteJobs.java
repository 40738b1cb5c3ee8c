package io.eventml.ops;

import io.eventml.common.config.JobArgs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite's jobs on a session cluster: which they are, and how one is submitted or upgraded from
 * a savepoint (with a rollback to the old jar when Flink refuses the new one).
 */
final class SuiteJobs {
    /** A job of the suite as deployed on a session cluster. */
    record SuiteJob(String name, String namePrefix, int parallelism, List<String> args) {}

    /** The jobs, in pipeline order, by the name their {@code main} gives them. */
    static final Map<String, String> JOB_NAMES =
            new LinkedHashMap<>(
                    Map.of(
                            "generator", "EventML generator",
                            "ingestion", "EventML ingestion",
                            "features", "EventML features",
                            "learning", "EventML learning"));

    private SuiteJobs() {}

    /** The job named by {@code --job}, run with {@code --parallelism} and {@code --args}. */
    static SuiteJob job(JobArgs a) {
        String name = a.choice("job", null, List.copyOf(JOB_NAMES.keySet()), "the job");
        if (name == null) {
            throw new JobArgs.InvalidArgumentsException(
                    "--job is required: one of " + JOB_NAMES.keySet());
        }
        int parallelism =
                a.intValue("parallelism", 0, 0, 32_768, "the job's parallelism (0: the cluster's)");
        String args = a.string("args", "-", "the job's arguments, separated by spaces ('-': none)");
        return new SuiteJob(
                name,
                JOB_NAMES.get(name),
                parallelism,
                args.equals("-") ? List.of() : List.of(args.trim().split("\\s+")));
    }

    static void submit(FlinkRest flink, SuiteJob job, Path jar, String savepoint) throws Exception {
        var running = flink.activeJob(job.namePrefix());
        if (running.isPresent()) {
            System.out.printf(
                    "  %-10s already %s (%s)%n",
                    job.name(), running.get().state(), running.get().id());
            return;
        }
        String id = flink.run(flink.upload(jar), job.args(), job.parallelism(), savepoint, false);
        System.out.printf(
                "  %-10s submitted %s as %s%s%n",
                job.name(),
                jar.getFileName(),
                id,
                savepoint == null ? "" : ", resuming from " + savepoint);
    }

    static void upgrade(FlinkRest flink, SuiteJob job, Path jar, Path oldJar, boolean allow)
            throws Exception {
        FlinkRest.Job running =
                flink.activeJob(job.namePrefix())
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "no running job named '"
                                                        + job.namePrefix()
                                                        + "...': nothing to upgrade"));
        System.out.printf("Stopping %s (%s) with a savepoint...%n", running.name(), running.id());
        String savepoint = flink.stopWithSavepoint(running.id(), Duration.ofMinutes(5));
        System.out.println("Savepoint: " + savepoint);
        String id = flink.run(flink.upload(jar), job.args(), job.parallelism(), savepoint, allow);
        System.out.printf(
                "Started %s from the savepoint as %s; waiting until it runs...%n",
                jar.getFileName(), id);
        String outcome = awaitRunning(flink, id, Duration.ofMinutes(3));
        if (outcome == null) {
            System.out.println(
                    "Upgraded: " + job.name() + " runs " + jar.getFileName() + " (" + id + ")");
            System.out.println("Savepoint: " + savepoint);
            return;
        }
        // Refused (state of an operator the new jar lacks, or state it cannot read). Cancel the
        // new job, which may be restarting in a loop, and put the old jar back.
        flink.cancel(id, Duration.ofMinutes(1));
        String rollback =
                flink.run(flink.upload(oldJar), job.args(), job.parallelism(), savepoint, false);
        String rolledBack = awaitRunning(flink, rollback, Duration.ofMinutes(3));
        String reason =
                outcome.contains("Cannot map checkpoint/savepoint state")
                        ? "the new jar has no operator for some of the savepoint's state, which"
                                + " would be dropped. Keep the operator's uid, or pass"
                                + " --allow-non-restored-state if dropping it is intended."
                        : outcome.contains("StateMigrationException")
                                        || outcome.contains("incompatible")
                                ? "the new jar cannot read the savepoint's state (a state type"
                                        + " changed incompatibly): "
                                        + outcome
                                : outcome;
        throw new IllegalStateException(
                "upgrade of "
                        + job.name()
                        + " refused: "
                        + reason
                        + (rolledBack == null
                                ? "\nThe previous jar runs again from the savepoint ("
                                        + rollback
                                        + ")."
                                : "\nRunning the previous jar again failed too: " + rolledBack)
                        + "\nSavepoint: "
                        + savepoint);
    }

    /** Null when the job runs; otherwise why it does not. */
    private static String awaitRunning(FlinkRest flink, String id, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String state = flink.state(id);
            if (List.of("FAILED", "FAILING", "RESTARTING", "CANCELED").contains(state)) {
                String cause = flink.rootException(id);
                return "job " + id + " is " + state + ": " + firstLines(cause, 3);
            }
            if (flink.fullyRunning(id)) {
                return null;
            }
            Thread.sleep(500);
        }
        return "job " + id + " did not run within " + timeout;
    }

    private static String firstLines(String text, int n) {
        String[] lines = text.split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(n, lines.length); i++) {
            out.append(i == 0 ? "" : "\n").append(lines[i]);
        }
        // The reason is deeper in the trace: keep the innermost cause.
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("Caused by: ")) {
                out.append("\n").append(lines[i].trim());
                break;
            }
        }
        return out.toString();
    }
}
