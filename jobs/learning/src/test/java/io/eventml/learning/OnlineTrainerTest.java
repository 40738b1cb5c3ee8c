package io.eventml.learning;

import io.eventml.common.features.FeatureVector;
import io.eventml.common.ml.DriftAlarm;
import io.eventml.common.ml.ModelDecision;
import io.eventml.common.ml.ModelLines;
import io.eventml.common.ml.ModelUpdate;
import io.eventml.common.ml.ServedQuality;
import io.eventml.common.ml.TrainingExample;
import io.eventml.common.state.WriteBehindProcessOperator;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OnlineTrainerTest {
    private static final FtrlProximal FTRL = new FtrlProximal(0.1, 1.0, 0.1, 0.1);
    private static final double[] TRUE_WEIGHTS = {-1.5, 1.0, -0.8, 0.5, 0.0};

    private static final PromotionGate.Settings GATE = new PromotionGate.Settings(500, 0.01);

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, ModelUpdate>
            harness() throws Exception {
        return harness(ModelRegistry.none());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, ModelUpdate>
            harness(ModelRegistry registry) throws Exception {
        return harness(registry, Feedback.HORIZON);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, ModelUpdate>
            harness(ModelRegistry registry, Feedback feedback) throws Exception {
        return harness(registry, feedback, FeatureDrift.Settings.defaults());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, ModelUpdate>
            harness(ModelRegistry registry, Feedback feedback, FeatureDrift.Settings featureDrift)
                    throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new WriteBehindProcessOperator<>(
                        new OnlineTrainer(
                                FTRL,
                                1000,
                                Duration.ofMinutes(1),
                                GATE,
                                featureDrift,
                                feedback,
                                registry)),
                // As the job keys them: by line, the model and the examples' spec version.
                e -> ModelLines.key("ctr", e.example().features().specVersion()),
                Types.STRING);
    }

    private static List<ModelDecision> decisions(
            KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, ModelUpdate> h) {
        List<ModelDecision> out = new ArrayList<>();
        var records = h.getSideOutput(OnlineTrainer.DECISIONS);
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    /** Mean log loss of sigmoid(w.x) on the examples: the gate's figure, computed plainly. */
    private static double logLoss(double[] w, List<TrainingExample> examples) {
        double sum = 0;
        for (TrainingExample e : examples) {
            double[] x = e.features().values().values;
            double dot = 0;
            for (int i = 0; i < x.length; i++) {
                dot += w[i] * x[i];
            }
            sum += ServedQuality.logLoss(1 / (1 + Math.exp(-dot)), e.label());
        }
        return sum / examples.size();
    }

    private static double baseLogLoss(List<TrainingExample> examples) {
        return ModelDecision.entropy(
                examples.stream().filter(TrainingExample::label).count()
                        / (double) examples.size());
    }

    private static List<TrainingExample> examples(int n, int specVersion) {
        return examples(n, specVersion, Integer.MAX_VALUE);
    }

    /** Examples of a logistic world whose weights turn to their opposite from {@code flipAt}. */
    private static List<TrainingExample> examples(int n, int specVersion, int flipAt) {
        SplittableRandom r = new SplittableRandom(5);
        List<TrainingExample> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double[] x = new double[TRUE_WEIGHTS.length];
            x[0] = 1;
            double sign = k < flipAt ? 1 : -1;
            double dot = TRUE_WEIGHTS[0];
            for (int i = 1; i < x.length; i++) {
                x[i] = r.nextGaussian();
                dot += sign * TRUE_WEIGHTS[i] * x[i];
            }
            boolean y = r.nextDouble() < 1 / (1 + Math.exp(-dot));
            out.add(
                    new TrainingExample(
                            new FeatureVector(
                                    "v" + k, "u-1", "sku-1", k, specVersion, new DenseVector(x)),
                            y,
                            k));
        }
        return out;
    }

    /** The same examples through a plain FtrlProximal: what the operator must publish. */
    private static double[] plainWeights(List<TrainingExample> examples) {
        FtrlProximal.State s = new FtrlProximal.State(TRUE_WEIGHTS.length);
        for (TrainingExample e : examples) {
            FTRL.learn(s, e.features().values().values, e.label());
        }
        return FTRL.weights(s);
    }

    @Test
    void cutsACandidateEveryThousandExamplesAndServesItOnlyAfterTheGateJudgedItOnLaterExamples()
            throws Exception {
        List<TrainingExample> examples = examples(2_500, 1);
        try (var h = harness()) {
            h.open();
            for (TrainingExample e : examples) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            // v1 cut after 1,000 examples, judged on the next 500; v2 cut after 2,000, judged on
            // the last 500, against v1, which is serving by then.
            List<ModelDecision> decisions = decisions(h);
            assertThat(decisions).extracting(ModelDecision::version).containsExactly(1L, 2L);
            double[] v1 = plainWeights(examples.subList(0, 1000));
            double[] v2 = plainWeights(examples.subList(0, 2000));
            ModelDecision first = decisions.get(0);
            assertThat(first.model().examples()).isEqualTo(1000);
            assertThat(first.model().coefficients().values).containsExactly(v1);
            List<TrainingExample> holdout1 = examples.subList(1000, 1500);
            assertThat(first.holdoutExamples()).isEqualTo(500);
            assertThat(first.candidateLogLoss())
                    .isCloseTo(logLoss(v1, holdout1), within(1e-12))
                    .isLessThan(baseLogLoss(holdout1));
            assertThat(first.baseLogLoss()).isCloseTo(baseLogLoss(holdout1), within(1e-12));
            assertThat(first.servingVersion()).isZero();
            assertThat(first.servingLogLoss()).isNaN();
            assertThat(first.verdict()).isEqualTo(ModelDecision.Verdict.PROMOTED);
            assertThat(first.candidateAuc()).isGreaterThan(0.7);

            ModelDecision second = decisions.get(1);
            List<TrainingExample> holdout2 = examples.subList(2000, 2500);
            assertThat(second.model().coefficients().values).containsExactly(v2);
            assertThat(second.candidateLogLoss()).isCloseTo(logLoss(v2, holdout2), within(1e-12));
            assertThat(second.servingVersion()).isEqualTo(1);
            assertThat(second.servingLogLoss()).isCloseTo(logLoss(v1, holdout2), within(1e-12));
            boolean promote =
                    second.candidateLogLoss() < baseLogLoss(holdout2)
                            && second.candidateLogLoss() <= second.servingLogLoss() * 1.01;
            assertThat(second.promoted()).isEqualTo(promote);

            // Served: exactly the promoted candidates, as they were cut.
            List<ModelUpdate> served = h.extractOutputValues();
            assertThat(served)
                    .containsExactlyElementsOf(
                            decisions.stream()
                                    .filter(ModelDecision::promoted)
                                    .map(ModelDecision::model)
                                    .toList());

            // The publish timer cuts what was learned since, once: v3, now under evaluation.
            h.setProcessingTime(60_000);
            h.setProcessingTime(120_000);
            for (TrainingExample e : examples(500, 1)) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            assertThat(decisions(h)).extracting(ModelDecision::version).containsExactly(1L, 2L, 3L);
            assertThat(decisions(h).get(2).model().coefficients().values)
                    .containsExactly(plainWeights(examples));
        }
    }

    /**
     * Immediate feedback and the publish timer: a candidate cut but judged on no final example yet
     * is replaced, when the timer fires, by the weights of everything learned since (same version),
     * so that the gate judges, and may serve, what the model knows then.
     */
    @Test
    void thePublishTimerReplacesACandidateJudgedOnNothingYet() throws Exception {
        List<TrainingExample> all = examples(1_600, 1);
        try (var h = harness(ModelRegistry.none(), Feedback.IMMEDIATE)) {
            h.open();
            h.setProcessingTime(0);
            // v1 is cut at 1,000 examples learned; 100 more follow, and no final example.
            for (TrainingExample e : all.subList(0, 1_100)) {
                h.processElement(new StreamRecord<>(TrainerInput.early(e), e.labelTime()));
            }
            h.setProcessingTime(60_000);
            for (TrainingExample e : all.subList(1_100, 1_600)) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            FtrlProximal.State plain = new FtrlProximal.State(TRUE_WEIGHTS.length);
            for (TrainingExample e : all.subList(0, 1_100)) {
                FTRL.learnFakeNegativeWeighted(plain, e.features().values().values, e.label());
            }
            List<ModelDecision> decisions = decisions(h);
            assertThat(decisions).hasSize(1);
            assertThat(decisions.get(0).version()).isEqualTo(1);
            assertThat(decisions.get(0).model().examples()).isEqualTo(1_100);
            assertThat(decisions.get(0).model().coefficients().values)
                    .containsExactly(FTRL.weights(plain));
        }
    }

    /**
     * Immediate feedback: the trainer learns the early examples (a fake negative per view, a
     * positive a little later for each converted one) with fake-negative weights and only scores
     * the final ones, which come a "horizon" of 200 examples after their views. Candidates are cut
     * by examples learned and judged on the final examples that follow the cut.
     */
    @Test
    void withImmediateFeedbackItLearnsTheEarlyExamplesAndJudgesCandidatesOnTheFinalOnes()
            throws Exception {
        List<TrainingExample> finals = examples(3_000, 1);
        int horizon = 200;
        List<TrainerInput> feed = new ArrayList<>();
        Map<Integer, List<TrainingExample>> positivesDue = new HashMap<>();
        for (int k = 0; k < finals.size() + horizon; k++) {
            for (TrainingExample p : positivesDue.getOrDefault(k, List.of())) {
                feed.add(TrainerInput.early(p));
            }
            if (k < finals.size()) {
                TrainingExample e = finals.get(k);
                feed.add(TrainerInput.early(new TrainingExample(e.features(), false, k)));
                if (e.label()) {
                    int due = k + 1 + k % 7;
                    positivesDue
                            .computeIfAbsent(due, d -> new ArrayList<>())
                            .add(new TrainingExample(e.features(), true, due));
                }
            }
            if (k >= horizon) {
                feed.add(TrainerInput.labelled(finals.get(k - horizon)));
            }
        }
        List<ModelDecision> decisions;
        try (var h = harness(ModelRegistry.none(), Feedback.IMMEDIATE)) {
            h.open();
            for (TrainerInput in : feed) {
                h.processElement(new StreamRecord<>(in, in.example().labelTime()));
            }
            decisions = decisions(h);
            assertThat(h.extractOutputValues())
                    .containsExactlyElementsOf(
                            decisions.stream()
                                    .filter(ModelDecision::promoted)
                                    .map(ModelDecision::model)
                                    .toList());
        }
        assertThat(decisions).hasSizeGreaterThan(2);
        long previous = 0;
        int previousEnd = 0;
        for (ModelDecision d : decisions) {
            long learned = d.model().examples();
            assertThat(learned).isGreaterThanOrEqualTo(previous + 1000);
            previous = learned;
            // The plain re-computation: the first `learned` early examples, weighted; the final
            // examples are not learned. The holdout: the next 500 final examples after the cut,
            // which comes with the first example learned after the previous decision or, if that
            // was learned already, with that decision.
            FtrlProximal.State plain = new FtrlProximal.State(TRUE_WEIGHTS.length);
            int i = 0;
            while (plain.examples < learned) {
                TrainerInput in = feed.get(i++);
                if (in.early()) {
                    FTRL.learnFakeNegativeWeighted(
                            plain, in.example().features().values().values, in.example().label());
                }
            }
            double[] candidate = FTRL.weights(plain);
            assertThat(d.model().coefficients().values)
                    .as("v%d", d.version())
                    .containsExactly(candidate);
            List<TrainingExample> holdout = new ArrayList<>();
            for (i = Math.max(i, previousEnd); holdout.size() < 500; i++) {
                if (!feed.get(i).early()) {
                    holdout.add(feed.get(i).example());
                }
            }
            assertThat(d.candidateLogLoss())
                    .as("v%d", d.version())
                    .isCloseTo(logLoss(candidate, holdout), within(1e-12));
            assertThat(d.baseLogLoss()).isCloseTo(baseLogLoss(holdout), within(1e-12));
            previousEnd = i;
        }
        assertThat(decisions.get(0).model().examples()).isEqualTo(1000);
        assertThat(decisions.get(0).verdict()).isEqualTo(ModelDecision.Verdict.PROMOTED);
    }

    /**
     * A candidate that no final example has scored yet (a fresh model's first horizon) is replaced,
     * under its version, by the freshest weights each time as many examples more are learned.
     */
    @Test
    void withImmediateFeedbackACandidateNotYetScoredIsReplacedByFresherWeights() throws Exception {
        List<TrainingExample> finals = examples(3_000, 1);
        FtrlProximal.State plain = new FtrlProximal.State(TRUE_WEIGHTS.length);
        try (var h = harness(ModelRegistry.none(), Feedback.IMMEDIATE)) {
            h.open();
            // 2,500 fake negatives with no final example: cut at 1,000, replaced at 2,000.
            for (TrainingExample e : finals.subList(0, 2_500)) {
                TrainingExample negative = new TrainingExample(e.features(), false, 0);
                h.processElement(new StreamRecord<>(TrainerInput.early(negative), 0));
                FTRL.learnFakeNegativeWeighted(plain, e.features().values().values, false);
                if (plain.examples == 2_000) {
                    break;
                }
            }
            double[] replaced = FTRL.weights(plain);
            for (TrainingExample e : finals.subList(2_000, 2_500)) {
                TrainingExample negative = new TrainingExample(e.features(), false, 0);
                h.processElement(new StreamRecord<>(TrainerInput.early(negative), 0));
            }
            for (TrainingExample e : finals.subList(0, 500)) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), 0));
            }
            List<ModelDecision> decisions = decisions(h);
            assertThat(decisions).hasSize(1);
            assertThat(decisions.get(0).version()).isEqualTo(1);
            assertThat(decisions.get(0).model().examples()).isEqualTo(2_000);
            assertThat(decisions.get(0).model().coefficients().values).containsExactly(replaced);
            assertThat(decisions.get(0).candidateLogLoss())
                    .isCloseTo(logLoss(replaced, finals.subList(0, 500)), within(1e-12));
        }
    }

    /**
     * A savepoint taken while a candidate waited for its first final example, restored after later
     * versions were decided elsewhere: that candidate's number is taken, so it is dropped and the
     * next one is numbered after them (and replacing it does not fail).
     */
    @Test
    void aCandidateWhoseNumberWasDecidedSinceTheSavepointIsDroppedAfterARestore() throws Exception {
        List<TrainingExample> finals = examples(3_000, 1);
        OperatorSubtaskState snapshot;
        try (var h = harness(ModelRegistry.none(), Feedback.IMMEDIATE)) {
            h.open();
            for (TrainingExample e : finals.subList(0, 1_000)) {
                TrainingExample negative = new TrainingExample(e.features(), false, 0);
                h.processElement(new StreamRecord<>(TrainerInput.early(negative), 0));
            }
            // v1 cut, not yet scored.
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored =
                harness(name -> new ModelRegistry.Published(null, 5), Feedback.IMMEDIATE)) {
            restored.initializeState(snapshot);
            restored.open();
            for (TrainingExample e : finals.subList(1_000, 2_500)) {
                TrainingExample negative = new TrainingExample(e.features(), false, 0);
                restored.processElement(new StreamRecord<>(TrainerInput.early(negative), 0));
            }
            for (TrainingExample e : finals.subList(0, 500)) {
                restored.processElement(new StreamRecord<>(TrainerInput.labelled(e), 0));
            }
            List<ModelDecision> decisions = decisions(restored);
            assertThat(decisions).extracting(ModelDecision::version).containsExactly(6L);
            assertThat(decisions.get(0).model().examples()).isEqualTo(2_000);
        }
    }

    @Test
    void aCandidateThatTheWorldHasLeftBehindIsRejectedAndNeverServed() throws Exception {
        // The world turns at example 1,000, just as v1 is cut: v1 predicts the opposite of what
        // happens next, worse than knowing only the base rate.
        List<TrainingExample> examples = examples(1_500, 1, 1_000);
        try (var h = harness()) {
            h.open();
            for (TrainingExample e : examples) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            List<ModelDecision> decisions = decisions(h);
            assertThat(decisions).hasSize(1);
            ModelDecision d = decisions.get(0);
            assertThat(d.verdict()).isEqualTo(ModelDecision.Verdict.REJECTED);
            assertThat(d.candidateLogLoss()).isGreaterThan(d.baseLogLoss());
            assertThat(d.reason()).contains("not below the base rate");
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aTrainerWithoutStateNumbersAfterTheNewestVersionAndMustMatchTheServedOne()
            throws Exception {
        // Published before: v7 served (the generating weights themselves), v8 and v9 rejected.
        ModelUpdate served =
                new ModelUpdate(
                        "ctr", 7, new DenseVector(TRUE_WEIGHTS), 50_000, 0.5, 0.8, 0.3, 1, 0);
        List<TrainingExample> examples = examples(1_500, 1);
        try (var h = harness(name -> new ModelRegistry.Published(served, 9))) {
            h.open();
            for (TrainingExample e : examples) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            List<ModelDecision> decisions = decisions(h);
            assertThat(decisions).hasSize(1);
            ModelDecision d = decisions.get(0);
            assertThat(d.version()).isEqualTo(10);
            assertThat(d.servingVersion()).isEqualTo(7);
            List<TrainingExample> holdout = examples.subList(1000, 1500);
            assertThat(d.servingLogLoss()).isCloseTo(logLoss(TRUE_WEIGHTS, holdout), within(1e-12));
            // A fresh model of 1,000 examples is more than 1% behind the generating weights here.
            assertThat(d.candidateLogLoss()).isGreaterThan(d.servingLogLoss() * 1.01);
            assertThat(d.verdict()).isEqualTo(ModelDecision.Verdict.REJECTED);
            assertThat(d.reason()).contains("serving version 7");
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void afterARestoreTheTrainerContinuesFromItsWeightsVersionAndTheCandidateUnderEvaluation()
            throws Exception {
        List<TrainingExample> examples = examples(2_500, 1);
        List<ModelDecision> uninterrupted;
        try (var h = harness()) {
            h.open();
            for (TrainingExample e : examples) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            uninterrupted = decisions(h);
        }
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            // v1 cut, 200 of its 500 holdout examples seen.
            for (TrainingExample e : examples.subList(0, 1_200)) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            for (TrainingExample e : examples.subList(1_200, 2_500)) {
                restored.processElement(
                        new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            assertThat(decisions(restored)).isEqualTo(uninterrupted);
            assertThat(decisions(restored).get(1).model().coefficients().values)
                    .containsExactly(plainWeights(examples.subList(0, 2000)));
        }
    }

    @Test
    void stateAndOutputTypesNeedNoKryo() {
        org.apache.flink.api.common.serialization.SerializerConfigImpl noKryo =
                new org.apache.flink.api.common.serialization.SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        for (Class<?> type :
                List.of(
                        OnlineTrainer.TrainerState.class,
                        PromotionGate.class,
                        ModelUpdate.class,
                        ModelDecision.class,
                        TrainingExample.class,
                        TrainerInput.class,
                        LabelJoinFunction.PendingView.class,
                        ServedQualityFunction.ServedState.class,
                        PageHinkley.class,
                        FeatureDrift.class,
                        FeatureDrift.Window.class,
                        ExcessLogLoss.class,
                        io.eventml.common.ml.DriftAlarm.class)) {
            org.apache.flink.api.common.typeinfo.TypeInformation<?> info =
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(type);
            assertThat(info)
                    .as("%s", type)
                    .isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
            assertThat(info.createSerializer(noKryo)).isNotNull();
        }
    }

    /**
     * The views learned move: the share of a flag among them rises from 15% to 60% from the 3,000th
     * on. The first block of 500 views after it, compared with the reference of the version serving
     * then, raises an alarm on that feature, and nothing fired before.
     */
    @Test
    void aShiftInTheViewsLearnedRaisesAnAlarmOnThatFeature() throws Exception {
        SplittableRandom r = new SplittableRandom(9);
        List<TrainingExample> examples = new ArrayList<>();
        for (int k = 0; k < 4_000; k++) {
            double[] x = {
                1, r.nextDouble() < (k < 3_000 ? 0.15 : 0.6) ? 1 : 0, r.nextGaussian(), 0, 0
            };
            double p = 1 / (1 + Math.exp(1.5 - x[1] - 0.8 * x[2]));
            FeatureVector v = new FeatureVector("v" + k, "u", "i", k, 1, new DenseVector(x));
            examples.add(new TrainingExample(v, r.nextDouble() < p, k));
        }
        List<DriftAlarm> alarms = new ArrayList<>();
        try (var h =
                harness(
                        ModelRegistry.none(),
                        Feedback.HORIZON,
                        new FeatureDrift.Settings(0.25, 500))) {
            h.open();
            for (TrainingExample e : examples) {
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
            }
            var records = h.getSideOutput(OnlineTrainer.FEATURE_DRIFT);
            if (records != null) {
                records.forEach(a -> alarms.add(a.getValue()));
            }
            assertThat(decisions(h)).anyMatch(d -> d.promoted() && d.version() <= 3);
        }
        assertThat(alarms).isNotEmpty().allMatch(a -> a.feature().equals("feature_1"));
        DriftAlarm first = alarms.get(0);
        assertThat(first.labelTime()).isEqualTo(3_499);
        assertThat(first.detector()).isEqualTo(OnlineTrainer.FEATURE_DETECTOR);
        assertThat(first.modelName()).isEqualTo("ctr");
        assertThat(first.statistic()).isGreaterThan(0.25);
        assertThat(first.baseline()).isCloseTo(0.15, within(0.05));
        assertThat(first.recent()).isCloseTo(0.6, within(0.05));
        assertThat(first.recentOutcomes()).isEqualTo(500);
    }

    /**
     * A feature-spec rollout: examples of spec 2, interleaved with spec 1's, start their own line,
     * learned from nothing and numbered in spec 2's block, judged against the base rate only (no
     * version of that line serves yet); spec 1's line goes on as if they were not there.
     */
    @Test
    void examplesOfANewSpecVersionStartTheirOwnLine() throws Exception {
        List<TrainingExample> one = examples(2_000, 1);
        List<TrainingExample> two = examples(1_500, 2);
        List<ModelDecision> decisions;
        try (var h = harness()) {
            h.open();
            for (int k = 0; k < one.size(); k++) {
                TrainingExample e = one.get(k);
                h.processElement(new StreamRecord<>(TrainerInput.labelled(e), e.labelTime()));
                if (k >= 500) {
                    TrainingExample f = two.get(k - 500);
                    h.processElement(new StreamRecord<>(TrainerInput.labelled(f), f.labelTime()));
                }
            }
            decisions = decisions(h);
        }
        // Spec 1: v1 cut at 1,000 and decided at 1,500. Spec 2: its first version cut at its
        // 1,000th example and decided at its 1,500th.
        assertThat(decisions)
                .extracting(ModelDecision::version)
                .containsExactly(1L, ModelLines.versionsAfter(2) + 1);
        ModelDecision first = decisions.get(0);
        assertThat(first.model().specVersion()).isEqualTo(1);
        assertThat(first.model().coefficients().values)
                .containsExactly(plainWeights(one.subList(0, 1000)));
        assertThat(first.candidateLogLoss())
                .isCloseTo(
                        logLoss(plainWeights(one.subList(0, 1000)), one.subList(1000, 1500)),
                        within(1e-12));
        ModelDecision second = decisions.get(1);
        assertThat(second.model().modelName()).isEqualTo("ctr");
        assertThat(second.model().specVersion()).isEqualTo(2);
        assertThat(second.model().lineKey()).isEqualTo("ctr@spec2");
        assertThat(second.model().coefficients().values)
                .containsExactly(plainWeights(two.subList(0, 1000)));
        assertThat(second.servingVersion()).isZero();
        assertThat(second.candidateLogLoss())
                .isCloseTo(
                        logLoss(plainWeights(two.subList(0, 1000)), two.subList(1000, 1500)),
                        within(1e-12));
    }
}
