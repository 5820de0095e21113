/**
 * Task execution: {@link io.drover.job.task.TaskRunner#run} runs one attempt of one task of a plan
 * in a {@link io.drover.job.task.TaskEnv} (work directory, shuffle fetcher, output committer); the
 * entry point of executors and of the local runner alike.
 */
package io.drover.job.task;
