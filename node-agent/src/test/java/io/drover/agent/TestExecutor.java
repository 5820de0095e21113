package io.drover.agent;

import io.drover.executor.Executor;
import io.drover.executor.ExecutorDriver;
import io.drover.executor.ExecutorRuntime;
import io.drover.executor.TaskLaunch;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executor the tests start as a real process. A task's data says what it does: "finish"
 * runs and finishes at once, "fail" fails, "sleep" runs until killed, "ignore-kill" runs and
 * ignores kills, "freeze" hangs the executor (no more heartbeats), "has:NAME" finishes when a
 * file NAME is in its working directory (its sandbox) and fails otherwise.
 */
public final class TestExecutor implements Executor {
    private final Set<String> ignoringKills = ConcurrentHashMap.newKeySet();

    public static void main(String[] args) {
        System.exit(ExecutorRuntime.runFromEnvironment(new TestExecutor()));
    }

    @Override
    public void launch(ExecutorDriver driver, TaskLaunch task) {
        String what = new String(task.data(), StandardCharsets.UTF_8);
        driver.running(task.taskId());
        switch (what) {
            case "finish" -> driver.finished(task.taskId(), "done " + task.name());
            case "fail" -> driver.failed(task.taskId(), "asked to fail");
            case "sleep" -> { }
            case "ignore-kill" -> ignoringKills.add(task.taskId());
            case "freeze" -> {
                // Blocks the runtime's only thread: no more heartbeats, as in a hung executor.
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            default -> {
                if (what.startsWith("has:")) {
                    String name = what.substring("has:".length());
                    if (java.nio.file.Files.isRegularFile(java.nio.file.Path.of(name))) {
                        driver.finished(task.taskId(), "found " + name);
                    } else {
                        driver.failed(task.taskId(), "no " + name + " in " + java.nio.file.Path.of("").toAbsolutePath());
                    }
                } else {
                    driver.failed(task.taskId(), "unknown instruction '" + what + "'");
                }
            }
        }
    }

    @Override
    public void kill(ExecutorDriver driver, String taskId) {
        if (!ignoringKills.contains(taskId)) {
            driver.killed(taskId, "stopped on request");
        }
    }
}
