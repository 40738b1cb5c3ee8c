package io.eventml.common.config;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Job arguments of the form {@code --name value}. Every accessor validates its value and fails with
 * an {@link InvalidArgumentsException} that names the argument, what was given and what is
 * expected; {@link #finish()} rejects arguments nobody asked for, so a typo stops the job at start
 * instead of being silently ignored.
 */
public final class JobArgs {
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final String job;
    private final Map<String, String> values;
    private final Set<String> read = new LinkedHashSet<>();
    private final List<String> usage = new ArrayList<>();

    private JobArgs(String job, Map<String, String> values) {
        this.job = job;
        this.values = values;
    }

    /**
     * Parses {@code --name value} pairs; a flag without value ({@code --bounded}) reads as {@code
     * true}.
     */
    public static JobArgs parse(String job, String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new InvalidArgumentsException(
                        job
                                + ": unexpected argument '"
                                + arg
                                + "': arguments are --name value pairs");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                value = "true";
            }
            if (values.put(name, value) != null) {
                throw new InvalidArgumentsException(job + ": --" + name + " is given twice");
            }
        }
        return new JobArgs(job, values);
    }

    private String raw(String name, String help) {
        read.add(name);
        usage.add("--" + name + ": " + help);
        return values.get(name);
    }

    public String string(String name, String defaultValue, String help) {
        String value = raw(name, help + " (default " + defaultValue + ")");
        if (value == null) {
            return defaultValue;
        }
        if (value.isBlank()) {
            throw invalid(name, value, "a non-empty value");
        }
        return value;
    }

    public String requiredString(String name, String help) {
        String value = raw(name, help + " (required)");
        if (value == null || value.isBlank()) {
            throw new InvalidArgumentsException(job + ": --" + name + " is required: " + help);
        }
        return value;
    }

    public long longValue(String name, long defaultValue, long min, long max, String help) {
        String value = raw(name, help + " (default " + defaultValue + ")");
        if (value == null) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(value.trim().replace("_", ""));
            if (v < min || v > max) {
                throw invalid(name, value, "an integer from " + min + " to " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid(name, value, "an integer from " + min + " to " + max);
        }
    }

    public int intValue(String name, int defaultValue, int min, int max, String help) {
        return (int) longValue(name, defaultValue, min, max, help);
    }

    public double doubleValue(
            String name, double defaultValue, double min, double max, String help) {
        String value = raw(name, help + " (default " + defaultValue + ")");
        if (value == null) {
            return defaultValue;
        }
        try {
            double v = Double.parseDouble(value.trim());
            if (!(v >= min && v <= max)) {
                throw invalid(name, value, "a number from " + min + " to " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid(name, value, "a number from " + min + " to " + max);
        }
    }

    /** A fraction in [0, 1], such as {@code 0.01}. */
    public double fraction(String name, double defaultValue, String help) {
        return doubleValue(name, defaultValue, 0.0, 1.0, help);
    }

    public boolean flag(String name, boolean defaultValue, String help) {
        String value = raw(name, help + " (default " + defaultValue + ")");
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw invalid(name, value, "true or false");
        };
    }

    /**
     * A duration as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d} or ISO-8601
     * ({@code PT5S}).
     */
    public Duration duration(String name, Duration defaultValue, Duration min, String help) {
        String value = raw(name, help + " (default " + format(defaultValue) + ")");
        if (value == null) {
            return defaultValue;
        }
        Duration d = parseDuration(value.trim());
        if (d == null) {
            throw invalid(name, value, "a duration such as 500ms, 30s, 5m, 24h or PT5S");
        }
        if (d.compareTo(min) < 0) {
            throw invalid(name, value, "a duration of at least " + format(min));
        }
        return d;
    }

    /** An ISO-8601 instant such as {@code 2026-11-24T10:00:00Z}. */
    public Instant instant(String name, Instant defaultValue, String help) {
        String value = raw(name, help + " (default " + defaultValue + ")");
        if (value == null) {
            return defaultValue;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw invalid(name, value, "an ISO-8601 instant such as 2026-11-24T10:00:00Z");
        }
    }

    /** One of {@code choices}, compared case-insensitively; returns the choice as spelled there. */
    public String choice(String name, String defaultValue, List<String> choices, String help) {
        String value = raw(name, help + ", one of " + choices + " (default " + defaultValue + ")");
        if (value == null) {
            return defaultValue;
        }
        for (String c : choices) {
            if (c.equalsIgnoreCase(value.trim())) {
                return c;
            }
        }
        throw invalid(name, value, "one of " + choices);
    }

    /** Whether the argument was given at all. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Fails if an argument was given that no accessor read: most likely a typo. */
    public void finish() {
        List<String> unknown = new ArrayList<>();
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                unknown.add("--" + name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidArgumentsException(
                    job
                            + ": unknown argument(s) "
                            + unknown
                            + ". Known arguments:\n  "
                            + String.join("\n  ", usage()));
        }
    }

    /** One line per argument read so far, for usage messages. */
    public List<String> usage() {
        return Collections.unmodifiableList(usage);
    }

    static Duration parseDuration(String text) {
        Matcher m = SHORT_DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String format(Duration d) {
        return d == null ? "none" : d.toString();
    }

    private InvalidArgumentsException invalid(String name, String value, String expected) {
        return new InvalidArgumentsException(
                job + ": --" + name + " is '" + value + "', expected " + expected);
    }

    /** A job argument that cannot be used; the message says which and what to give instead. */
    public static final class InvalidArgumentsException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidArgumentsException(String message) {
            super(message);
        }
    }
}
