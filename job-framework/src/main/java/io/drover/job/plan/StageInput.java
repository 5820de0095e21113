package io.drover.job.plan;

import io.drover.connectors.Source;
import io.drover.job.api.Fn.SerializableSupplier;
import io.drover.job.api.Fn.SliceFunction;
import java.io.Serializable;
import java.util.List;

/** Where the tasks of a stage read their records. */
public sealed interface StageInput extends Serializable {

    /**
     * One split of a connector source per task.
     *
     * @param source makes the source, on the executor
     * @param slices when not null, the source is a {@link io.drover.connectors.ByteSliceSource}
     *     read as byte slices through this function
     * @param splits the encoded splits ({@link io.drover.connectors.Split#toBytes}), one per
     *     partition, listed when the job was planned
     */
    record FromSource(SerializableSupplier<? extends Source<?>> source, SliceFunction<?> slices, List<byte[]> splits)
            implements StageInput {
        public FromSource {
            splits = List.copyOf(splits);
        }
    }

    /**
     * One reduce partition of a parent stage's shuffle per task.
     *
     * @param mapStage the stage that wrote the shuffle
     * @param mode what the reduce side makes of the merged records
     */
    record FromShuffle(int mapStage, ReduceMode mode) implements StageInput {}

    /** The same reduce partition of two shuffles, joined on equal keys (inner join). */
    record FromCoGroup(int leftStage, int rightStage) implements StageInput {}

    /** What a reduce task makes of the merged, key-ordered records of its partition. */
    enum ReduceMode {
        /** One {@code Pair(key, combined value)} per key, merging with the combiner. */
        COMBINE,
        /** One {@code Pair(key, List of values)} per key. */
        GROUP,
        /** Every {@code Pair(key, value)} in key order (a sort). */
        SORTED,
        /** Each distinct key once. */
        DISTINCT_KEYS
    }
}
