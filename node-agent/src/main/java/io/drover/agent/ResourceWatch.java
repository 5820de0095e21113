package io.drover.agent;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-measures the machine every {@link AgentConfig#probeIntervalMs()} and tells the agent's loop
 * when what it reports (total and attributes) changed, for instance when something else filled
 * the work directory's file store or a GPU stopped answering nvidia-smi.
 *
 * <p>A measurement may block (nvidia-smi, a slow file system), so it runs on the given executor,
 * never on the loop thread, and at most one runs at a time; the loop only {@link #poll polls}.
 * Time is the loop's clock, passed in as {@code nowMs}.
 *
 * <p>{@link #poll} and {@link #nextProbeAtMs()} belong to one thread (the loop);
 * {@link #current()} may be read from any thread.
 */
final class ResourceWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceWatch.class);

    /** Measures what the machine has; may block, and may throw when it cannot. */
    interface Source {
        ResourceProbe.Measured measure();
    }

    private final AgentConfig config;
    private final Source source;
    private final Executor executor;
    private final Runnable onMeasured;
    /** The result of the measurement in flight, once it ends: a Measured or a RuntimeException. */
    private final AtomicReference<Object> finished = new AtomicReference<>();
    private volatile ResourceProbe.Report current;
    private boolean inFlight;
    private boolean warnedSlow;
    private long startedAtMs;
    private long nextProbeAtMs;

    /**
     * @param initial what the agent reports now (its first measurement)
     * @param executor runs the measurements; a rejected one is tried again an interval later
     * @param onMeasured called on the executor's thread when a measurement ends, to wake the loop
     * @param nowMs the time of the initial measurement; the next is one interval later
     */
    ResourceWatch(AgentConfig config, Source source, Executor executor, Runnable onMeasured, ResourceProbe.Report initial, long nowMs) {
        this.config = Objects.requireNonNull(config, "config");
        this.source = Objects.requireNonNull(source, "source");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.onMeasured = Objects.requireNonNull(onMeasured, "onMeasured");
        this.current = Objects.requireNonNull(initial, "initial");
        this.nextProbeAtMs = nowMs + config.probeIntervalMs();
    }

    /** What the agent reports now. */
    ResourceProbe.Report current() {
        return current;
    }

    /** When {@link #poll} next has work: the next measurement, or never while one is in flight (its end wakes the loop). */
    long nextProbeAtMs() {
        return inFlight ? Long.MAX_VALUE : nextProbeAtMs;
    }

    /**
     * Starts a measurement when one is due and none is in flight, then takes the result of one
     * that ended. Never blocks.
     *
     * @param allocatedDiskMb the disk given to the tasks running now, all together (see
     *     {@link ResourceProbe#report(ResourceProbe.Measured, AgentConfig, long)})
     * @return the new report when a measurement ended and what the agent reports changed; empty
     *     otherwise (also when the measurement failed: the last report stands)
     */
    Optional<ResourceProbe.Report> poll(long nowMs, long allocatedDiskMb) {
        if (!inFlight && nowMs >= nextProbeAtMs) {
            start(nowMs);
        }
        Object result = finished.getAndSet(null);
        if (result == null) {
            if (inFlight && !warnedSlow && nowMs - startedAtMs > config.probeIntervalMs()) {
                warnedSlow = true;
                LOG.warn("measuring the machine has taken more than {} ms; keeping the last total until it ends", config.probeIntervalMs());
            }
            return Optional.empty();
        }
        inFlight = false;
        warnedSlow = false;
        // An interval after this one ended, so that a slow machine is not measured back to back.
        nextProbeAtMs = nowMs + config.probeIntervalMs();
        if (result instanceof RuntimeException e) {
            LOG.warn("cannot measure the machine ({}); keeping the last total", e.toString());
            return Optional.empty();
        }
        ResourceProbe.Report next = ResourceProbe.report((ResourceProbe.Measured) result, config, allocatedDiskMb);
        if (next.equals(current)) {
            return Optional.empty();
        }
        current = next;
        return Optional.of(next);
    }

    private void start(long nowMs) {
        inFlight = true;
        startedAtMs = nowMs;
        nextProbeAtMs = nowMs + config.probeIntervalMs();
        try {
            executor.execute(this::measure);
        } catch (RejectedExecutionException e) {
            inFlight = false;
            LOG.debug("measurement not started: {}", e.toString());
        }
    }

    private void measure() {
        Object result;
        try {
            result = Objects.requireNonNull(source.measure(), "measurement");
        } catch (RuntimeException e) {
            result = e;
        }
        finished.set(result);
        onMeasured.run();
    }
}
