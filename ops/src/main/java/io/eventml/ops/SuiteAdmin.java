package io.eventml.ops;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.ml.ModelPin;
import io.eventml.common.ml.ModelPins;

import org.apache.kafka.clients.admin.Admin;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * What the deployment scripts ask of Kafka and Flink, in the terms of the topic registry and the
 * suite's jobs (the commands; {@link SuiteJobs}, {@link SuiteTopics} and {@link SuiteStatus} do the
 * work). Commands:
 *
 * <ul>
 *   <li>{@code create-topics}: creates every registry topic that is missing, with its partitions
 *       and cleanup policy;
 *   <li>{@code submit --job J --jar PATH}: uploads and runs a job's jar unless the job already
 *       runs;
 *   <li>{@code upgrade --job J --jar NEW --old-jar OLD [--allow-non-restored-state true]}: stops
 *       the job with a savepoint and runs the new jar from it; if Flink refuses because state would
 *       be dropped, runs the old jar again from the same savepoint and fails with the reason;
 *   <li>{@code status}: the jobs, each job's consumer lag, the model served and the promotion
 *       gate's newest decision;
 *   <li>{@code model-pin --model M --version V}: pins model M to version V, a version the gate
 *       promoted: its scorers serve V until {@code model-unpin --model M};
 *   <li>{@code model-decisions --model M [--last N]}: the gate's newest N decisions on M.
 * </ul>
 *
 * <p>{@code java -cp <flink lib>/*:<the ops tools jar> io.eventml.ops.SuiteAdmin status}
 */
public final class SuiteAdmin {
    private static final List<String> COMMANDS =
            List.of(
                    "create-topics",
                    "submit",
                    "stop",
                    "upgrade",
                    "status",
                    "wait-taskmanager",
                    "await-no-taskmanager",
                    "await-caught-up",
                    "await-running",
                    "model-pin",
                    "model-unpin",
                    "model-decisions");

    private SuiteAdmin() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            System.err.println(
                    "usage: SuiteAdmin " + String.join("|", COMMANDS) + " [--name value ...]");
            System.exit(2);
        }
        String command = args[0];
        JobArgs a = JobArgs.parse(command, Arrays.copyOfRange(args, 1, args.length));
        try {
            run(command, a);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        } catch (IOException e) {
            // A refused REST call: Flink's reason is the last "Caused by" of the stack trace it
            // sends.
            String message = e.getMessage().replace("\\n", "\n").replace("\\t", "\t");
            int cause = message.lastIndexOf("Caused by: ");
            System.err.println(
                    "error: "
                            + (cause < 0
                                    ? message
                                    : message.substring(
                                            cause,
                                            message.indexOf('\n', cause) < 0
                                                    ? message.length()
                                                    : message.indexOf('\n', cause))));
            System.exit(1);
        }
    }

    private static void run(String command, JobArgs a) throws Exception {
        String bootstrap =
                a.string(
                        "bootstrap-servers",
                        KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS,
                        "Kafka bootstrap servers");
        String rest = a.string("rest", "http://127.0.0.1:8081", "Flink REST address");
        switch (command) {
            case "create-topics" -> {
                short replication =
                        (short)
                                a.intValue(
                                        "replication-factor", 1, 1, 32, "replicas of new topics");
                a.finish();
                try (Admin admin = SuiteTopics.admin(bootstrap)) {
                    SuiteTopics.createTopics(admin, replication, "");
                }
            }
            case "submit" -> {
                SuiteJobs.SuiteJob job = SuiteJobs.job(a);
                Path jar = Path.of(a.requiredString("jar", "the job's jar"));
                String savepoint =
                        a.string("savepoint", "-", "resume from this savepoint ('-': start anew)");
                a.finish();
                SuiteJobs.submit(
                        new FlinkRest(rest), job, jar, savepoint.equals("-") ? null : savepoint);
            }
            case "stop" -> {
                SuiteJobs.SuiteJob job = SuiteJobs.job(a);
                a.finish();
                // Prints only the savepoint's path (scripts keep it), or nothing if the job is not
                // running.
                FlinkRest flink = new FlinkRest(rest);
                var running = flink.activeJob(job.namePrefix());
                if (running.isPresent()) {
                    System.out.println(
                            flink.stopWithSavepoint(running.get().id(), Duration.ofMinutes(5)));
                }
            }
            case "upgrade" -> {
                SuiteJobs.SuiteJob job = SuiteJobs.job(a);
                Path jar = Path.of(a.requiredString("jar", "the new jar"));
                Path oldJar = Path.of(a.requiredString("old-jar", "the jar that runs now"));
                boolean allow =
                        a.flag(
                                "allow-non-restored-state",
                                false,
                                "drop the state of operators the new jar no longer has");
                a.finish();
                SuiteJobs.upgrade(new FlinkRest(rest), job, jar, oldJar, allow);
            }
            case "wait-taskmanager" -> {
                a.finish();
                // Exit code 0 once a TaskManager is registered (scripts poll this).
                if (new FlinkRest(rest).taskManagers()[0] < 1) {
                    System.exit(1);
                }
            }
            case "await-no-taskmanager" -> {
                a.finish();
                // Exit code 0 once the JobManager has no TaskManager (it noticed a lost one).
                if (new FlinkRest(rest).taskManagers()[0] > 0) {
                    System.exit(1);
                }
            }
            case "await-caught-up" -> {
                a.finish();
                // Exit code 0 when every job has committed offsets past the last committed record
                // of its input. Offsets alone cannot tell: the inputs are written in transactions,
                // and commit and abort markers take offsets that no consumer commits past.
                try (Admin admin = SuiteTopics.admin(bootstrap)) {
                    for (String group : SuiteStatus.GROUPS.keySet()) {
                        if (SuiteStatus.recordsBehind(admin, bootstrap, group) > 0) {
                            System.exit(1);
                        }
                    }
                }
            }
            case "await-running" -> {
                a.finish();
                // Exit code 0 when every job of the suite runs with all its tasks.
                FlinkRest flink = new FlinkRest(rest);
                for (String prefix : SuiteJobs.JOB_NAMES.values()) {
                    var active = flink.activeJob(prefix);
                    if (active.isEmpty() || !flink.fullyRunning(active.get().id())) {
                        System.exit(1);
                    }
                }
            }
            case "model-decisions" -> {
                String model =
                        a.requiredString("model", "the model's name (--model-name of the job)");
                int last = a.intValue("last", 20, 1, 10_000, "how many decisions");
                String suffix = a.string("topic-suffix", "", "the suite's topic suffix");
                a.finish();
                SuiteStatus.printDecisions(bootstrap, suffix, model, last);
            }
            case "model-pin", "model-unpin" -> {
                String model =
                        a.requiredString("model", "the model's name (--model-name of the job)");
                long version =
                        command.equals("model-pin")
                                ? a.longValue(
                                        "version", 0, 1, Long.MAX_VALUE, "the version to serve")
                                : 0;
                String suffix = a.string("topic-suffix", "", "the suite's topic suffix");
                a.finish();
                KafkaOptions kafka =
                        new KafkaOptions(
                                bootstrap,
                                "eventml-ops",
                                org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE,
                                KafkaOptions.DEFAULT_TRANSACTION_TIMEOUT,
                                suffix);
                long now = System.currentTimeMillis();
                if (command.equals("model-pin")) {
                    if (version == 0) {
                        throw new IllegalArgumentException("give the version to pin: --version V");
                    }
                    ModelPin pin = ModelPins.pinOf(kafka, model, version, now);
                    ModelPins.write(kafka, pin);
                    System.out.printf(
                            "Pinned %s to version %d (%,d examples learned): its scorers serve it"
                                    + " until it is unpinned.%n",
                            model, version, pin.model().examples());
                } else {
                    ModelPins.write(kafka, ModelPin.unpin(model, now));
                    System.out.printf(
                            "Unpinned %s: its scorers serve the newest promoted version again.%n",
                            model);
                }
            }
            default -> {
                a.finish();
                FlinkRest flink = new FlinkRest(rest);
                System.out.println("Jobs (" + rest + "):");
                for (FlinkRest.Job j : flink.jobs()) {
                    System.out.printf("  %-10s %-36s %s%n", j.state(), j.name(), j.id());
                    if (j.state().equals("RUNNING")) {
                        SuiteStatus.reportTransactions(flink, j.id());
                    }
                }
                try (Admin admin = SuiteTopics.admin(bootstrap)) {
                    SuiteStatus.status(admin, bootstrap, "");
                }
            }
        }
    }
}
