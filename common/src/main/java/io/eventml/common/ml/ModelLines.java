package io.eventml.common.ml;

/**
 * A model's <em>line</em>: its versions trained on one feature-spec version. A spec change does not
 * stop a model learning: vectors of a new spec start a new line, trained beside the old one while
 * both kinds of examples arrive. Each line has its own trainer state and its own key on {@code
 * ml.models} and {@code ml.model-decisions} (so compaction keeps the newest version of every line),
 * and its own block of version numbers, so that versions stay unique per model, and a newer spec's
 * versions are newer than any of an older spec's, however the two lines interleave.
 *
 * <p>Spec 1's key is the model name itself, as before lines existed, so that the state and records
 * of earlier versions of the suite belong to spec 1's line.
 */
public final class ModelLines {
    /** Version numbers of spec {@code s} are {@code (s - 1) * BLOCK + 1, + 2, ...}. */
    public static final long BLOCK = 1_000_000_000L;

    private ModelLines() {}

    /** The key of spec {@code spec}'s line of {@code model}: the name, then {@code @spec<N>}. */
    public static String key(String model, int spec) {
        checkName(model);
        checkSpec(spec);
        return spec == 1 ? model : model + "@spec" + spec;
    }

    /** The model whose line {@code key} is. */
    public static String modelOf(String key) {
        int at = key.indexOf('@');
        return at < 0 ? key : key.substring(0, at);
    }

    /**
     * Fails, saying what to change, unless {@code model} can name a model: not blank, without
     * {@code @} (which separates a line's spec from the name).
     */
    public static void checkName(String model) {
        if (model == null || model.isBlank() || model.indexOf('@') >= 0) {
            throw new IllegalArgumentException(
                    "a model name must not be blank or contain '@' (it separates the name from a"
                            + " feature spec in the keys of ml.models), got \""
                            + model
                            + "\"");
        }
    }

    /** The number before the first version of spec {@code spec}'s line. */
    public static long versionsAfter(int spec) {
        checkSpec(spec);
        return (spec - 1) * BLOCK;
    }

    /** The spec version whose line numbered {@code version}. */
    public static int specOf(long version) {
        if (version < 1) {
            throw new IllegalArgumentException("versions start at 1, got " + version);
        }
        return (int) ((version - 1) / BLOCK) + 1;
    }

    private static void checkSpec(int spec) {
        if (spec < 1) {
            throw new IllegalArgumentException("not a feature spec version: " + spec);
        }
    }
}
