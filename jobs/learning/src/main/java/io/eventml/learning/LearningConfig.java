package io.eventml.learning;

import io.eventml.common.config.JobArgs;
import io.eventml.common.config.KafkaOptions;
import io.eventml.common.config.SourceOptions;
import io.eventml.common.ml.ModelLines;

import java.io.Serializable;
import java.time.Duration;

/**
 * Settings of the learning job, from its arguments (see docs/learning.md).
 *
 * @param kafka brokers, transactional id prefix, delivery guarantee, topic suffix
 * @param source consumer group, starting offsets, boundedness, parallelism, checkpoints, watermarks
 * @param modelName the model's name: the key on {@code ml.models}
 * @param horizon how long after a view a purchase of the item makes it a positive example
 * @param allowedLateness how far behind the watermark a view's horizon may be and the view still be
 *     labelled; later views go to the dead-letter topic
 * @param ftrl the FTRL-Proximal hyper-parameters
 * @param publishEvery a new candidate version after this many examples
 * @param publishInterval and at least this often while learning; zero: only by count
 * @param gate how a candidate version is evaluated before it may be served
 * @param feedback when the trainer learns a view: a horizon after it, or at once with fake
 *     negatives
 * @param drift the Page-Hinkley test on the served log loss
 * @param featureDrift the population stability index of each feature against the serving version's
 */
public record LearningConfig(
        KafkaOptions kafka,
        SourceOptions source,
        String modelName,
        Duration horizon,
        Duration allowedLateness,
        FtrlProximal ftrl,
        long publishEvery,
        Duration publishInterval,
        PromotionGate.Settings gate,
        Feedback feedback,
        PageHinkley.Settings drift,
        FeatureDrift.Settings featureDrift)
        implements Serializable {

    public LearningConfig {
        ModelLines.checkName(modelName);
    }

    public static final String DEFAULT_MODEL_NAME = "purchase-30m";

    /** Chosen by measurement: docs/learning.md, "Delayed feedback". */
    public static final Feedback DEFAULT_FEEDBACK = Feedback.IMMEDIATE;

    public static LearningConfig fromArgs(JobArgs args) {
        FtrlProximal defaults = FtrlProximal.defaults();
        double alpha =
                args.doubleValue(
                        "ftrl-alpha", defaults.alpha(), 1e-9, 1e3, "FTRL learning rate scale");
        double beta =
                args.doubleValue(
                        "ftrl-beta", defaults.beta(), 0, 1e3, "FTRL learning rate smoothing");
        double l1 = args.doubleValue("ftrl-l1", defaults.l1(), 0, 1e6, "FTRL L1 regularisation");
        double l2 = args.doubleValue("ftrl-l2", defaults.l2(), 0, 1e6, "FTRL L2 regularisation");
        return new LearningConfig(
                KafkaOptions.fromArgs(args, "learning"),
                // Never idle: a paused upstream job must stop the label join, not let it label
                // views before their purchases (or purchases before their views) have arrived.
                SourceOptions.fromArgs(
                        args,
                        "learning",
                        "features.user and events.canonical",
                        Duration.ofSeconds(10),
                        Duration.ZERO),
                args.string("model-name", DEFAULT_MODEL_NAME, "name of the model on ml.models"),
                args.duration(
                        "label-horizon",
                        LabelJoinFunction.DEFAULT_HORIZON,
                        Duration.ofSeconds(1),
                        "a purchase this long after a view makes it positive"),
                args.duration(
                        "allowed-lateness",
                        LabelJoinFunction.DEFAULT_ALLOWED_LATENESS,
                        Duration.ZERO,
                        "how far behind the watermark a view's horizon may be and still be"
                                + " labelled"),
                new FtrlProximal(alpha, beta, l1, l2),
                args.longValue(
                        "publish-every",
                        1_000,
                        1,
                        Long.MAX_VALUE,
                        "a new candidate version after this many examples"),
                args.duration(
                        "publish-interval",
                        Duration.ofSeconds(30),
                        Duration.ZERO,
                        "and at least this often while learning (0: only by count)"),
                new PromotionGate.Settings(
                        args.longValue(
                                "gate-examples",
                                PromotionGate.DEFAULT_EXAMPLES,
                                1,
                                Long.MAX_VALUE,
                                "examples a candidate version is evaluated on before it may be"
                                        + " served"),
                        args.doubleValue(
                                "gate-tolerance",
                                PromotionGate.DEFAULT_TOLERANCE,
                                0,
                                0.99,
                                "how far (relative log loss) a candidate may fall behind the"
                                        + " serving version and still be promoted")),
                Feedback.ofArgument(
                        args.choice(
                                "feedback",
                                DEFAULT_FEEDBACK.argument(),
                                Feedback.arguments(),
                                "when the trainer learns a view: a label horizon after it"
                                        + " (horizon), or at once as a fake negative and again"
                                        + " when its purchase arrives (immediate)")),
                new PageHinkley.Settings(
                        args.doubleValue(
                                "drift-delta",
                                PageHinkley.DEFAULT_DELTA,
                                0,
                                10,
                                "rise of the served log loss per prediction the drift test"
                                        + " tolerates"),
                        args.doubleValue(
                                "drift-threshold",
                                PageHinkley.DEFAULT_THRESHOLD,
                                1e-6,
                                1e9,
                                "how far the drift test's cumulative excess loss must rise to"
                                        + " fire"),
                        args.longValue(
                                "drift-window",
                                PageHinkley.DEFAULT_WINDOW,
                                1,
                                1_000_000_000,
                                "labelled predictions in the drift test's running mean, and"
                                        + " before it may fire")),
                new FeatureDrift.Settings(
                        args.doubleValue(
                                "psi-threshold",
                                FeatureDrift.DEFAULT_THRESHOLD,
                                1e-6,
                                100,
                                "population stability index from which a feature has drifted"),
                        args.intValue(
                                "psi-window",
                                FeatureDrift.DEFAULT_WINDOW,
                                FeatureDrift.BINS,
                                100_000_000,
                                "views per block compared with the serving version's")));
    }
}
