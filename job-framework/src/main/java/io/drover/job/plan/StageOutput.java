package io.drover.job.plan;

import io.drover.connectors.Sink;
import io.drover.job.api.Fn.SerializableSupplier;
import io.drover.job.serde.Serde;
import java.io.Serializable;

/** Where the tasks of a stage put their records. */
public sealed interface StageOutput extends Serializable {

    /**
     * Partitioned map output for the next stage's tasks to fetch.
     *
     * @param spec serdes, partitioning, order and combiner
     * @param reducePartitions how many partitions the next stage has
     * @param sampleStage for a range shuffle, the stage whose output is a sample of the keys; -1
     *     otherwise
     */
    record Shuffle(ShuffleSpec spec, int reducePartitions, int sampleStage) implements StageOutput {}

    /**
     * Through a connector sink: a writer per task attempt, committed per task, then per job.
     *
     * @param byteLines the records are {@code byte[]} lines for a text sink, written without decoding
     */
    record ToSink(SerializableSupplier<? extends Sink<?>> sink, boolean byteLines) implements StageOutput {}

    /** The records, encoded, in one partition for the runner to read back (in task order). */
    record Collect(Serde<Object> serde) implements StageOutput {}

    /** The number of records, in one partition for the runner to sum. */
    record Count() implements StageOutput {}

    /**
     * A seeded uniform sample of at most {@code perTask} keys of the first {@code perTask * 1000} of
     * the task's {@code Pair}s, in one partition: what a range shuffle draws its partition bounds
     * from.
     */
    record Sample(Serde<Object> keySerde, int perTask) implements StageOutput {}
}
