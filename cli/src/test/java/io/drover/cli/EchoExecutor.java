package io.drover.cli;

import io.drover.executor.Executor;
import io.drover.executor.ExecutorDriver;
import io.drover.executor.ExecutorRuntime;
import io.drover.executor.TaskLaunch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test executor: a task whose data is "sleep" runs until killed; "wait:PATH" runs until the
 * file PATH exists, then creates PATH.seen and finishes; any other finishes at once, echoing its
 * data.
 */
public final class EchoExecutor implements Executor {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "echo-executor-wait");
        t.setDaemon(true);
        return t;
    });

    public static void main(String[] args) {
        System.exit(ExecutorRuntime.runFromEnvironment(new EchoExecutor()));
    }

    @Override
    public void launch(ExecutorDriver driver, TaskLaunch task) {
        driver.running(task.taskId());
        String data = new String(task.data(), StandardCharsets.UTF_8);
        if (data.startsWith("wait:")) {
            Path file = Path.of(data.substring("wait:".length()));
            ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
            self[0] = timer.scheduleWithFixedDelay(() -> {
                if (Files.exists(file)) {
                    try {
                        Files.writeString(Path.of(file + ".seen"), task.taskId());
                    } catch (java.io.IOException e) {
                        // only a marker for the test
                    }
                    driver.finished(task.taskId(), "saw " + file.getFileName());
                    self[0].cancel(false);
                }
            }, 50, 50, TimeUnit.MILLISECONDS);
        } else if (!data.equals("sleep")) {
            driver.finished(task.taskId(), "echo " + data);
        }
    }

    @Override
    public void kill(ExecutorDriver driver, String taskId) {
        driver.killed(taskId, "killed");
    }
}
