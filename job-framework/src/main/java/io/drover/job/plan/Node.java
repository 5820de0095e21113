package io.drover.job.plan;

import io.drover.connectors.Source;
import io.drover.job.api.Fn.SerializableSupplier;
import io.drover.job.api.Fn.SliceFunction;

/**
 * The logical graph the job API builds, before planning: datasets are nodes, each knowing its
 * parents. The {@link Planner} cuts it into stages at shuffles.
 */
public sealed interface Node {

    /** Records of a connector source; with {@code slices}, read as byte slices through it. */
    record Read(SerializableSupplier<? extends Source<?>> source, SliceFunction<?> slices) implements Node {}

    /** A narrow operation over the parent's records. */
    record Narrow(Node parent, NarrowOp op) implements Node {}

    /** The parent's {@code Pair}s shuffled by key, then reduced per {@code mode}. */
    record Shuffle(Node parent, ShuffleSpec spec, StageInput.ReduceMode mode) implements Node {}

    /** Two keyed parents shuffled alike and joined on equal keys. */
    record CoGroup(Node left, ShuffleSpec leftSpec, Node right, ShuffleSpec rightSpec) implements Node {}
}
