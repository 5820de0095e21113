package io.drover.job.task;

import io.drover.job.plan.JobPlan;
import io.drover.job.shuffle.LocalShuffleFetcher;
import io.drover.job.shuffle.MapOutputs;
import io.drover.job.shuffle.ShuffleConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an executor does with a task, in a JVM of its own: reads a shipped plan from a file and runs
 * one map task attempt of it with {@link TaskRunner}. Arguments: plan file, work directory,
 * stage, partition, attempt. Exit code 0 on success, 1 with the reason on stderr on failure.
 */
public final class ChildTaskMain {

    public static void main(String[] args) throws Exception {
        JobPlan plan = JobPlan.fromBytes(Files.readAllBytes(Path.of(args[0])), ChildTaskMain.class.getClassLoader());
        Path workDir = Path.of(args[1]);
        TaskEnv env = new TaskEnv(workDir, new LocalShuffleFetcher(workDir, new MapOutputs()),
                ShuffleConfig.defaults().withBufferBytes(8192), stage -> null);
        try {
            TaskResult r = TaskRunner.run(plan, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), env);
            System.out.println("records " + r.recordsOut() + " spills " + r.spills());
        } catch (TaskFailedException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
