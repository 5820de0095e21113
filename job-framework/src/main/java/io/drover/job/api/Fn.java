package io.drover.job.api;

import java.io.IOException;
import java.io.Serializable;
import java.util.Comparator;
import java.util.Iterator;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.LongBinaryOperator;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The serializable function types of the job API. A job travels to executors as its serialized
 * plan, user functions included, with plain Java serialization: a lambda whose target type is one
 * of these is serializable, provided what it captures is. Lambdas are deserialized with the
 * class loader that holds the job's classes (the user's jar on an executor).
 */
public final class Fn {

    private Fn() {}

    /** A serializable {@link Function}. */
    @FunctionalInterface
    public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {}

    /** A serializable {@link Predicate}. */
    @FunctionalInterface
    public interface SerializablePredicate<T> extends Predicate<T>, Serializable {}

    /** A serializable {@link BiFunction}. */
    @FunctionalInterface
    public interface SerializableBiFunction<T, U, R> extends BiFunction<T, U, R>, Serializable {}

    /** A serializable {@link BinaryOperator}. */
    @FunctionalInterface
    public interface SerializableBinaryOperator<T> extends BinaryOperator<T>, Serializable {}

    /** A serializable {@link LongBinaryOperator}. */
    @FunctionalInterface
    public interface SerializableLongBinaryOperator extends LongBinaryOperator, Serializable {}

    /** A serializable {@link Supplier}: how a plan names its sources and sinks. */
    @FunctionalInterface
    public interface SerializableSupplier<T> extends Supplier<T>, Serializable {}

    /** A serializable {@link Comparator}. */
    @FunctionalInterface
    public interface SerializableComparator<T> extends Comparator<T>, Serializable {}

    /** A whole partition at once: the records in, the records out, lazily. */
    @FunctionalInterface
    public interface PartitionFunction<T, R> extends Serializable {
        Iterator<R> apply(Iterator<T> records) throws Exception;
    }

    /** Where a {@link SliceFunction} puts the records it makes. */
    @FunctionalInterface
    public interface Emitter<T> {
        void emit(T record);
    }

    /**
     * Turns one raw record of a byte-slice source ({@code buf[offset .. offset+length)}, valid only
     * during the call) into zero or more records, without decoding it to a String first.
     */
    @FunctionalInterface
    public interface SliceFunction<T> extends Serializable {
        void apply(byte[] buf, int offset, int length, Emitter<T> out) throws Exception;
    }
    /** Where a {@link PairSliceFunction} puts the pairs it makes: each part already encoded by its serde. */
    @FunctionalInterface
    public interface PairEmitter {
        /** Takes one pair; the bytes are copied or consumed before this returns, so buffers may be reused. */
        void emit(byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength)
                throws IOException;
    }

    /**
     * Turns one raw record of a byte-slice source into zero or more key-value pairs in their encoded
     * form, so that a shuffle can take them (combine them, partition them, sort them) without ever
     * building objects. The slice is valid only during the call.
     */
    @FunctionalInterface
    public interface PairSliceFunction extends Serializable {
        void apply(byte[] buf, int offset, int length, PairEmitter out) throws Exception;
    }
}
