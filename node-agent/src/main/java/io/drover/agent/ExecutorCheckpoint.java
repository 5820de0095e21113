package io.drover.agent;

import io.drover.api.codec.ProtocolTrust;
import io.drover.api.protocol.ExecutorInfo;
import io.drover.api.protocol.Resources;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a restarted agent needs to re-attach to an executor an earlier run started, kept in the
 * executor's sandbox as {@value TaskCheckpoint#FILE} (the file name of task checkpoints, with
 * another kind): written atomically when the executor starts, before its first task is handed
 * over (so before any of its tasks reports RUNNING), rewritten at most once per agent loop round
 * while its tasks come and go, after the round's status updates are journaled, and deleted once
 * its process ended and its tasks' last updates are journaled.
 *
 * <pre>
 * kind=executor                  the kind of entry (task checkpoints say kind=task)
 * frameworkId, executorId        the executor
 * pid                            the wrapper process (the root of the executor's process tree)
 * startedAtMs                    its start time, so that a recycled pid is never taken for it
 * executor                       the ExecutorInfo (command, own resources), Avro, base64
 * limits                         the limits it runs under now (Resources, Avro, base64)
 * processedSequence              the sequence of the last message of queues/to-agent whose
 *                                effects (status updates) are journaled; -1 when none
 * tasks                          how many tasks follow
 * task.N.id, task.N.running,     each task it runs: id, whether its RUNNING was journaled,
 * task.N.resources               and its resources (Avro, base64)
 * </pre>
 *
 * The queues are {@code queues/} under the sandbox. A new agent run re-reads queues/to-agent from
 * its start and skips the messages up to {@code processedSequence}: what the earlier run read
 * but had not journaled is read again, and what it had journaled is not. The file is bounded by
 * the executor's task limit.
 */
record ExecutorCheckpoint(String frameworkId, String executorId, Path sandbox, long pid, long startedAtMs, ExecutorInfo executor,
                          Resources limits, long processedSequence, List<Task> tasks) {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorCheckpoint.class);
    static final String KIND_EXECUTOR = "executor";

    /** One task the executor runs. */
    record Task(String taskId, Resources resources, boolean running) {}

    /** Writes it to the sandbox, atomically. */
    void write() throws IOException {
        Properties p = new Properties();
        p.setProperty("kind", KIND_EXECUTOR);
        p.setProperty("frameworkId", frameworkId);
        p.setProperty("executorId", executorId);
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("startedAtMs", Long.toString(startedAtMs));
        p.setProperty("executor", encode(executor.toByteBuffer()));
        p.setProperty("limits", encode(limits.toByteBuffer()));
        p.setProperty("processedSequence", Long.toString(processedSequence));
        p.setProperty("tasks", Integer.toString(tasks.size()));
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            p.setProperty("task." + i + ".id", t.taskId());
            p.setProperty("task." + i + ".running", Boolean.toString(t.running()));
            p.setProperty("task." + i + ".resources", encode(t.resources().toByteBuffer()));
        }
        Path tmp = sandbox.resolve(TaskCheckpoint.FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "drover executor checkpoint");
        }
        try {
            Files.move(tmp, sandbox.resolve(TaskCheckpoint.FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, sandbox.resolve(TaskCheckpoint.FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The executor's process, when it still runs: the pid is alive and started when the executor did. */
    Optional<ProcessHandle> liveProcess() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> h.info().startInstant()
                .map(Instant::toEpochMilli)
                .map(start -> Math.abs(start - startedAtMs) <= TaskCheckpoint.START_TIME_TOLERANCE_MS)
                .orElse(false));
    }

    /**
     * The executor checkpoints under {@code sandboxesRoot}
     * ({@code <framework>/executor~<id>[~n]/}{@value TaskCheckpoint#FILE} with kind=executor); one
     * that cannot be read is logged and skipped.
     */
    static List<ExecutorCheckpoint> scan(Path sandboxesRoot) {
        List<ExecutorCheckpoint> out = new ArrayList<>();
        if (!Files.isDirectory(sandboxesRoot)) {
            return out;
        }
        ProtocolTrust.ensure();
        try (Stream<Path> frameworks = Files.list(sandboxesRoot)) {
            for (Path fw : frameworks.filter(Files::isDirectory).toList()) {
                try (Stream<Path> sandboxes = Files.list(fw)) {
                    for (Path sandbox : sandboxes.toList()) {
                        if (sandbox.getFileName().toString().startsWith(ExecutorSupervisor.SANDBOX_PREFIX)
                                && Files.isRegularFile(sandbox.resolve(TaskCheckpoint.FILE))) {
                            read(sandbox).ifPresent(out::add);
                        }
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.error("cannot list the sandboxes under {} for executor checkpoints: {}", sandboxesRoot, e.toString());
        }
        return out;
    }

    static Optional<ExecutorCheckpoint> read(Path sandbox) {
        Path file = sandbox.resolve(TaskCheckpoint.FILE);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(r);
            if (!KIND_EXECUTOR.equals(p.getProperty("kind"))) {
                return Optional.empty();
            }
            int n = Integer.parseInt(required(p, "tasks"));
            if (n < 0 || n > ExecutorConfig.MAX_TASKS_PER_EXECUTOR_LIMIT) {
                throw new IllegalArgumentException("task count " + n + " out of range");
            }
            List<Task> tasks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                tasks.add(new Task(required(p, "task." + i + ".id"), Resources.fromByteBuffer(decode(required(p, "task." + i + ".resources"))),
                        Boolean.parseBoolean(required(p, "task." + i + ".running"))));
            }
            return Optional.of(new ExecutorCheckpoint(required(p, "frameworkId"), required(p, "executorId"), sandbox,
                    Long.parseLong(required(p, "pid")), Long.parseLong(required(p, "startedAtMs")),
                    ExecutorInfo.fromByteBuffer(decode(required(p, "executor"))), Resources.fromByteBuffer(decode(required(p, "limits"))),
                    Long.parseLong(required(p, "processedSequence")), tasks));
        } catch (IOException | RuntimeException e) {
            LOG.error("skipping damaged executor checkpoint {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    private static String encode(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static ByteBuffer decode(String s) {
        return ByteBuffer.wrap(Base64.getDecoder().decode(s));
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return v;
    }
}
