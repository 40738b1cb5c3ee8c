package io.eventml.common.ml;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.ml.linalg.typeinfo.DenseVectorSerializer;
import org.apache.flink.ml.linalg.typeinfo.DenseVectorTypeInfo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Why {@link DenseVectorTypeInformation} exists, and that it writes Flink ML's own bytes. */
class FlinkMlTypeInfoOnFlink2Test {

    @Test
    void flinkMlsOwnTypeInfoCannotCreateASerializerOnFlink2() {
        // If this starts passing, Flink ML has been fixed for Flink 2 and our class can go.
        assertThatThrownBy(
                        () ->
                                DenseVectorTypeInfo.INSTANCE.createSerializer(
                                        new SerializerConfigImpl()))
                .isInstanceOf(AbstractMethodError.class);
    }

    @Test
    void ourTypeInfoUsesFlinkMlsSerializerWithUnchangedBytes() throws Exception {
        TypeSerializer<DenseVector> ours =
                DenseVectorTypeInformation.INSTANCE.createSerializer(new SerializerConfigImpl());
        assertThat(ours).isInstanceOf(DenseVectorSerializer.class);

        DenseVector v = new DenseVector(new double[] {1.5, -0.25, 3});
        DataOutputSerializer a = new DataOutputSerializer(64);
        ours.serialize(v, a);
        DataOutputSerializer b = new DataOutputSerializer(64);
        new DenseVectorSerializer().serialize(v, b);
        assertThat(a.getCopyOfBuffer()).isEqualTo(b.getCopyOfBuffer());
        assertThat(ours.deserialize(new DataInputDeserializer(a.getCopyOfBuffer()))).isEqualTo(v);
    }
}
