package io.drover.agent;

import io.drover.api.protocol.Resources;
import java.io.IOException;
import java.util.Optional;

/**
 * Holds started tasks to the cpus and memory they were given. {@link Tasks} attaches each task's
 * process right after it starts and, once it exited, asks whether it was killed for memory and
 * then releases it. Implementations: {@link CgroupIsolator} (cgroups v1), {@link MemoryMonitor}
 * (sampling, memory only) and {@link #NONE}.
 */
interface Isolator extends AutoCloseable {
    /** One task under limits. */
    interface Guard {
        /**
         * Called once the task's process has exited, before {@link #release()}.
         *
         * @param exitCode the process's exit code (137 after SIGKILL)
         * @return a message naming the limit when the task was killed for exceeding its memory
         */
        Optional<String> memoryKill(int exitCode);

        /** Stops holding the task: removes its cgroup or stops sampling it. Never throws. */
        void release();

        /**
         * Raises the limits to {@code resources} where they are higher (never lowers them): for an
         * executor, whose tasks come while it runs.
         *
         * @throws IOException when a limit cannot be written; the old limits stay
         */
        default void grow(Resources resources) throws IOException {}
    }

    /** Holds nothing. */
    Guard NO_GUARD = new Guard() {
        @Override
        public Optional<String> memoryKill(int exitCode) {
            return Optional.empty();
        }

        @Override
        public void release() {}
    };

    /** Enforces nothing. */
    Isolator NONE = new Isolator() {
        @Override
        public Guard attach(String frameworkId, String taskId, ProcessHandle process, Resources resources) {
            return NO_GUARD;
        }

        @Override
        public String describe() {
            return "none";
        }

        @Override
        public void close() {}
    };

    /**
     * Puts a just-started task process under the limits of its resources: {@code memMb} (0: no
     * memory limit) and {@code cpus} (0: no CPU limit).
     *
     * @throws IOException when the limits cannot be applied; the caller kills the task
     */
    Guard attach(String frameworkId, String taskId, ProcessHandle process, Resources resources) throws IOException;

    /**
     * Puts a task that an earlier run of this agent started (and this run re-attached to) back
     * under its limits. By default the same as {@link #attach}.
     *
     * @throws IOException when the limits cannot be applied; the task runs on without them
     */
    default Guard reattach(String frameworkId, String taskId, ProcessHandle process, Resources resources) throws IOException {
        return attach(frameworkId, taskId, process, resources);
    }

    /** What this isolator enforces, for the log. */
    String describe();

    /** Releases what the isolator holds for the agent as a whole; after every task was released. */
    @Override
    void close();

    /** A message for a task killed over its memory. */
    static String memoryKillMessage(long memMb, String how) {
        return "killed for exceeding its memory limit of " + memMb + " MiB (" + how + ")";
    }
}
