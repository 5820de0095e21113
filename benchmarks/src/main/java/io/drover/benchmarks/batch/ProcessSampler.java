package io.drover.benchmarks.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples a set of process trees through /proc every 50 ms while a benchmark runs: the CPU time
 * (user + system) each process used, kept at its latest value so that processes which end are
 * still counted, and the peak of the trees' summed resident memory. Linux only.
 */
public final class ProcessSampler implements AutoCloseable {
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux
    private final List<Long> roots;
    private final Map<Long, Long> cpuTicks = new HashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private long peakRssBytes;
    private final long pageSize;

    /** Starts sampling the trees under these pids (each root included). */
    public ProcessSampler(List<Long> roots) {
        this.roots = List.copyOf(roots);
        this.pageSize = 4096;
        thread = new Thread(this::run, "process-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stop.get()) {
            sample();
            try {
                Thread.sleep(50); // NOPMD: the sampling period
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        long rss = 0;
        for (long root : roots) {
            var handle = ProcessHandle.of(root);
            if (handle.isEmpty()) {
                continue;
            }
            rss += sampleOne(root);
            for (ProcessHandle d : (Iterable<ProcessHandle>) handle.get().descendants()::iterator) {
                rss += sampleOne(d.pid());
            }
        }
        peakRssBytes = Math.max(peakRssBytes, rss);
    }

    /** Records the process's CPU ticks; returns its resident bytes (0 when it is gone). */
    private long sampleOne(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            long rssPages = Long.parseLong(f[21]);
            cpuTicks.merge(pid, utime + stime, Math::max);
            return rssPages * pageSize;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU seconds the sampled processes used so far. */
    public synchronized double cpuSeconds() {
        sample();
        return cpuTicks.values().stream().mapToLong(Long::longValue).sum() / (double) CLOCK_TICKS;
    }

    /** The highest summed resident memory seen, in MiB. */
    public synchronized double peakRssMiB() {
        return peakRssBytes / (1024.0 * 1024);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.interrupt();
        thread.join(2_000);
    }
}
