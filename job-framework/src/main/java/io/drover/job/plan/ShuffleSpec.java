package io.drover.job.plan;

import io.drover.job.api.Fn.SerializableBiFunction;
import io.drover.job.api.Fn.SerializableBinaryOperator;
import io.drover.job.api.Fn.SerializableComparator;
import io.drover.job.api.Fn.SerializableFunction;
import io.drover.job.api.Fn.SerializableLongBinaryOperator;
import io.drover.job.serde.Serde;
import java.io.Serializable;

/**
 * How a stage's {@code Pair} records are shuffled: their serdes, how keys are partitioned and
 * ordered, and the map-side combiner if any.
 *
 * @param keySerde encodes keys; grouping compares these bytes
 * @param valueSerde encodes the shuffled values (the combined values when there is a combiner)
 * @param range true to range-partition keys by bounds drawn from a sample (sortByKey); false to
 *     hash the key bytes
 * @param comparator the key order of a sort, or null to order by key bytes (always the case for
 *     grouping, and for sorts whose serde is {@link Serde#orderPreserving})
 * @param descending whether a range sort is descending (by bytes) when {@code comparator} is null
 * @param combiner the map-side combiner, or null
 */
public record ShuffleSpec(
        Serde<Object> keySerde,
        Serde<Object> valueSerde,
        boolean range,
        SerializableComparator<Object> comparator,
        boolean descending,
        Combiner combiner) implements Serializable {

    /**
     * Combines values of equal keys: the first value of a key becomes a combined value through
     * {@code create}, later ones fold in with {@code mergeValue}, and combined values from several
     * map tasks (or spills) meet in {@code mergeCombiners}. Where the values are longs encoded by
     * {@code Serdes.longs()} and {@code longs} is set, the same fold on primitive longs (a map task
     * may then combine without boxing).
     */
    public record Combiner(
            SerializableFunction<Object, Object> create,
            SerializableBiFunction<Object, Object, Object> mergeValue,
            SerializableBinaryOperator<Object> mergeCombiners,
            SerializableLongBinaryOperator longs) implements Serializable {

        public Combiner(SerializableFunction<Object, Object> create, SerializableBiFunction<Object, Object, Object> mergeValue,
                SerializableBinaryOperator<Object> mergeCombiners) {
            this(create, mergeValue, mergeCombiners, null);
        }
    }

    /** Whether records are ordered by decoded keys rather than by key bytes. */
    public boolean ordersByComparator() {
        return comparator != null;
    }
}
