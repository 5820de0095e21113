package io.drover.cli;

import io.drover.executor.Executor;
import io.drover.executor.ExecutorDriver;
import io.drover.executor.ExecutorRuntime;
import io.drover.executor.TaskLaunch;
import java.nio.charset.StandardCharsets;

/** A test executor: a task whose data is "sleep" runs until killed; any other finishes at once, echoing its data. */
public final class EchoExecutor implements Executor {
    public static void main(String[] args) {
        System.exit(ExecutorRuntime.runFromEnvironment(new EchoExecutor()));
    }

    @Override
    public void launch(ExecutorDriver driver, TaskLaunch task) {
        driver.running(task.taskId());
        String data = new String(task.data(), StandardCharsets.UTF_8);
        if (!data.equals("sleep")) {
            driver.finished(task.taskId(), "echo " + data);
        }
    }

    @Override
    public void kill(ExecutorDriver driver, String taskId) {
        driver.killed(taskId, "killed");
    }
}
