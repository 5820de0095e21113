package io.drover.master.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The master's HTTP API (Javalin on Jetty), read-only, served from the latest
 * {@link ClusterView} so that no request ever waits for the master's loop:
 * {@code /health}, {@code /metrics}, {@code /api/v1/state}, {@code /api/v1/agents},
 * {@code /api/v1/frameworks}, {@code /api/v1/tasks} (filters and paging), {@code /api/v1/roles}.
 */
public final class MasterHttpServer implements AutoCloseable {
    /** Most items one page of a list holds. */
    public static final int MAX_PAGE = 1_000;
    public static final int DEFAULT_PAGE = 100;
    private static final int MAX_THREADS = 8;

    private final Javalin app;

    /**
     * Starts serving on {@code host:port} (0 picks a free port).
     *
     * @param views the latest view; null until the master has built one
     */
    /** Where operator requests go: drain ({@code true}) or end the drain of an agent; false when refused for load. */
    public interface DrainRequests {
        boolean request(String agentId, boolean drain);
    }

    public MasterHttpServer(String host, int port, Supplier<ClusterView> views, MasterMetrics metrics, DrainRequests drains) {
        ObjectMapper mapper = new ObjectMapper();
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("master-http");
        threads.setDaemon(true);
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.jetty.threadPool = threads;
        });
        app.get("/health", ctx -> {
            ClusterView v = views.get();
            boolean ok = v != null && v.master().active();
            ctx.status(ok ? 200 : 503).json(Map.of("status", ok ? "active" : "not active",
                    "epoch", v == null ? -1 : v.master().epoch()));
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.get("/api/v1/state", ctx -> withView(ctx, views, ctx::json));
        app.get("/api/v1/agents", ctx -> withView(ctx, views, v -> ctx.json(page(ctx, v.agents(), a -> true, "agents"))));
        app.get("/api/v1/frameworks", ctx -> withView(ctx, views, v -> ctx.json(page(ctx, v.frameworks(), f -> true, "frameworks"))));
        app.get("/api/v1/roles", ctx -> withView(ctx, views, v -> ctx.json(Map.of("roles", v.roles()))));
        app.get("/api/v1/tasks", ctx -> withView(ctx, views, v -> {
            String framework = ctx.queryParam("framework");
            String agent = ctx.queryParam("agent");
            String state = ctx.queryParam("state");
            Predicate<ClusterView.Task> keep = t -> (framework == null || t.frameworkId().equals(framework))
                    && (agent == null || t.agentId().equals(agent))
                    && (state == null || t.state().equals(state.toUpperCase(Locale.ROOT)));
            ctx.json(page(ctx, v.tasks(), keep, "tasks"));
        }));
        app.post("/api/v1/agents/{agentId}/drain", ctx -> drain(ctx, views, drains, true));
        app.post("/api/v1/agents/{agentId}/undrain", ctx -> drain(ctx, views, drains, false));
        app.exception(IllegalArgumentException.class, (e, ctx) -> ctx.status(400).json(Map.of("error", e.getMessage())));
        app.start(host, port);
    }

    private static void drain(Context ctx, Supplier<ClusterView> views, DrainRequests drains, boolean drain) {
        String agentId = ctx.pathParam("agentId");
        withView(ctx, views, v -> {
            if (v.agents().stream().noneMatch(a -> a.id().equals(agentId))) {
                ctx.status(404).json(Map.of("error", "no agent " + agentId));
            } else if (!drains.request(agentId, drain)) {
                ctx.status(503).json(Map.of("error", "too many requests waiting; try again"));
            } else {
                ctx.status(202).json(Map.of("agentId", agentId, "requested", drain ? "drain" : "undrain"));
            }
        });
    }

    private static void withView(Context ctx, Supplier<ClusterView> views, java.util.function.Consumer<ClusterView> handler) {
        ClusterView v = views.get();
        if (v == null) {
            ctx.status(503).json(Map.of("error", "the master has not taken over yet"));
        } else {
            handler.accept(v);
        }
    }

    /** One page of a filtered list: {total, offset, limit, NAME: [...]}. */
    static <T> Map<String, Object> page(Context ctx, List<T> all, Predicate<T> keep, String name) {
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        List<T> kept = all.stream().filter(keep).toList();
        List<T> page = kept.subList(Math.min(offset, kept.size()), Math.min(kept.size(), (int) Math.min((long) offset + limit, kept.size())));
        return Map.of("total", kept.size(), "offset", offset, "limit", limit, name, page);
    }

    private static int intParam(Context ctx, String name, int dflt, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was '" + v + "'");
        }
    }

    /** The port served, useful when 0 was asked for. */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
