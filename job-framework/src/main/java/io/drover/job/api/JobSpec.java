package io.drover.job.api;

import io.drover.job.plan.JobPlan;
import io.drover.job.plan.Node;
import io.drover.job.plan.PlanOptions;
import io.drover.job.plan.Planner;
import io.drover.job.plan.StageOutput;

/**
 * A dataset and what to do with it (write, count, collect): a job ready to be planned.
 *
 * @param node the dataset's logical graph
 * @param terminal what the last stage does
 */
public record JobSpec(Node node, StageOutput terminal) {

    /**
     * Plans the job; lists the input's splits.
     *
     * @throws io.drover.job.plan.InvalidJobException for a missing input or an unshippable function
     */
    public JobPlan plan(String jobName, PlanOptions options) {
        return Planner.plan(jobName, node, terminal, options);
    }
}
