package io.drover.job.executor;

import io.drover.api.codec.ProtocolTrust;
import io.drover.executor.AgentServices;
import io.drover.executor.ExecutorRuntime;
import io.drover.job.shuffle.ShuffleConfig;
import java.nio.file.Path;

/**
 * The job executor process an agent starts for the job service:
 * {@code java -Xmx<heap> <Chronicle flags> -cp <drover jars> io.drover.job.executor.JobExecutorMain --threads N}.
 * It runs {@link JobExecutor} until the agent shuts it down or goes away. Each map task's sort
 * buffer is a quarter of the heap shared among the threads (between 4 and 64 MiB), so the tasks
 * running at once fit the heap the service sized from the executor's memory.
 */
public final class JobExecutorMain {

    private JobExecutorMain() {}

    public static void main(String[] args) {
        int threads = 1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads") && i + 1 < args.length) {
                try {
                    threads = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    threads = -1;
                }
            } else {
                System.err.println("drover job executor: unknown argument " + args[i] + " (usage: --threads N)");
                System.exit(ExecutorRuntime.EXIT_BAD_ENVIRONMENT);
            }
        }
        String agentId = System.getenv(AgentServices.AGENT_ID);
        String shuffleDir = System.getenv(AgentServices.SHUFFLE_DIR);
        if (agentId == null || shuffleDir == null || threads < 1 || threads > 256) {
            System.err.println("drover job executor: needs " + AgentServices.AGENT_ID + " and " + AgentServices.SHUFFLE_DIR
                    + " from a Drover agent, and --threads 1 to 256");
            System.exit(ExecutorRuntime.EXIT_BAD_ENVIRONMENT);
        }
        ProtocolTrust.ensure();
        long perTask = Runtime.getRuntime().maxMemory() / 4 / threads;
        long buffer = Math.max(4L << 20, Math.min(ShuffleConfig.DEFAULT_BUFFER_BYTES, perTask));
        JobExecutor executor = new JobExecutor(agentId, System.getenv(AgentServices.AGENT_HTTP), Path.of(shuffleDir), threads,
                ShuffleConfig.defaults().withBufferBytes(buffer));
        System.exit(ExecutorRuntime.runFromEnvironment(executor));
    }
}
