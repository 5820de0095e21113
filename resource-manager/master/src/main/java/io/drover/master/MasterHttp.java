package io.drover.master;

import io.drover.master.handler.SoftState;
import io.drover.master.http.ClusterView;
import io.drover.master.http.ClusterViews;
import io.drover.master.http.MasterHttpServer;
import io.drover.master.http.MasterMetrics;
import io.drover.master.state.MasterState;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's HTTP side: the server, the address it advertises in the log, and the view of the
 * state it serves. The master's thread publishes views; the server's threads only read the
 * latest one, so a request never waits for the loop.
 */
final class MasterHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterHttp.class);
    /** Longest time the HTTP API's view may lag behind the state. */
    private static final long VIEW_INTERVAL_MS = 250;

    private final MasterConfig config;
    private final MasterMetrics metrics;
    private final AtomicReference<ClusterView> view = new AtomicReference<>();
    private MasterHttpServer server;
    private String address = "";
    private long nextViewMs;

    MasterHttp(MasterConfig config, MasterMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** Starts serving, unless the config says not to. */
    void start(MasterHttpServer.DrainRequests drains) {
        if (config.httpListen().isEmpty()) {
            return;
        }
        int colon = config.httpListen().lastIndexOf(':');
        String host = config.httpListen().substring(0, colon);
        int port = Integer.parseInt(config.httpListen().substring(colon + 1));
        try {
            server = new MasterHttpServer(host, port, view::get, metrics, drains);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.httpListen() + ": " + e.getMessage(), e);
        }
        String advertised = host.equals("0.0.0.0") ? hostname() : host;
        address = advertised + ":" + server.port();
        LOG.info("master {} serves HTTP at http://{}", config.masterId(), address);
    }

    /** Where the API is served, host:port; empty when it is not. */
    String address() {
        return address;
    }

    ClusterView view() {
        return view.get();
    }

    /**
     * Builds and publishes a fresh view, at most every {@link #VIEW_INTERVAL_MS}, and spaced by
     * its own cost so that building never takes more than a tenth of the loop's time.
     *
     * @param inputLag records not yet taken in, by topic; asked only when a view is built
     */
    void maybePublish(MasterState state, SoftState soft, boolean active, long nowMs, long logOffset,
            Supplier<Map<String, Long>> inputLag) {
        if (nowMs < nextViewMs) {
            return;
        }
        long started = System.nanoTime();
        ClusterView v = ClusterViews.build(state, soft, config.masterId(), active, nowMs, logOffset);
        long buildMs = (System.nanoTime() - started) / 1_000_000;
        nextViewMs = nowMs + Math.max(VIEW_INTERVAL_MS, 10 * buildMs);
        view.set(v);
        metrics.view(v);
        inputLag.get().forEach(metrics::inputLag);
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
