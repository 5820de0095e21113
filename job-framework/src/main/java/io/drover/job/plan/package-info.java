/**
 * Planning: the logical graph ({@link io.drover.job.plan.Node}) is cut at shuffles into a
 * {@link io.drover.job.plan.JobPlan} of {@link io.drover.job.plan.StagePlan}s, each an input, narrow
 * operations and an output. A plan is serializable and complete: a task runs from the plan and
 * its (stage, partition, attempt) alone.
 */
package io.drover.job.plan;
