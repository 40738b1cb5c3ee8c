package io.eventml.learning;

import io.eventml.common.config.KafkaOptions;
import io.eventml.common.ml.DriftAlarm;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drift on a switched world: the generator's world shifts after an hour (in-store sessions then
 * convert worse than online ones, every purchase about half as likely, and three times as many
 * sessions start in a store); the learning job, as built at its production settings, must raise no
 * drift alarm before the shift, raise one on the served loss within an hour of label time after it
 * and one on the in-store feature within minutes, and serve a model that recovers. A slow test
 * (about two minutes): {@code mvn verify -Pslow}.
 */
@Tag("slow")
class DriftDetectionTest {

    @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final Duration LENGTH = Duration.ofMinutes(150);
    private static final Duration SHIFT_AFTER = Duration.ofMinutes(60);

    @Test
    void aShiftedWorldIsDetectedWithinAnHourOfLabelsAndTheServedModelRecovers() throws Exception {
        GeneratedWorld world = GeneratedWorld.generate(KAFKA, LENGTH, SHIFT_AFTER);
        KafkaOptions kafka = world.kafka();
        LearningConfig config =
                GeneratedWorld.learning(
                        kafka, PromotionGate.Settings.defaults(), LearningConfig.DEFAULT_FEEDBACK);
        StreamExecutionEnvironment env = FlinkTestCluster.environment();
        LearningJob.of(config).build(env);
        env.execute("learning, a shifted world");

        GeneratorConfig generator = world.simulator().config();
        long shift = generator.tickStart(0) + SHIFT_AFTER.toMillis();
        long end = generator.tickStart(generator.ticks());
        List<DriftAlarm> all = decode(Topics.ML_DRIFT, kafka);
        List<DriftAlarm> alarms = all.stream().filter(a -> a.feature() == null).toList();
        List<DriftAlarm> features = all.stream().filter(a -> a.feature() != null).toList();
        System.out.printf(
                "drift: %d alarm(s) on the served loss, at label time %s min from the shift;"
                        + " %d on features: %s%n",
                alarms.size(),
                alarms.stream()
                        .map(a -> String.format("%+.1f", (a.labelTime() - shift) / 60_000.0))
                        .toList(),
                features.size(),
                features.stream()
                        .map(
                                a ->
                                        String.format(
                                                "%s %+.1f min PSI %.2f (%.3f -> %.3f)",
                                                a.feature(),
                                                (a.labelTime() - shift) / 60_000.0,
                                                a.statistic(),
                                                a.baseline(),
                                                a.recent()))
                        .toList());
        assertThat(alarms).as("alarms").isNotEmpty();
        assertThat(alarms.get(0).labelTime())
                .as("the first alarm's label time")
                .isBetween(shift, shift + Duration.ofHours(1).toMillis());
        assertThat(alarms.get(0).detector()).isEqualTo("page-hinkley-log-loss-over-base-rate");
        // The stores draw three times as many sessions from the shift on: the in-store flag drifts,
        // seen as soon as the trainer learns the views (no label needed), within minutes.
        assertThat(features)
                .filteredOn(a -> a.feature().equals("in_store"))
                .as("in_store drifted")
                .isNotEmpty()
                .first()
                .satisfies(
                        a -> {
                            assertThat(a.labelTime()).isBetween(shift, shift + 15 * 60_000L);
                            assertThat(a.detector()).isEqualTo(OnlineTrainer.FEATURE_DETECTOR);
                            assertThat(a.baseline()).isLessThan(0.2);
                            assertThat(a.recent()).isGreaterThan(0.35);
                        });
        assertThat(features)
                .as("no feature drifted before the shift")
                .allMatch(a -> a.labelTime() >= shift);

        // Served log loss against the generator's own probabilities on the same views: just after
        // the shift, and after the model had time to learn the new world (views whose horizon ended
        // before the data did, so that their labels are right).
        Map<String, TrainingExample> byView = new HashMap<>();
        decode(Topics.ML_TRAINING_EXAMPLES, kafka)
                .forEach(e -> byView.put(e.features().eventId(), e));
        Map<String, Double> truth =
                world.simulator()
                        .viewProbabilities(0, LENGTH.toMillis() / GeneratorConfig.TICK.toMillis());
        long horizon = LabelJoinFunction.DEFAULT_HORIZON.toMillis();
        double[] justBefore = new double[3]; // n, served, truth
        double[] justAfter = new double[3];
        double[] later = new double[3];
        for (Prediction p : decode(Topics.ML_PREDICTIONS, kafka)) {
            TrainingExample e = byView.get(p.eventId());
            Double t = truth.get(p.eventId());
            if (e == null || t == null) {
                continue;
            }
            long view = e.features().eventTime();
            double[] sums =
                    view >= shift - 15 * 60_000L && view < shift
                            ? justBefore
                            : view >= shift && view < shift + 15 * 60_000L
                                    ? justAfter
                                    : view >= shift + 45 * 60_000L && view < end - horizon
                                            ? later
                                            : null;
            if (sums != null) {
                sums[0]++;
                sums[1] += ServedQuality.logLoss(p.probability(), e.label());
                sums[2] += ServedQuality.logLoss(t, e.label());
            }
        }
        double before = justBefore[1] / justBefore[2];
        double hit = justAfter[1] / justAfter[2];
        double after = later[1] / later[2];
        System.out.printf(
                "served log loss / the generator's: %.3f on %,.0f views in the 15 min before the"
                        + " shift, %.3f on %,.0f views in the 15 min after it, %.3f on %,.0f views"
                        + " from 45 min after it%n",
                before, justBefore[0], hit, justAfter[0], after, later[0]);
        assertThat(justBefore[0]).isGreaterThan(5_000);
        assertThat(justAfter[0]).isGreaterThan(5_000);
        assertThat(later[0]).isGreaterThan(5_000);
        assertThat(hit).as("the shift hurt").isGreaterThan(before + 0.05);
        assertThat(after)
                .as("recovered: back within 0.02 of before the shift")
                .isLessThan(before + 0.02);
    }

    private static <T> List<T> decode(Topic<String, T> topic, KafkaOptions kafka) {
        List<T> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.drain(kafka.topic(topic))) {
            values.add(topic.valueCodec().decode(r.value()).value());
        }
        return values;
    }
}
