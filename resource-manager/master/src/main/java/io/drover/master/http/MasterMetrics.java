package io.drover.master.http;

import io.drover.api.protocol.OfferMade;
import io.drover.api.protocol.OfferRemoved;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The master's metrics, in Prometheus text form at {@code /metrics}. Counters come from the
 * events of committed batches (so an aborted batch counts nothing); gauges from the latest
 * {@link ClusterView}. Thread-safe.
 */
public final class MasterMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter offersSent;
    private final Map<String, Counter> offersEnded = new ConcurrentHashMap<>();
    private final Map<String, Counter> calls = new ConcurrentHashMap<>();
    private final Counter deadLetters;
    private final Timer allocationCycle;
    private final Timer commit;
    private final Map<String, AtomicLong> tasksByState = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> inputLag = new ConcurrentHashMap<>();
    private final AtomicLong agents = new AtomicLong();
    private final AtomicLong frameworks = new AtomicLong();
    private final AtomicLong epoch = new AtomicLong();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    public MasterMetrics() {
        offersSent = Counter.builder("drover.offers.sent").description("Offers made to frameworks").register(registry);
        deadLetters = Counter.builder("drover.dead.letters").description("Input messages that could not be decoded").register(registry);
        allocationCycle = Timer.builder("drover.allocation.cycle")
                .description("One timer pass of the master: offer expiry, agent timeouts and allocation")
                .publishPercentiles(0.5, 0.99).register(registry);
        commit = Timer.builder("drover.batch.commit").description("Committing one batch: the Kafka transaction and the RocksDB write")
                .publishPercentiles(0.5, 0.99).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        Gauge.builder("drover.agents", agents, AtomicLong::get).description("Registered agents").register(registry);
        Gauge.builder("drover.frameworks", frameworks, AtomicLong::get).description("Subscribed frameworks").register(registry);
        Gauge.builder("drover.master.epoch", epoch, AtomicLong::get).description("Epoch of this master").register(registry);
    }

    /** Counts what a committed batch did. */
    public void committed(List<Object> events, long commitNanos) {
        commit.record(commitNanos, TimeUnit.NANOSECONDS);
        for (Object e : events) {
            if (e instanceof OfferMade) {
                offersSent.increment();
            } else if (e instanceof OfferRemoved r) {
                offersEnded.computeIfAbsent(r.getCause().name(), cause -> Counter.builder("drover.offers.ended")
                        .description("Offers that ended, by how: ACCEPTED, DECLINED, RESCINDED, EXPIRED, ...")
                        .tag("cause", cause.toLowerCase(Locale.ROOT)).register(registry)).increment();
            }
        }
    }

    public void call(String type) {
        calls.computeIfAbsent(type, t -> Counter.builder("drover.calls").description("Framework calls taken in, by type")
                .tag("type", t.toLowerCase(Locale.ROOT)).register(registry)).increment();
    }

    public void deadLetter() {
        deadLetters.increment();
    }

    public void allocationCycle(long nanos) {
        allocationCycle.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Records not yet read of one input topic (all its partitions). */
    public void inputLag(String topic, long records) {
        inputLag.computeIfAbsent(topic, t -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("drover.input.lag", value, AtomicLong::get).description("Input records not yet taken in by the master")
                    .tag("topic", t).register(registry);
            return value;
        }).set(records);
    }

    /** Gauges from a new view. */
    public void view(ClusterView view) {
        agents.set(view.totals().agents());
        frameworks.set(view.totals().frameworks());
        epoch.set(view.master().epoch());
        for (AtomicLong v : tasksByState.values()) {
            v.set(0);
        }
        view.tasksByState().forEach((state, n) -> tasksByState.computeIfAbsent(state, s -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("drover.tasks", value, AtomicLong::get).description("Tasks the master tracks, by state")
                    .tag("state", s.toLowerCase(Locale.ROOT)).register(registry);
            return value;
        }).set(n));
    }

    /** Everything in Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    /** Stops listening to the JVM's garbage collections. */
    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
