package io.eventml.learning;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.ml.DriftAlarm;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.Prediction;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.testkit.FlinkTestCluster;
import io.eventml.common.testkit.KafkaBrokerExtension;
import io.eventml.common.topic.Topic;
import io.eventml.common.topic.Topics;
import io.eventml.generator.GeneratorConfig;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the served model is worth: the learning job as built, at its production settings (30-minute
 * horizon, a candidate every 1,000 examples, the promotion gate), over a generated world of several
 * simulated hours, its real-time predictions joined with their labels and compared, hour by hour of
 * view time, with two references on the same views: the generator's own purchase probabilities (the
 * truth the features only partly reveal) and a logistic regression fitted in hindsight on all the
 * examples (the best a linear model of these features could have served). Prints its figures;
 * asserts only that the comparison covers what it says. Not part of the default test run: {@code
 * deploy/local/quality.sh [HOURS]} runs it (docs/learning.md, "Served quality, measured").
 */
class ServedQualityBenchmark {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    /** Hours from which the model counts as warmed up: the 24 h windows are a few hours full. */
    private static final int WARM_UP_HOURS = 2;

    @Test
    void servedQualityHourByHourAgainstTheGeneratorAndAHindsightFit() throws Exception {
        int hours = Integer.getInteger("eventml.quality.hours", 6);
        long started = System.nanoTime();
        String shift = System.getProperty("eventml.quality.shift-after", "");
        Duration shiftAfter = shift.isBlank() ? null : Duration.parse("PT" + shift.toUpperCase());
        GeneratedWorld world = GeneratedWorld.generate(KAFKA, Duration.ofHours(hours), shiftAfter);
        KafkaOptions kafka = world.kafka();
        LearningConfig config = config(kafka);
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        LearningJob.of(config).build(env);
        env.execute("learning, served quality benchmark");

        List<TrainingExample> examples = decode(Topics.ML_TRAINING_EXAMPLES, kafka);
        List<Prediction> predictions = decode(Topics.ML_PREDICTIONS, kafka);
        List<ModelDecision> decisions = decode(Topics.ML_MODEL_DECISIONS, kafka);
        List<DriftAlarm> alarms = decode(Topics.ML_DRIFT, kafka);
        Map<String, TrainingExample> byView = new HashMap<>();
        examples.forEach(e -> byView.put(e.features().eventId(), e));
        long start = examples.stream().mapToLong(e -> e.features().eventTime()).min().orElseThrow();
        Map<String, Double> truth =
                world.simulator()
                        .viewProbabilities(
                                0,
                                Duration.ofHours(hours).toMillis()
                                        / GeneratorConfig.TICK.toMillis());
        double[] hindsight = Hindsight.fit(examples);

        // Served views: predictions whose view got a label, with the three probabilities.
        Map<Integer, Figures> byHour = new TreeMap<>();
        Map<Long, double[]> byVersion = new TreeMap<>(); // views, positives, log loss sum
        Figures warm = new Figures();
        int withoutTruth = 0;
        for (Prediction p : predictions) {
            TrainingExample e = byView.get(p.eventId());
            if (e == null) {
                continue;
            }
            Double t = truth.get(p.eventId());
            if (t == null) {
                withoutTruth++;
                continue;
            }
            int hour = (int) ((e.features().eventTime() - start) / 3_600_000);
            double fitted = Hindsight.probability(hindsight, e.features().values().values);
            byHour.computeIfAbsent(hour, h -> new Figures())
                    .add(p.probability(), t, fitted, e.label());
            if (hour >= WARM_UP_HOURS) {
                warm.add(p.probability(), t, fitted, e.label());
            }
            double[] v = byVersion.computeIfAbsent(p.modelVersion(), k -> new double[3]);
            v[0]++;
            v[1] += e.label() ? 1 : 0;
            v[2] += ServedQuality.logLoss(p.probability(), e.label());
        }
        // Versions that served worse than the base rate on the very views they scored.
        long versionsWorse = 0;
        long viewsOfWorse = 0;
        long servedViews = 0;
        for (double[] v : byVersion.values()) {
            servedViews += (long) v[0];
            if (v[2] / v[0] > ModelDecision.entropy(v[1] / v[0])) {
                versionsWorse++;
                viewsOfWorse += (long) v[0];
            }
        }
        long promoted = decisions.stream().filter(ModelDecision::promoted).count();
        long belowBase =
                decisions.stream().filter(d -> !(d.candidateLogLoss() < d.baseLogLoss())).count();
        System.out.printf(
                Locale.ROOT,
                "%nServed quality over %d simulated hours (gate: %s, feedback: %s): %,d examples, %,d predictions (%,d"
                        + " labelled and with a generator probability, %,d without one), %d of %d"
                        + " candidates promoted; %.0f s%n",
                hours,
                config.gate(),
                config.feedback().argument(),
                examples.size(),
                predictions.size(),
                byHour.values().stream().mapToLong(f -> f.n).sum(),
                withoutTruth,
                promoted,
                decisions.size(),
                (System.nanoTime() - started) / 1e9);
        System.out.println(Figures.HEADER);
        byHour.forEach((h, f) -> System.out.println(f.row("hour " + h)));
        System.out.println(warm.row("from hour " + WARM_UP_HOURS));
        System.out.printf(
                Locale.ROOT,
                "rejected candidates: %d not better than the base rate, %d behind the serving"
                        + " version%nversions worse than the base rate on the views they served: %d"
                        + " of %d, which scored %.1f%% of the served views%n",
                belowBase,
                decisions.size() - promoted - belowBase,
                versionsWorse,
                byVersion.size(),
                100.0 * viewsOfWorse / servedViews);
        System.out.printf(
                Locale.ROOT,
                "goals after warm-up: served log loss / hindsight fit's %.3f (goal <= 1.05);"
                        + " served AUC - generator's %.3f (goal >= -0.01)%n",
                warm.logLoss(0) / warm.logLoss(2),
                warm.auc(0) - warm.auc(1));
        long shiftTime =
                shiftAfter == null
                        ? Long.MAX_VALUE
                        : world.simulator().config().tickStart(0) + shiftAfter.toMillis();
        System.out.printf(
                Locale.ROOT,
                "world shift: %s; drift alarms (%s, %s): %d%n",
                shiftAfter == null ? "none" : "after " + shiftAfter,
                config.drift(),
                config.featureDrift(),
                alarms.size());
        for (DriftAlarm a : alarms) {
            if (a.feature() != null) {
                System.out.printf(
                        Locale.ROOT,
                        "  feature %s drifted at label time %+.1f min from the %s: PSI %.3f, mean"
                                + " %.4f in the last %d views against %.4f in the %d version %d"
                                + " learned last%n",
                        a.feature(),
                        (a.labelTime() - (shiftAfter == null ? start : shiftTime)) / 60_000.0,
                        shiftAfter == null ? "first view" : "shift",
                        a.statistic(),
                        a.recent(),
                        a.recentOutcomes(),
                        a.baseline(),
                        a.outcomes(),
                        a.servingVersion());
                continue;
            }
            System.out.printf(
                    Locale.ROOT,
                    "  alarm at label time %+.1f min from the %s: log loss over the base rate's %+.4f"
                            + " on the last %d outcomes against a mean of %+.4f, after %d outcomes,"
                            + " version %d%n",
                    (a.labelTime() - (shiftAfter == null ? start : shiftTime)) / 60_000.0,
                    shiftAfter == null ? "first view" : "shift",
                    a.recent(),
                    a.recentOutcomes(),
                    a.baseline(),
                    a.outcomes(),
                    a.servingVersion());
        }
        printDriftGrid(predictions, byView, shiftTime);
        assertThat(withoutTruth)
                .as("views without a generator probability")
                .isLessThan(predictions.size() / 100 + 1);
        assertThat(warm.n).as("served views after warm-up").isGreaterThan(10_000);
    }

