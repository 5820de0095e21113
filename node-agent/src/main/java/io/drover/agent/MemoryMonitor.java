package io.drover.agent;

import io.drover.api.protocol.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces memory without cgroups: every interval, on the executor's thread, it sums the resident
 * memory of each task's process and its descendants and SIGKILLs the whole tree of a task that is
 * over its {@code memMb}. A task may exceed its memory for up to one interval (and by what it
 * allocates in that time), and a process that escaped the tree (double-forked and re-parented) is
 * not counted. CPU is not enforced.
 */
final class MemoryMonitor implements Isolator {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryMonitor.class);
    private static final long MIB = 1024 * 1024;

    private final class Watched implements Guard {
        final String frameworkId;
        final String taskId;
        final ProcessHandle process;
        /** Grows with an executor's tasks; read by the sampling thread. */
        volatile long memMb;
        volatile long killedAtBytes = -1;

        Watched(String frameworkId, String taskId, ProcessHandle process, long memMb) {
            this.frameworkId = frameworkId;
            this.taskId = taskId;
            this.process = process;
            this.memMb = memMb;
        }

        @Override
        public Optional<String> memoryKill(int exitCode) {
            long bytes = killedAtBytes;
            return bytes < 0 ? Optional.empty()
                    : Optional.of(Isolator.memoryKillMessage(memMb, "resident memory was " + bytes / MIB + " MiB"));
        }

        @Override
        public void release() {
            watched.remove(this);
        }

        @Override
        public void grow(Resources resources) {
            // 0 is no limit, which nothing raises.
            if (memMb > 0 && resources.getMemMb() > memMb) {
                memMb = resources.getMemMb();
            }
        }
    }

    private final Map<Watched, Boolean> watched = new ConcurrentHashMap<>();
    private final ToLongFunction<ProcessHandle> residentBytes;
    private ScheduledFuture<?> sampling;

    /**
     * A monitor that samples only when {@link #sample()} is called, until {@link #start} is.
     *
     * @param residentBytes a process's resident memory in bytes (0 when it is gone)
     */
    MemoryMonitor(ToLongFunction<ProcessHandle> residentBytes) {
        this.residentBytes = residentBytes;
    }

    /**
     * Samples every {@code intervalMs} on {@code executor} from now until {@link #close()}; the
     * caller shuts the executor down.
     */
    synchronized MemoryMonitor start(ScheduledExecutorService executor, long intervalMs) {
        if (sampling == null) {
            sampling = executor.scheduleWithFixedDelay(this::sample, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Resident memory as OSHI reads it from the OS. */
    static ToLongFunction<ProcessHandle> oshiResidentBytes() {
        oshi.software.os.OperatingSystem os = new oshi.SystemInfo().getOperatingSystem();
        return h -> {
            oshi.software.os.OSProcess p = os.getProcess((int) h.pid());
            return p == null ? 0 : Math.max(0, p.getResidentSetSize());
        };
    }

    @Override
    public Guard attach(String frameworkId, String taskId, ProcessHandle process, Resources resources) {
        Watched w = new Watched(frameworkId, taskId, process, resources.getMemMb());
        if (w.memMb > 0) {
            watched.put(w, Boolean.TRUE);
        }
        return w;
    }

    /** Samples every task once, killing those over their memory; any thread, one at a time. */
    synchronized void sample() {
        for (Watched w : watched.keySet()) {
            try {
                check(w);
            } catch (RuntimeException e) {
                // one task's failure must not stop the sampling of the others
                LOG.warn("task {} of framework {}: cannot sample its memory: {}", w.taskId, w.frameworkId, e.toString());
            }
        }
    }

    private void check(Watched w) {
        if (w.killedAtBytes >= 0 || !w.process.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(w.process);
        w.process.descendants().forEach(tree::add);
        long bytes = 0;
        for (ProcessHandle h : tree) {
            bytes += residentBytes.applyAsLong(h);
        }
        if (bytes > w.memMb * MIB) {
            w.killedAtBytes = bytes;
            int killed = ProcessTree.forceKill(tree);
            LOG.info("task {} of framework {} uses {} MiB, over its {} MiB: sent SIGKILL to {} processes",
                    w.taskId, w.frameworkId, bytes / MIB, w.memMb, killed);
        }
    }

    @Override
    public String describe() {
        return "memory monitoring (resident memory sampled; cpus not enforced)";
    }

    @Override
    public synchronized void close() {
        if (sampling != null) {
            sampling.cancel(false);
        }
    }
}
