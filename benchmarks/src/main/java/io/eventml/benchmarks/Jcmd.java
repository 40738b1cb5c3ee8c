package io.eventml.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Diagnostic commands sent to a running JVM (the local TaskManager) with the JDK's {@code jcmd}.
 */
final class Jcmd {
    private Jcmd() {}

    /**
     * Runs {@code jcmd <pid> <command...>} and returns what it printed; an {@link IOException} with
     * that output when it fails or takes more than a minute.
     */
    static String run(long pid, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        line.addAll(List.of(command));
        // Its output goes to a file, so that a jcmd that hangs is given up after the minute
        // instead of blocking a read of its output.
        Path output = Files.createTempFile("eventml-jcmd-", ".out");
        try {
            Process process =
                    new ProcessBuilder(line)
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .start();
            boolean ended = process.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            String printed = Files.readString(output);
            if (!ended || process.exitValue() != 0) {
                throw new IOException(
                        "jcmd "
                                + String.join(" ", command)
                                + (ended ? " failed: " : " took over a minute: ")
                                + printed);
            }
            return printed;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
