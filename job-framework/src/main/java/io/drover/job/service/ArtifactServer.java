package io.drover.job.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job service's file server, from which agents fetch what a job's executors need (the plan
 * and a user job's jar) into the executors' sandboxes: {@code GET} or {@code HEAD}
 * {@code /artifacts/<sha256>.<kind>} answers the bytes of a published file whose content has that
 * SHA-256, 404 for anything else (a file is served only while published, so a job's plan is gone
 * once the job ended). Files are named by content, so agents cache them by it, and a repeat of the
 * same jar or plan is one entry, counted.
 *
 * <p>At most {@value #THREADS} requests are served at once and {@value #QUEUED} wait; past that the
 * server's accepting thread serves the next one itself, so it stops taking connections until
 * there is room. Thread-safe.
 */
final class ArtifactServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactServer.class);
    static final int THREADS = 4;
    static final int QUEUED = 64;
    private static final Pattern PATH = Pattern.compile("/artifacts/([0-9a-f]{64})\\.([a-z]{1,8})");

    private record Entry(Path file, String kind, int users) {}

    private final HttpServer server;
    private final ThreadPoolExecutor threads;
    private final String baseUrl;
    private final Map<String, Entry> published = new HashMap<>();

    /**
     * Listens on {@code host:port} (port 0 picks a free one); a wildcard host (0.0.0.0, ::) is
     * advertised as this machine's host name.
     *
     * @throws IOException when it cannot listen there
     */
    ArtifactServer(String listen) throws IOException {
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(listen.substring(colon + 1));
        server = HttpServer.create(new InetSocketAddress(host, port), 50);
        AtomicInteger n = new AtomicInteger();
        threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED), r -> {
            Thread t = new Thread(r, "job-artifacts-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        threads.allowCoreThreadTimeOut(true);
        server.setExecutor(threads);
        server.createContext("/artifacts/", this::serve);
        server.start();
        String advertised = wildcard(host) ? localHostName() : host;
        if (advertised.contains(":")) {
            advertised = "[" + advertised + "]";
        }
        baseUrl = "http://" + advertised + ":" + server.getAddress().getPort() + "/artifacts/";
        LOG.info("job service serves plans and jars at {}", baseUrl);
    }

    /** Whether the job service's config can listen at this {@code host:port}; null when it can, else why not. */
    static String problem(String listen) {
        int colon = listen == null ? -1 : listen.lastIndexOf(':');
        if (colon <= 0 || colon == listen.length() - 1) {
            return "httpListen must be host:port, was '" + listen + "'";
        }
        try {
            int port = Integer.parseInt(listen.substring(colon + 1));
            return port < 0 || port > 65_535 ? "httpListen's port must be 0 to 65535, was '" + listen + "'" : null;
        } catch (NumberFormatException e) {
            return "httpListen must be host:port, was '" + listen + "'";
        }
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Serves {@code file}, whose content has SHA-256 {@code sha256} (64 lower-case hex digits), until
     * as many {@link #withdraw} calls as publish calls for it; returns its URL, whose last path
     * segment {@code <sha256>.<kind>} is the file's name where an agent fetches it.
     *
     * @param kind a short lower-case word for the file's name ("plan", "jar")
     */
    synchronized String publish(Path file, String sha256, String kind) {
        Entry e = published.get(sha256);
        published.put(sha256, new Entry(file, kind, e == null ? 1 : e.users() + 1));
        return url(sha256, kind);
    }

    /** The URL a file published with this hash and kind has. */
    String url(String sha256, String kind) {
        return baseUrl + sha256 + "." + kind;
    }

    /** Stops serving the file once every publisher withdrew it; its file is not deleted. */
    synchronized void withdraw(String sha256) {
        Entry e = published.get(sha256);
        if (e == null) {
            return;
        }
        if (e.users() <= 1) {
            published.remove(sha256);
        } else {
            published.put(sha256, new Entry(e.file(), e.kind(), e.users() - 1));
        }
    }

    private synchronized Entry lookup(String sha256, String kind) {
        Entry e = published.get(sha256);
        return e != null && e.kind().equals(kind) ? e : null;
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            Matcher m = PATH.matcher(ex.getRequestURI().getPath());
            Entry e = m.matches() ? lookup(m.group(1), m.group(2)) : null;
            long size;
            try {
                size = e == null ? -1 : Files.size(e.file());
            } catch (IOException gone) {
                size = -1;
            }
            if (size < 0) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            if (method.equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Length", Long.toString(size));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, size == 0 ? -1 : size);
            try (InputStream in = Files.newInputStream(e.file()); OutputStream out = ex.getResponseBody()) {
                in.transferTo(out);
            }
        } catch (IOException | RuntimeException failure) {
            LOG.debug("serving {} failed: {}", ex.getRequestURI(), failure.toString());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
