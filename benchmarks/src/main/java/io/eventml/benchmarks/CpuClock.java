package io.eventml.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * CPU seconds used so far: by the TaskManager, its JIT compilers, and the broker; and the bytes
     * the TaskManager had read from and written to storage (not from the page cache).
     */
    record Reading(
            long nanos,
            double taskManager,
            double jit,
            double broker,
            long diskReadBytes,
            long diskWriteBytes) {
        /** What was used from {@code start} to this reading. */
        String since(Reading start) {
            double wall = (nanos - start.nanos) / 1e9;
            double tm = taskManager - start.taskManager;
            double compiled = jit - start.jit;
            double kafka = broker - start.broker;
            return String.format(
                    "CPU over %.1f s (%.1f core-s on 2 cores): TaskManager %.1f s (of which the JIT"
                            + " compilers %.1f s), Kafka broker %.1f s, together %.0f%% of the"
                            + " machine; the TaskManager read %.1f MB from storage, wrote %.1f MB",
                    wall,
                    2 * wall,
                    tm,
                    compiled,
                    kafka,
                    100 * (tm + kafka) / (2 * wall),
                    (diskReadBytes - start.diskReadBytes) / 1e6,
                    (diskWriteBytes - start.diskWriteBytes) / 1e6);
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
                seconds(Path.of("/proc/" + broker + "/stat")),
                io("read_bytes"),
                io("write_bytes"));
    }

    /**
     * A counter of the TaskManager's {@code /proc/<pid>/io}: {@code read_bytes} counts what the
     * process caused to be fetched from storage (a read served by the page cache does not count),
     * {@code write_bytes} what it caused to be sent to it. 0 where the kernel does not count them.
     */
    private long io(String counter) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + taskManager + "/io"))) {
                if (line.startsWith(counter + ":")) {
                    return Long.parseLong(line.substring(counter.length() + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: counted as 0
        }
        return 0;
    }

    /**
     * The bytes of the TaskManager's live objects: the total of a class histogram ({@code jcmd
     * GC.class_histogram}, which counts only what a full collection leaves), the jobs' heap caches
     * among them. Pauses the TaskManager for that collection (well under a second at this heap
     * size). -1 when unknown.
     */
    long liveHeapBytes() {
        try {
            Matcher total =
                    Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)")
                            .matcher(Jcmd.run(taskManager, "GC.class_histogram"));
            return total.find() ? Long.parseLong(total.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
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
