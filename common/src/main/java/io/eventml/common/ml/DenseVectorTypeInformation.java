package io.eventml.common.ml;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.ml.linalg.DenseVector;
import org.apache.flink.ml.linalg.typeinfo.DenseVectorSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * {@link TypeInformation} of Flink ML's {@link DenseVector} that works on Flink 2.
 *
 * <p>Flink ML 2.3.0's own {@code DenseVectorTypeInfo} only implements {@code
 * createSerializer(ExecutionConfig)}, which Flink 2 removed; Flink 2 calls {@code
 * createSerializer(SerializerConfig)} and fails with {@code AbstractMethodError} as soon as a
 * DenseVector is a record field or in state. This class implements the Flink 2 method and returns
 * Flink ML's own {@link DenseVectorSerializer}, so the bytes (and savepoints) are those of Flink
 * ML. Pass it explicitly: state descriptors take {@link #INSTANCE}; record fields of type
 * DenseVector are annotated with {@code @TypeInfo(DenseVectorTypeInformation.Factory.class)}.
 */
public final class DenseVectorTypeInformation extends TypeInformation<DenseVector> {
    private static final long serialVersionUID = 1L;

    public static final DenseVectorTypeInformation INSTANCE = new DenseVectorTypeInformation();

    private DenseVectorTypeInformation() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<DenseVector> getTypeClass() {
        return DenseVector.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<DenseVector> createSerializer(SerializerConfig config) {
        return new DenseVectorSerializer();
    }

    @Override
    public String toString() {
        return "DenseVector";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof DenseVectorTypeInformation;
    }

    @Override
    public int hashCode() {
        return DenseVectorTypeInformation.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof DenseVectorTypeInformation;
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** For {@code @TypeInfo} on record and POJO fields of type {@link DenseVector}. */
    public static final class Factory extends TypeInfoFactory<DenseVector> {
        @Override
        public TypeInformation<DenseVector> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
