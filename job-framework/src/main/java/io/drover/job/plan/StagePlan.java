package io.drover.job.plan;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One stage of a job: {@code partitions} tasks that each read one partition of the input, run the
 * narrow operations in order, and write the output.
 *
 * @param id the stage's index in {@link JobPlan#stages()}; parents have smaller ids
 * @param description what the stage does, for progress and errors, e.g.
 *     {@code "read text-lines -> flatMap -> shuffle"}
 * @param partitions how many tasks; 0 only for a source stage over empty input
 */
public record StagePlan(int id, String description, int partitions, StageInput input, List<NarrowOp> ops,
        StageOutput output) implements Serializable {

    public StagePlan {
        ops = List.copyOf(ops);
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must not be negative: " + partitions);
        }
    }

    /** The stages this one reads from: shuffle parents, and the sample a range shuffle needs. */
    public List<Integer> parents() {
        List<Integer> parents = new ArrayList<>(2);
        if (input instanceof StageInput.FromShuffle s) {
            parents.add(s.mapStage());
        } else if (input instanceof StageInput.FromCoGroup c) {
            parents.add(c.leftStage());
            parents.add(c.rightStage());
        }
        if (output instanceof StageOutput.Shuffle s && s.sampleStage() >= 0) {
            parents.add(s.sampleStage());
        }
        return parents;
    }
}
