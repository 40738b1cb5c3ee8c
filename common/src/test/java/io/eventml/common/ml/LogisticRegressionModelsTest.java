package io.eventml.common.ml;

import org.apache.flink.ml.classification.logisticregression.LogisticRegressionModelServable;
import org.apache.flink.ml.linalg.DenseVector;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LogisticRegressionModelsTest {

    @Test
    void modelDataWeEncodeIsLoadedByFlinkMlsServableAndGivesTheHandComputedProbabilities() {
        DenseVector w = new DenseVector(new double[] {0.5, -1.25, 2.0});
        byte[] bytes = LogisticRegressionModels.encode(w, 7L);
        LogisticRegressionModelServable servable = LogisticRegressionModels.servable(bytes);

        List<DenseVector> xs =
                List.of(
                        new DenseVector(new double[] {1, 0, 0}), // w.x = 0.5
                        new DenseVector(new double[] {0, 1, 0}), // w.x = -1.25
                        new DenseVector(new double[] {1, 2, 3}), // w.x = 0.5 - 2.5 + 6 = 4.0
                        new DenseVector(new double[] {0, 0, 0})); // w.x = 0
        double[] p = LogisticRegressionModels.probabilities(servable, xs);

        assertThat(p[0]).isCloseTo(1 / (1 + Math.exp(-0.5)), within(1e-12));
        assertThat(p[1]).isCloseTo(1 / (1 + Math.exp(1.25)), within(1e-12));
        assertThat(p[2]).isCloseTo(1 / (1 + Math.exp(-4.0)), within(1e-12));
        assertThat(p[3]).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void encodingIsTheCoefficientsThenTheVersion() {
        // Flink ML writes the DenseVector with its serializer (length, then the doubles) and then
        // the version.
        byte[] bytes =
                LogisticRegressionModels.encode(new DenseVector(new double[] {1.5, -2.0}), 42L);
        assertThat(bytes).hasSize(4 + 2 * 8 + 8);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
        assertThat(buf.getInt()).isEqualTo(2);
        assertThat(buf.getDouble()).isEqualTo(1.5);
        assertThat(buf.getDouble()).isEqualTo(-2.0);
        assertThat(buf.getLong()).isEqualTo(42L);
    }

    @Test
    void bytesThatAreNotModelDataAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> LogisticRegressionModels.servable(new byte[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Flink ML LogisticRegressionModelData encoding");
    }
}
