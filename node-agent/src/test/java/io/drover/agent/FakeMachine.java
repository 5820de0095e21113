package io.drover.agent;

import java.util.concurrent.atomic.AtomicInteger;

/** A machine whose measurement the test sets; it counts the measurements and can fail them. */
final class FakeMachine implements ResourceWatch.Source {
    private volatile ResourceProbe.Measured measured;
    private volatile RuntimeException failure;
    private final AtomicInteger measurements = new AtomicInteger();

    FakeMachine(ResourceProbe.Measured measured) {
        this.measured = measured;
    }

    void set(ResourceProbe.Measured next) {
        this.measured = next;
        this.failure = null;
    }

    void failWith(RuntimeException e) {
        this.failure = e;
    }

    int measurements() {
        return measurements.get();
    }

    @Override
    public ResourceProbe.Measured measure() {
        measurements.incrementAndGet();
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
        return measured;
    }
}
