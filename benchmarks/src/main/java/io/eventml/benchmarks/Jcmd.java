package io.eventml.benchmarks;

import java.io.IOException;
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
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
