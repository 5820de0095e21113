package io.drover.benchmarks;

import io.drover.executor.Executor;
import io.drover.executor.ExecutorDriver;
import io.drover.executor.ExecutorRuntime;
import io.drover.executor.TaskLaunch;

/**
 * An executor whose tasks do nothing: each is reported RUNNING and FINISHED as soon as it
 * arrives. For {@link AgentThroughputBench}: what the agent and the executor channel cost per
 * task, without a process per task.
 */
public final class NoopExecutorMain implements Executor {
    @Override
    public void launch(ExecutorDriver driver, TaskLaunch task) {
        driver.running(task.taskId());
        driver.finished(task.taskId(), "");
    }

    @Override
    public void kill(ExecutorDriver driver, String taskId) {
        driver.killed(taskId, "killed");
    }

    public static void main(String[] args) {
        System.exit(ExecutorRuntime.runFromEnvironment(new NoopExecutorMain()));
    }
}
