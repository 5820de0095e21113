package io.drover.agent;

import io.drover.api.protocol.ExecutorInfo;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.UriInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executors admitted by {@link ExecutorSupervisor} whose URIs ({@code ExecutorInfo.command.uris})
 * are still being fetched into their sandboxes: they have no process yet, and the tasks launched
 * for them meanwhile wait here, in order. It owns the fetches (run on the given executor, their
 * ends handed back through a bounded queue), the tasks that wait, their kills, and the updates
 * those make; once a fetch ends, {@link #drain} has the supervisor start the executor and hand it
 * the tasks, or fails them.
 *
 * <p>Not thread-safe: the agent's loop thread owns it; fetch threads only queue their ends and
 * call {@code wake}.
 */
final class ExecutorFetches {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorFetches.class);

    /** An executor whose URIs are being fetched, and the tasks that wait for it. */
    private static final class Fetching {
        final ExecutorSupervisor.Key key;
        final ExecutorInfo info;
        final Path sandbox;
        final Map<String, TaskInfo> tasks = new LinkedHashMap<>();

        Fetching(ExecutorSupervisor.Key key, ExecutorInfo info, Path sandbox) {
            this.key = key;
            this.info = info;
            this.sandbox = sandbox;
        }
    }

    /** The end of an executor's fetch, from a fetch thread; {@code failure} null when every URI arrived. */
    private record Fetched(Fetching executor, IOException failure) {}

    /** Starts an executor whose URIs arrived, in its sandbox (see {@link ExecutorSupervisor}). */
    interface Starter {
        Exec start(ExecutorSupervisor.Key key, ExecutorInfo info, Resources firstTask, Path sandbox) throws IOException;
    }

    private final StatusFactory statuses;
    private final int maxTasksPerExecutor;
    /** Fetches executors' URIs; null when this agent fetches none. */
    private final Fetcher fetcher;
    private final Executor fetchExecutor;
    private final Runnable wake;
    private final BiConsumer<ExecutorSupervisor.Key, String> ended;
    /** Executors whose URIs are being fetched, by key. */
    private final Map<ExecutorSupervisor.Key, Fetching> fetching = new LinkedHashMap<>();
    /** Ends of fetches; one per fetching executor, of which there are at most maxExecutors. */
    private final BlockingQueue<Fetched> done;
    /** Updates made outside {@link #drain} (a kill of a task that waits), handed out by it. */
    private final List<TaskStatus> deferred = new ArrayList<>();

    /**
     * @param fetcher null when this agent fetches no URIs
     * @param fetchExecutor runs the fetches off the loop; a fetch it rejects fails the task
     * @param ended told once per executor that will never start, and why
     */
    ExecutorFetches(ExecutorConfig config, StatusFactory statuses, Fetcher fetcher, Executor fetchExecutor, Runnable wake,
                    BiConsumer<ExecutorSupervisor.Key, String> ended) {
        this.statuses = statuses;
        this.maxTasksPerExecutor = config.maxTasksPerExecutor();
        this.fetcher = fetcher;
        this.fetchExecutor = fetchExecutor;
        this.wake = wake;
        this.ended = ended;
        this.done = new ArrayBlockingQueue<>(config.maxExecutors());
    }

    /** Whether this agent fetches URIs at all. */
    boolean enabled() {
        return fetcher != null;
    }

    /** Executors being fetched. */
    int size() {
        return fetching.size();
    }

    /** Whether a task waits here for its executor. */
    boolean has(String frameworkId, String taskId) {
        return waiting(frameworkId, taskId) != null;
    }

    private Fetching waiting(String frameworkId, String taskId) {
        for (Fetching f : fetching.values()) {
            if (f.key.frameworkId().equals(frameworkId) && f.tasks.containsKey(taskId)) {
                return f;
            }
        }
        return null;
    }

    /** Whether fetch ends or deferred updates wait for {@link #drain}. */
    boolean hasInput() {
        return !done.isEmpty() || !deferred.isEmpty();
    }

    /** Two updates (RUNNING and an end) per waiting task, and the deferred ones. */
    int updatesOwed() {
        int n = 0;
        for (Fetching f : fetching.values()) {
            n += 2 * f.tasks.size();
        }
        return n + deferred.size();
    }

    /** Adds the sandboxes of the executors being fetched to {@code dirs}. */
    void addSandboxes(Set<Path> dirs) {
        for (Fetching f : fetching.values()) {
            dirs.add(f.sandbox);
        }
    }

    /**
     * Queues the task behind its executor's fetch, when that executor is being fetched.
     *
     * @return null when its executor is not being fetched; else STARTING, or FAILED with
     *     LAUNCH_FAILED when the executor already has its limit of tasks
     */
    TaskStatus addIfFetching(ExecutorSupervisor.Key key, TaskInfo task) {
        Fetching f = fetching.get(key);
        if (f == null) {
            return null;
        }
        String frameworkId = key.frameworkId();
        String taskId = task.getTaskId();
        if (f.tasks.size() >= maxTasksPerExecutor) {
            return statuses.status(frameworkId, taskId, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED,
                    "executor " + key.executorId() + " already has its limit of " + maxTasksPerExecutor + " tasks");
        }
        f.tasks.put(taskId, task);
        return statuses.builder(frameworkId, taskId, TaskState.STARTING, TaskStatusReason.NONE,
                        "waiting for executor " + key.executorId() + "'s URIs")
                .setSandboxPath(f.sandbox.toString())
                .build();
    }

    /**
     * Starts fetching the URIs of the executor the task names into {@code sandbox}, and keeps the
     * task until the fetch ends. Only when {@link #enabled()}.
     *
     * @return STARTING, or null when the fetch executor refused the fetch (nothing is kept)
     */
    TaskStatus start(ExecutorSupervisor.Key key, TaskInfo task, Path sandbox) {
        String taskId = task.getTaskId();
        ExecutorInfo info = task.getExecutor();
        Fetching f = new Fetching(key, info, sandbox);
        f.tasks.put(taskId, task);
        List<UriInfo> uris = List.copyOf(info.getCommand().getUris());
        try {
            fetchExecutor.execute(() -> {
                IOException failure = null;
                try {
                    fetcher.fetchAll(uris, sandbox);
                } catch (IOException ex) {
                    failure = ex;
                } catch (RuntimeException ex) {
                    failure = new IOException(ex.getMessage() != null ? ex.getMessage() : ex.toString(), ex);
                }
                if (!done.offer(new Fetched(f, failure))) {
                    // Cannot happen: at most maxExecutors fetch at once.
                    LOG.error("executor fetch queue full; lost the fetch of executor {}", key.executorId());
                }
                wake.run();
            });
        } catch (RejectedExecutionException ex) {
            return null;
        }
        fetching.put(key, f);
        LOG.info("executor {} of framework {}: fetching {} URIs into {} before it starts", key.executorId(), key.frameworkId(), uris.size(),
                sandbox);
        return statuses.builder(key.frameworkId(), taskId, TaskState.STARTING, TaskStatusReason.NONE,
                        "fetching " + uris.size() + " URIs of executor " + key.executorId())
                .setSandboxPath(sandbox.toString())
                .build();
    }

    /**
     * Kills a task that waits for its executor's fetch: it ends now (the update comes out of the
     * next {@link #drain}), and the executor starts only if others still wait.
     *
     * @return whether the task waited here
     */
    boolean kill(String frameworkId, String taskId) {
        Fetching f = waiting(frameworkId, taskId);
        if (f == null) {
            return false;
        }
        f.tasks.remove(taskId);
        deferred.add(statuses.builder(frameworkId, taskId, TaskState.KILLED, TaskStatusReason.KILLED_BY_FRAMEWORK,
                "killed while its executor's URIs were fetched").setSandboxPath(f.sandbox.toString()).build());
        wake.run();
        return true;
    }

    /**
     * Adds to {@code out} the deferred updates, then the ends of fetches: each fetched executor is
     * started with {@code starter} and handed its waiting tasks with {@code handOver} (what is not
     * STARTING goes to {@code out}); when a URI failed, no task waits any more or the executor
     * cannot start, its tasks fail with LAUNCH_FAILED (the message names the URI and why) and the
     * executor is reported ended.
     */
    void drain(List<TaskStatus> out, Starter starter, BiFunction<Exec, TaskInfo, TaskStatus> handOver) {
        out.addAll(deferred);
        deferred.clear();
        List<Fetched> ends = new ArrayList<>();
        done.drainTo(ends);
        for (Fetched d : ends) {
            fetched(d, out, starter, handOver);
        }
    }

    private void fetched(Fetched end, List<TaskStatus> out, Starter starter, BiFunction<Exec, TaskInfo, TaskStatus> handOver) {
        Fetching f = end.executor();
        if (!fetching.remove(f.key, f)) {
            return;
        }
        String failure = null;
        Exec e = null;
        if (end.failure() != null) {
            failure = "cannot fetch the URIs of executor " + f.key.executorId() + ": "
                    + (end.failure().getMessage() != null ? end.failure().getMessage() : end.failure().toString());
        } else if (f.tasks.isEmpty()) {
            failure = "its tasks were killed while its URIs were fetched";
        } else {
            try {
                e = starter.start(f.key, f.info, f.tasks.values().iterator().next().getResources(), f.sandbox);
            } catch (IOException | RuntimeException ex) {
                failure = "cannot start executor " + f.key.executorId() + ": " + (ex.getMessage() != null ? ex.getMessage() : ex.toString());
            }
        }
        if (e == null) {
            LOG.warn("executor {} of framework {} not started: {}", f.key.executorId(), f.key.frameworkId(), failure);
            for (TaskInfo t : f.tasks.values()) {
                out.add(statuses.builder(f.key.frameworkId(), t.getTaskId(), TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, failure)
                        .setSandboxPath(f.sandbox.toString()).build());
            }
            ended.accept(f.key, "never started: " + failure);
            return;
        }
        for (TaskInfo t : f.tasks.values()) {
            TaskStatus s = handOver.apply(e, t);
            if (s.getState() != TaskState.STARTING) {
                out.add(s);
            }
        }
    }

    /**
     * For an agent shutdown: adds to {@code out} the deferred updates and KILLED with
     * AGENT_SHUTDOWN for every waiting task, and reports their executors ended. Those executors
     * never start; their fetches may end later and are ignored.
     */
    void stopAll(List<TaskStatus> out) {
        out.addAll(deferred);
        deferred.clear();
        for (Fetching f : fetching.values()) {
            for (TaskInfo t : f.tasks.values()) {
                out.add(statuses.builder(f.key.frameworkId(), t.getTaskId(), TaskState.KILLED, TaskStatusReason.AGENT_SHUTDOWN,
                        "killed at agent shutdown").setSandboxPath(f.sandbox.toString()).build());
            }
            ended.accept(f.key, "never started: the agent stops");
        }
        fetching.clear();
    }
}
