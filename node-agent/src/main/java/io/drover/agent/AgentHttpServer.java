package io.drover.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The agent's HTTP server (Javalin on Jetty, at most {@value #MAX_THREADS} threads), read-only:
 * {@code GET /health} and {@code GET /api/v1/sandboxes/{frameworkId}/{taskId}/{file}}, where file
 * is {@code stdout} or {@code stderr}, the current (newest) output file of the task's latest run.
 * Query: {@code offset} and {@code length} (bytes; length at most {@link SandboxFiles#MAX_LENGTH},
 * the default), or {@code tail} (the last N bytes, at most that too). The answer is JSON
 * {@code {"offset":..,"length":..,"data":"..","size":..}}: length counts bytes read, data is them
 * as UTF-8 with malformed sequences replaced, size is the whole file's. 404 for an unknown task or
 * file, 400 for a bad parameter.
 */
final class AgentHttpServer implements AutoCloseable {
    private static final int MAX_THREADS = 8;
    /** Response header of a shuffle block: its compression id. */
    static final String COMPRESSION_HEADER = "X-Drover-Compression";

    private final Javalin app;

    /** Starts serving on {@code host:port} (0 picks a free port). */
    AgentHttpServer(HttpListen listen, Path sandboxesRoot, Path shuffleRoot, String agentName) {
        SandboxFiles files = new SandboxFiles(sandboxesRoot);
        ShuffleFiles shuffle = new ShuffleFiles(shuffleRoot);
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("drover-agent-http-" + agentName);
        threads.setDaemon(true);
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(new ObjectMapper(), false));
            config.jetty.threadPool = threads;
        });
        app.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
        app.get("/api/v1/sandboxes/{frameworkId}/{taskId}/{file}", ctx -> serve(ctx, files));
        app.get("/api/v1/shuffle/{frameworkId}/{jobId}/{stage}/{map}/{attempt}/{partition}", ctx -> serveShuffle(ctx, shuffle));
        app.exception(IllegalArgumentException.class, (e, ctx) -> ctx.status(400).json(Map.of("error", e.getMessage())));
        app.start(listen.host(), listen.port());
    }

    /** The port it listens on. */
    int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static void serve(Context ctx, SandboxFiles files) throws IOException {
        String tail = ctx.queryParam("tail");
        String offsetParam = ctx.queryParam("offset");
        if (tail != null && offsetParam != null) {
            throw new IllegalArgumentException("give either tail or offset, not both");
        }
        long tailBytes = tail == null ? -1 : longParam("tail", tail, SandboxFiles.MAX_LENGTH);
        long offset = offsetParam == null ? 0 : longParam("offset", offsetParam, Long.MAX_VALUE);
        String lengthParam = ctx.queryParam("length");
        int length = lengthParam == null ? SandboxFiles.MAX_LENGTH : (int) longParam("length", lengthParam, SandboxFiles.MAX_LENGTH);
        String frameworkId = ctx.pathParam("frameworkId");
        String taskId = ctx.pathParam("taskId");
        String name = ctx.pathParam("file");
        Optional<Path> file = files.find(frameworkId, taskId, name);
        if (file.isEmpty()) {
            ctx.status(404).json(Map.of("error", "no file " + name + " for task " + taskId + " of framework " + frameworkId + " on this agent"));
            return;
        }
        SandboxFiles.Chunk chunk;
        try {
            if (tailBytes >= 0) {
                long size = SandboxFiles.size(file.get());
                offset = Math.max(0, size - tailBytes);
                length = (int) Math.min(length, tailBytes);
            }
            chunk = SandboxFiles.read(file.get(), offset, length);
        } catch (java.nio.file.NoSuchFileException e) {
            ctx.status(404).json(Map.of("error", "the sandbox of task " + taskId + " is gone"));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("offset", chunk.offset());
        body.put("length", chunk.length());
        body.put("data", chunk.data());
        body.put("size", chunk.size());
        ctx.json(body);
    }

    private static void serveShuffle(Context ctx, ShuffleFiles shuffle) throws IOException {
        ShuffleFiles.Block block;
        try {
            block = shuffle.find(ctx.pathParam("frameworkId"), ctx.pathParam("jobId"), intParam(ctx, "stage"),
                    intParam(ctx, "map"), intParam(ctx, "attempt"), intParam(ctx, "partition"));
        } catch (java.nio.file.NoSuchFileException e) {
            ctx.status(404).json(Map.of("error", "no such map output on this agent"));
            return;
        }
        InputStream in;
        try {
            in = ShuffleFiles.open(block);
        } catch (java.nio.file.NoSuchFileException e) {
            ctx.status(404).json(Map.of("error", "no such map output on this agent"));
            return;
        }
        ctx.header(COMPRESSION_HEADER, Integer.toString(block.compression()));
        ctx.contentType("application/octet-stream");
        try (in) {
            ctx.header("Content-Length", Long.toString(block.length()));
            in.transferTo(ctx.outputStream());
        }
    }

    private static int intParam(Context ctx, String name) {
        return (int) longParam(name, ctx.pathParam(name), Integer.MAX_VALUE);
    }

    private static long longParam(String name, String value, long max) {
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
        }
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(name + " must be in [0, " + max + "], was " + v);
        }
        return v;
    }
}
