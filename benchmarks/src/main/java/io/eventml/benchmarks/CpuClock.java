package io.eventml.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of the local processes a job run shares the machine with, read from {@code /proc}: the
 * TaskManager (and, within it, its JIT compiler threads) and the Kafka broker. A job's rate on two
 * cores is bounded by what all of them use together; this says how that CPU was spent.
 */
final class CpuClock {
    /** {@code /proc} counts CPU time in clock ticks; 100 per second on Linux x86-64. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long taskManager;
    private final long broker;

    /** CPU seconds used so far: by the TaskManager, its JIT compilers, and the broker. */
    record Reading(long nanos, double taskManager, double jit, double broker) {
        /** What was used from {@code start} to this reading. */
        String since(Reading start) {
            double wall = (nanos - start.nanos) / 1e9;
            double tm = taskManager - start.taskManager;
            double compiled = jit - start.jit;
            double kafka = broker - start.broker;
            return String.format(
                    "CPU over %.1f s (%.1f core-s on 2 cores): TaskManager %.1f s (of which the JIT"
                            + " compilers %.1f s), Kafka broker %.1f s, together %.0f%% of the"
                            + " machine",
                    wall, 2 * wall, tm, compiled, kafka, 100 * (tm + kafka) / (2 * wall));
        }
    }

    private CpuClock(long taskManager, long broker) {
        this.taskManager = taskManager;
        this.broker = broker;
    }

    /** The clock of the processes whose pid files the local scripts wrote, or null if unknown. */
    static CpuClock forLocalSuite(Path pids) {
        try {
            return new CpuClock(
                    Long.parseLong(Files.readString(pids.resolve("taskmanager.pid")).trim()),
                    Long.parseLong(Files.readString(pids.resolve("kafka.pid")).trim()));
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    Reading read() {
        return new Reading(
                System.nanoTime(),
                seconds(Path.of("/proc/" + taskManager + "/stat")),
                compilerSeconds(),
                seconds(Path.of("/proc/" + broker + "/stat")));
    }

    /** User plus system time of a process or thread, from its stat line (fields 14 and 15). */
    private static double seconds(Path stat) {
        try {
            String line = Files.readString(stat);
            // The command name (field 2) may hold spaces: count fields after its closing ')'.
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The TaskManager's C1 and C2 compiler threads (a fixed set at CICompilerCount=2). */
    private double compilerSeconds() {
        double total = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + taskManager + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String name = Files.readString(task.resolve("comm")).trim();
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    total += seconds(task.resolve("stat"));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return total;
    }
}
