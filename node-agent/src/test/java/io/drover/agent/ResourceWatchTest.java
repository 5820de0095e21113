package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResourceWatchTest {
    private static final long START_MS = 1_000_000;
    private static final long INTERVAL_MS = 30_000;
    private static final ResourceProbe.Measured BIG_DISK = new ResourceProbe.Measured(4, 8_192, 100_000);
    /** The same disk, half filled by something other than the agent's tasks. */
    private static final ResourceProbe.Measured HALF_FULL = new ResourceProbe.Measured(4, 8_192, 100_000, 50_000, List.of());

    private final AgentConfig config = AgentConfig.builder("b:1", Path.of("/tmp/x")).hostname("h").probeIntervalMs(INTERVAL_MS)
            .reserveDiskMb(1_000).build();
    private final FakeMachine machine = new FakeMachine(BIG_DISK);
    private final ManualClock clock = new ManualClock(START_MS);
    private final AtomicInteger wakeUps = new AtomicInteger();

    /** An executor that holds its tasks until the test runs them, as a slow probe thread would. */
    private static final class HeldExecutor implements Executor {
        final List<Runnable> held = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            held.add(task);
        }

        void runAll() {
            List<Runnable> tasks = new ArrayList<>(held);
            held.clear();
            tasks.forEach(Runnable::run);
        }
    }

    private ResourceWatch watch(Executor executor) {
        return new ResourceWatch(config, machine, executor, wakeUps::incrementAndGet,
                ResourceProbe.report(machine.measure(), config), clock.millis());
    }

    @Test
    void measuresEveryIntervalAndReportsOnlyAChange() {
        ResourceWatch watch = watch(Runnable::run);
        assertEquals(99_000, watch.current().total().getDiskMb());
        assertEquals(START_MS + INTERVAL_MS, watch.nextProbeAtMs());

        clock.advanceMs(INTERVAL_MS - 1);
        assertEquals(Optional.empty(), watch.poll(clock.millis(), 0));
        assertEquals(1, machine.measurements(), "not due yet");

        clock.advanceMs(1);
        assertEquals(Optional.empty(), watch.poll(clock.millis(), 0), "same machine, nothing to tell");
        assertEquals(2, machine.measurements());
        assertEquals(START_MS + 2 * INTERVAL_MS, watch.nextProbeAtMs());

        machine.set(HALF_FULL);
        clock.advanceMs(INTERVAL_MS);
        ResourceProbe.Report changed = watch.poll(clock.millis(), 0).orElseThrow();
        assertEquals(49_000, changed.total().getDiskMb(), "the new total, after the reserve");
        assertEquals(changed, watch.current());
        assertEquals(2, wakeUps.get());

        clock.advanceMs(INTERVAL_MS);
        assertEquals(Optional.empty(), watch.poll(clock.millis(), 0), "reported once");
    }

    @Test
    void theDiskOfRunningTasksCountsAsTheirs() {
        ResourceWatch watch = watch(Runnable::run);
        machine.set(HALF_FULL);
        clock.advanceMs(INTERVAL_MS);
        assertEquals(79_000, watch.poll(clock.millis(), 30_000).orElseThrow().total().getDiskMb(), "free 50000 + tasks' 30000 - reserve");
    }

    @Test
    void aGpuThatAppearsChangesTheTotalAndTheAttributes() {
        ResourceWatch watch = watch(Runnable::run);
        machine.set(new ResourceProbe.Measured(4, 8_192, 100_000, List.of("Tesla T4")));
        clock.advanceMs(INTERVAL_MS);
        ResourceProbe.Report changed = watch.poll(clock.millis(), 0).orElseThrow();
        assertEquals(1, changed.total().getGpus());
        assertEquals(Map.of(ResourceProbe.GPU_MODEL, "Tesla T4"), changed.attributes());
    }

    @Test
    void oneMeasurementAtATimeAndTheLoopNeverWaitsForIt() {
        HeldExecutor executor = new HeldExecutor();
        ResourceWatch watch = watch(executor);
        machine.set(HALF_FULL);
        clock.advanceMs(INTERVAL_MS);
        assertEquals(Optional.empty(), watch.poll(clock.millis(), 0));
        assertEquals(1, executor.held.size());
        assertEquals(Long.MAX_VALUE, watch.nextProbeAtMs(), "its end wakes the loop");

        clock.advanceMs(3 * INTERVAL_MS);
        assertEquals(Optional.empty(), watch.poll(clock.millis(), 0));
        assertEquals(1, executor.held.size(), "no second measurement while one is in flight");

        executor.runAll();
        assertEquals(1, wakeUps.get());
        assertEquals(49_000, watch.poll(clock.millis(), 0).orElseThrow().total().getDiskMb());
        assertEquals(clock.millis() + INTERVAL_MS, watch.nextProbeAtMs(), "the next is due an interval after the last one ended");
    }

    @Test
    void aFailedMeasurementKeepsTheLastTotal() {
        ResourceWatch watch = watch(Runnable::run);
        ResourceProbe.Report before = watch.current();
        machine.failWith(new UncheckedIOException("work dir gone", new java.io.IOException("gone")));
        clock.advanceMs(INTERVAL_MS);
        assertEquals(Optional.empty(), watch.poll(clock.millis(), 0));
        assertEquals(before, watch.current());

        machine.set(HALF_FULL);
        clock.advanceMs(INTERVAL_MS);
        assertTrue(watch.poll(clock.millis(), 0).isPresent(), "measures again after a failure");
    }

    @Test
    void aRejectedMeasurementIsTriedAnIntervalLater() {
        AtomicInteger offered = new AtomicInteger();
        ResourceWatch watch = watch(task -> {
            offered.incrementAndGet();
            throw new RejectedExecutionException("shut down");
        });
        clock.advanceMs(INTERVAL_MS);
        assertEquals(Optional.empty(), watch.poll(clock.millis(), 0));
        assertEquals(Optional.empty(), watch.poll(clock.millis(), 0));
        assertEquals(1, offered.get());
        assertEquals(clock.millis() + INTERVAL_MS, watch.nextProbeAtMs());
    }
}
