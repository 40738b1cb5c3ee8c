package io.eventml.learning;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * When the trainer learns a view (docs/learning.md, "Delayed feedback").
 *
 * <ul>
 *   <li>{@link #HORIZON}: once, with its final label, when the horizon after it has passed. The
 *       model learns nothing of the last horizon.
 *   <li>{@link #IMMEDIATE}: at once, as a fake negative, and again as a positive when its purchase
 *       arrives, with fake-negative weights ({@link FtrlProximal#learnFakeNegativeWeighted}). The
 *       final labels are still made: they score the model (progressive figures, promotion gate) and
 *       go to {@code ml.training-examples}, but are not learned again.
 * </ul>
 */
public enum Feedback {
    HORIZON,
    IMMEDIATE;

    /** The name on the command line. */
    public String argument() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> arguments() {
        return Arrays.stream(values()).map(Feedback::argument).toList();
    }

    public static Feedback ofArgument(String argument) {
        return valueOf(argument.toUpperCase(Locale.ROOT));
    }
}
