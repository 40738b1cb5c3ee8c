package io.eventml.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Samples the CPU of the local TaskManager with async-profiler while one job runs, loaded into the
 * running JVM with {@code jcmd JVMTI.agent_load} (the profiler's native library ships in the jar
 * that the local Flink runtime has in its lib). Writes the samples as collapsed stacks (one line
 * per distinct stack and its count: the input of any flame-graph tool) and summarises them as the
 * frames that take the most samples, inclusive of their callees.
 *
 * <p>Sampling uses {@code itimer}, which needs no perf events (often unavailable in containers).
 */
final class TaskManagerProfiler {
    /** Sampling interval of CPU time. */
    static final int INTERVAL_MILLIS = 5;

    private final Path library;
    private final Path outputDir;
    private final long pid;

    private TaskManagerProfiler(Path library, Path outputDir, long pid) {
        this.library = library;
        this.outputDir = outputDir;
        this.pid = pid;
    }

    /**
     * A profiler for the TaskManager whose pid file the local scripts wrote, with the native
     * library extracted from {@code async-profiler-*.jar} on this process's class path.
     */
    static TaskManagerProfiler forLocalTaskManager(Path pidFile, Path outputDir)
            throws IOException {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        Files.createDirectories(outputDir);
        Path library = outputDir.resolve("libasyncProfiler.so");
        try (InputStream in =
                TaskManagerProfiler.class.getResourceAsStream("/linux-x64/libasyncProfiler.so")) {
            if (in == null) {
                throw new IllegalStateException(
                        "async-profiler's linux-x64 library is not on the class path: the local"
                                + " Flink runtime's lib should hold async-profiler-*.jar");
            }
            Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
        }
        return new TaskManagerProfiler(library, outputDir, pid);
    }

    void start() throws IOException, InterruptedException {
        agent("start,event=itimer,interval=" + INTERVAL_MILLIS + "ms,threads");
    }

    /** Stops sampling and writes {@code <name>.collapsed}; returns its path. */
    Path stop(String name) throws IOException, InterruptedException {
        Path out = outputDir.resolve(name + ".collapsed");
        agent("stop,collapsed,threads,dot,file=" + out);
        return out;
    }

    private void agent(String command) throws IOException, InterruptedException {
        // Quoted: jcmd would split the option at its first '='.
        String output = Jcmd.run(pid, "JVMTI.agent_load", library.toString(), '"' + command + '"');
        if (!output.contains("return code: 0")) {
            // The profiler's own message is in the TaskManager's .out file.
            throw new IllegalStateException("jcmd " + command + " failed: " + output);
        }
    }

    /**
     * The {@code top} frames with the largest share of samples, counting a frame once per stack
     * that contains it (inclusive), among frames whose name contains one of {@code interesting} (or
     * all frames when it is empty).
     */
    static List<String> hottestFrames(Path collapsed, int top, List<String> interesting)
            throws IOException {
        return ranked(
                collapsed,
                top,
                (frames, count, into) -> {
                    List<String> seen = new ArrayList<>();
                    for (String frame : frames) {
                        if (!seen.contains(frame) && matches(frame, interesting)) {
                            seen.add(frame);
                            into.merge(frame, count, Long::sum);
                        }
                    }
                });
    }

    /**
     * CPU by thread: for the {@code top} threads (Flink's task threads are named after their chain
     * of operators; subtask and attempt numbers are dropped, so that the threads of one kind add
     * up), the CPU seconds sampled and their share of {@code seconds} of wall time.
     */
    static List<String> byThread(Path collapsed, int top, double seconds) throws IOException {
        Map<String, Long> samples = new HashMap<>();
        try (Stream<String> lines = Files.lines(collapsed)) {
            for (String line : (Iterable<String>) lines::iterator) {
                int space = line.lastIndexOf(' ');
                if (space > 0) {
                    String first = line.substring(0, space).split(";", 2)[0];
                    samples.merge(
                            threadKind(first),
                            Long.parseLong(line.substring(space + 1)),
                            Long::sum);
                }
            }
        }
        return samples.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .map(
                        e -> {
                            double cpu = e.getValue() * INTERVAL_MILLIS / 1000.0;
                            return String.format(
                                    "%6.1f s %5.1f%%  %s", cpu, 100 * cpu / seconds, e.getKey());
                        })
                .toList();
    }

    /** {@code [Label join -> Sink (1/1)#0 tid=123]} to {@code Label join -> Sink}. */
    static String threadKind(String frame) {
        if (!frame.startsWith("[")) {
            return "(no thread name)";
        }
        return frame.substring(1, frame.length() - 1)
                .replaceAll(" tid=\\d+$", "")
                .replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?$", "")
                .replaceAll("\\d+$", "#");
    }

    /** The {@code top} frames that were on top of the stack (running) most often. */
    static List<String> selfFrames(Path collapsed, int top) throws IOException {
        return ranked(
                collapsed,
                top,
                (frames, count, into) -> into.merge(frames[frames.length - 1], count, Long::sum));
    }

    /** How one stack of {@code count} samples adds to the per-frame counts. */
    private interface Attribution {
        void add(String[] frames, long count, Map<String, Long> into);
    }

    private static List<String> ranked(Path collapsed, int top, Attribution attribution)
            throws IOException {
        Map<String, Long> byFrame = new HashMap<>();
        long total = 0;
        try (Stream<String> lines = Files.lines(collapsed)) {
            for (String line : (Iterable<String>) lines::iterator) {
                int space = line.lastIndexOf(' ');
                if (space > 0) {
                    long count = Long.parseLong(line.substring(space + 1));
                    total += count;
                    attribution.add(line.substring(0, space).split(";"), count, byFrame);
                }
            }
        }
        long all = total;
        return byFrame.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .map(e -> String.format("%5.1f%%  %s", 100.0 * e.getValue() / all, e.getKey()))
                .toList();
    }

    private static boolean matches(String frame, List<String> interesting) {
        return interesting.isEmpty() || interesting.stream().anyMatch(frame::contains);
    }
}
