package io.drover.agent;

import io.drover.api.codec.ProtocolTrust;
import io.drover.api.protocol.TaskInfo;
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
 * What a restarted agent needs to re-attach to a task an earlier run started, kept in the task's
 * sandbox as {@value #FILE} (a properties file, written atomically before the task's RUNNING
 * update is sent, deleted once its terminal update is journaled):
 *
 * <pre>
 * kind=task                  the kind of entry; executors' say kind=executor ({@link ExecutorCheckpoint})
 * frameworkId, taskId        the task
 * pid                        the wrapper process (the root of the task's process tree)
 * startedAtMs                the process's start time, so that a recycled pid is never taken for the task
 * task                       the TaskInfo (resources included), Avro single-object encoding, base64
 * </pre>
 *
 * The sandbox is the directory holding the file; the cgroup, if any, is named from the ids and
 * the pid (see {@link CgroupIsolator}).
 */
record TaskCheckpoint(String frameworkId, String taskId, Path sandbox, long pid, long startedAtMs, TaskInfo task) {
    private static final Logger LOG = LoggerFactory.getLogger(TaskCheckpoint.class);
    static final String FILE = ".drover-task";
    static final String KIND_TASK = "task";
    /** How far apart two readings of one process's start time may be (/proc counts in clock ticks). */
    static final long START_TIME_TOLERANCE_MS = 100;

    /** A checkpoint of a task just started as {@code process}; empty when its start time cannot be read. */
    static Optional<TaskCheckpoint> of(String frameworkId, TaskInfo task, Path sandbox, ProcessHandle process) {
        return process.info().startInstant()
                .map(start -> new TaskCheckpoint(frameworkId, task.getTaskId(), sandbox, process.pid(), start.toEpochMilli(), task));
    }

    /** Writes it to the sandbox, atomically. */
    void write() throws IOException {
        Properties p = new Properties();
        p.setProperty("kind", KIND_TASK);
        p.setProperty("frameworkId", frameworkId);
        p.setProperty("taskId", taskId);
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("startedAtMs", Long.toString(startedAtMs));
        ByteBuffer encoded = task.toByteBuffer();
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        p.setProperty("task", Base64.getEncoder().encodeToString(bytes));
        Path tmp = sandbox.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "drover task checkpoint");
        }
        try {
            Files.move(tmp, sandbox.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, sandbox.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The task's process, when it still runs: the pid is alive and started when the task did. */
    Optional<ProcessHandle> liveProcess() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> h.info().startInstant()
                .map(Instant::toEpochMilli)
                .map(start -> Math.abs(start - startedAtMs) <= START_TIME_TOLERANCE_MS)
                .orElse(false));
    }

    /** Removes the checkpoint of {@code sandbox}; a failure is logged (the next start would report the task again). */
    static void delete(Path sandbox) {
        try {
            Files.deleteIfExists(sandbox.resolve(FILE));
        } catch (IOException e) {
            LOG.warn("cannot remove the checkpoint of {}: {}", sandbox, e.toString());
        }
    }

    /**
     * The checkpoints under {@code sandboxesRoot} ({@code <framework>/<sandbox>/}{@value #FILE});
     * one that cannot be read is logged and skipped.
     */
    static List<TaskCheckpoint> scan(Path sandboxesRoot) {
        List<TaskCheckpoint> out = new ArrayList<>();
        if (!Files.isDirectory(sandboxesRoot)) {
            return out;
        }
        ProtocolTrust.ensure();
        try (Stream<Path> frameworks = Files.list(sandboxesRoot)) {
            for (Path fw : frameworks.filter(Files::isDirectory).toList()) {
                try (Stream<Path> sandboxes = Files.list(fw)) {
                    for (Path sandbox : sandboxes.toList()) {
                        Path file = sandbox.resolve(FILE);
                        if (Files.isRegularFile(file)) {
                            read(sandbox).ifPresent(out::add);
                        }
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.error("cannot list the sandboxes under {} for checkpoints: {}", sandboxesRoot, e.toString());
        }
        return out;
    }

    private static Optional<TaskCheckpoint> read(Path sandbox) {
        Path file = sandbox.resolve(FILE);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(r);
            if (ExecutorCheckpoint.KIND_EXECUTOR.equals(p.getProperty("kind"))) {
                // An executor's: ExecutorCheckpoint reads those.
                return Optional.empty();
            }
            if (!KIND_TASK.equals(p.getProperty("kind"))) {
                LOG.warn("skipping checkpoint {}: kind '{}' is not known to this agent", file, p.getProperty("kind"));
                return Optional.empty();
            }
            TaskInfo task = TaskInfo.fromByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(required(p, "task"))));
            return Optional.of(new TaskCheckpoint(required(p, "frameworkId"), required(p, "taskId"), sandbox,
                    Long.parseLong(required(p, "pid")), Long.parseLong(required(p, "startedAtMs")), task));
        } catch (IOException | RuntimeException e) {
            LOG.error("skipping damaged checkpoint {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return v;
    }
}