    /**
     * The Page-Hinkley test replayed over the served outcomes in the order the job sees them (the
     * label join releases each view's example a horizon after it, whatever its label) for a grid of
     * settings: alarms before the shift (false ones) and the first after it, in minutes of event
     * time (view time plus the horizon) and outcomes.
     */
    private static void printDriftGrid(
            List<Prediction> predictions, Map<String, TrainingExample> byView, long shiftTime) {
        long horizon = LabelJoinFunction.DEFAULT_HORIZON.toMillis();
        List<double[]> outcomes = new ArrayList<>(); // release time, probability, label
        for (Prediction p : predictions) {
            TrainingExample e = byView.get(p.eventId());
            if (e != null) {
                outcomes.add(
                        new double[] {
                            e.features().eventTime() + horizon, p.probability(), e.label() ? 1 : 0
                        });
            }
        }
        outcomes.sort((a, b) -> Double.compare(a[0], b[0]));
        System.out.println(
                "drift test replayed: delta, threshold -> alarms before the shift; first alarm"
                        + " after it (minutes of view time + horizon, outcomes)");
        for (double delta : new double[] {0.002, 0.005, 0.01, 0.02}) {
            for (double threshold : new double[] {25, 50, 100, 200}) {
                PageHinkley.Settings settings =
                        new PageHinkley.Settings(delta, threshold, PageHinkley.DEFAULT_WINDOW);
                PageHinkley test = new PageHinkley();
                ExcessLogLoss input = new ExcessLogLoss();
                int before = 0;
                String after = "none";
                long afterShift = 0;
                for (double[] o : outcomes) {
                    boolean shifted = o[0] >= shiftTime;
                    afterShift += shifted ? 1 : 0;
                    if (test.add(input.next(o[1], o[2] == 1, settings.window()), settings)) {
                        test.reset();
                        if (!shifted) {
                            before++;
                        } else {
                            after =
                                    String.format(
                                            Locale.ROOT,
                                            "%+.1f min, %,d outcomes",
                                            (o[0] - shiftTime) / 60_000.0,
                                            afterShift);
                            break;
                        }
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "  %.3f, %5.0f -> %d; %s%n",
                        delta,
                        threshold,
                        before,
                        shiftTime == Long.MAX_VALUE ? "-" : after);
            }
        }
    }

    /**
     * Production settings, bounded; the gate's may be set with {@code
     * -Deventml.quality.gate-examples} and {@code -Deventml.quality.gate-tolerance}, the feedback
     * with {@code -Deventml.quality.feedback=horizon|immediate}.
     */
    private static LearningConfig config(KafkaOptions kafka) {
        return GeneratedWorld.learning(
                kafka,
                new PromotionGate.Settings(
                        Long.getLong(
                                "eventml.quality.gate-examples", PromotionGate.DEFAULT_EXAMPLES),
                        Double.parseDouble(
                                System.getProperty(
                                        "eventml.quality.gate-tolerance",
                                        Double.toString(PromotionGate.DEFAULT_TOLERANCE)))),
                Feedback.ofArgument(
                        System.getProperty(
                                "eventml.quality.feedback",
                                LearningConfig.DEFAULT_FEEDBACK.argument())));
    }

    /**
     * Log loss, AUC and calibration of three scorers of the same views: served, truth, hindsight.
     */
    private static final class Figures {
        static final String HEADER =
                String.format(
                        Locale.ROOT,
                        "%-12s %8s %6s %8s | %8s %6s %6s | %8s %6s | %8s %6s",
                        "views",
                        "n",
                        "rate",
                        "base LL",
                        "served",
                        "AUC",
                        "mean p",
                        "truth",
                        "AUC",
                        "hindsight",
                        "AUC");

        long n;
        long positives;
        final double[] logLoss = new double[3];
        final double[] predicted = new double[3];
        final List<double[]> scored = new ArrayList<>();

        void add(double served, double truth, double fitted, boolean label) {
            n++;
            positives += label ? 1 : 0;
            double[] p = {served, truth, fitted};
            for (int i = 0; i < 3; i++) {
                logLoss[i] += ServedQuality.logLoss(p[i], label);
                predicted[i] += p[i];
            }
            scored.add(new double[] {served, truth, fitted, label ? 1 : 0});
        }

        double logLoss(int i) {
            return logLoss[i] / n;
        }

        double auc(int i) {
            return ExactAuc.of(scored, x -> x[i], x -> x[3] == 1);
        }

        String row(String label) {
            double rate = positives / (double) n;
            return String.format(
                    Locale.ROOT,
                    "%-12s %,8d %6.3f %8.4f | %8.4f %6.3f %6.3f | %8.4f %6.3f | %8.4f %6.3f",
                    label,
                    n,
                    rate,
                    ModelDecision.entropy(rate),
                    logLoss(0),
                    auc(0),
                    predicted[0] / n,
                    logLoss(1),
                    auc(1),
                    logLoss(2),
                    auc(2));
        }
    }

    private static <T> List<T> decode(Topic<String, T> topic, KafkaOptions kafka) {
        List<T> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.drain(kafka.topic(topic))) {
            values.add(topic.valueCodec().decode(r.value()).value());
        }
        return values;
    }
}
