package io.drover.job.shuffle;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads one block of a map output from the shuffle service of the agent that holds it:
 * {@code GET http://<agent>/api/v1/shuffle/<framework>/<job>/<stage>/<map>/<attempt>/<partition>},
 * whose body is the block as stored and whose {@code X-Drover-Compression} header names its
 * compression. A missing output (404) or an agent that cannot be reached is a
 * {@link ShuffleFetchException}: the map task must run again.
 *
 * <p>Each block is downloaded whole before it is read: into memory up to
 * {@value #MAX_IN_MEMORY_BYTES} bytes, else into a file under the spill directory that is deleted
 * when the stream closes. So a reducer that holds many blocks open while it merges never holds the
 * serving agent's HTTP threads, and its memory per open block stays bounded.
 */
public final class HttpShuffleFetcher {

    /** Longest wait for a connection, and for the response's headers. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    /** Largest block kept in memory; larger ones go to a file. */
    public static final int MAX_IN_MEMORY_BYTES = 512 << 10;

    private final HttpClient client;
    private final String frameworkId;
    private final String jobId;
    private final java.nio.file.Path spillDir;

    public HttpShuffleFetcher(HttpClient client, String frameworkId, String jobId, java.nio.file.Path spillDir) {
        this.client = client;
        this.frameworkId = frameworkId;
        this.jobId = jobId;
        this.spillDir = spillDir;
    }

    /** A client with this fetcher's connect timeout; share one per process. */
    public static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Opens one block from the agent at {@code agentHttp} ({@code host:port}).
     *
     * @throws ShuffleFetchException if the agent is unreachable or does not hold the output
     */
    public RecordStream fetch(String agentHttp, int stage, int map, int attempt, int partition) throws IOException {
        URI uri = URI.create("http://" + agentHttp + "/api/v1/shuffle/" + frameworkId + "/" + jobId + "/" + stage + "/"
                + map + "/" + attempt + "/" + partition);
        HttpResponse<InputStream> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(RESPONSE_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ShuffleFetchException(stage, map, "cannot fetch map output of stage " + stage + " map task " + map
                    + " from " + agentHttp + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted fetching " + uri);
        }
        InputStream body = response.body();
        if (response.statusCode() != 200) {
            String text = new String(body.readNBytes(1024), java.nio.charset.StandardCharsets.UTF_8);
            body.close();
            String message = "map output of stage " + stage + " map task " + map + " attempt " + attempt + " not served by "
                    + agentHttp + " (HTTP " + response.statusCode() + "): " + text;
            if (response.statusCode() == 404) {
                throw new ShuffleFetchException(stage, map, message, null);
            }
            throw new IOException(message);
        }
        String id = response.headers().firstValue("X-Drover-Compression").orElse(null);
        if (id == null) {
            body.close();
            throw new IOException("the shuffle service at " + agentHttp + " named no compression");
        }
        Compression compression;
        try {
            compression = Compression.ofId(Integer.parseInt(id));
        } catch (NumberFormatException e) {
            body.close();
            throw new IOException("bad compression id from " + agentHttp + ": " + id, e);
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        try (body) {
            if (length == 0) {
                return RecordStream.empty();
            }
            if (length < 0) {
                throw new IOException("the shuffle service at " + agentHttp + " sent no Content-Length");
            }
            InputStream block = length <= MAX_IN_MEMORY_BYTES ? new java.io.ByteArrayInputStream(readFully(body, length, uri))
                    : download(body, length, uri);
            return new RecordStream(compression.decompress(block));
        }
    }

    private static byte[] readFully(InputStream body, long length, URI uri) throws IOException {
        byte[] bytes = body.readNBytes((int) length);
        if (bytes.length != length) {
            throw new IOException("truncated shuffle block from " + uri + ": " + bytes.length + " of " + length + " bytes");
        }
        return bytes;
    }

    /** The block in a file of its own, deleted when the returned stream closes. */
    private InputStream download(InputStream body, long length, URI uri) throws IOException {
        java.nio.file.Files.createDirectories(spillDir);
        java.nio.file.Path file = java.nio.file.Files.createTempFile(spillDir, "fetch-", ".block");
        try {
            long n;
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
                n = body.transferTo(out);
            }
            if (n != length) {
                throw new IOException("truncated shuffle block from " + uri + ": " + n + " of " + length + " bytes");
            }
            return new java.io.FilterInputStream(new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file),
                    64 << 10)) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        java.nio.file.Files.deleteIfExists(file);
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            java.nio.file.Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Makes a job's fetchers over one shared client. */
    public record Factory(HttpClient client) {
        /** A job's fetcher, downloading large blocks under {@code spillDir}. */
        public HttpShuffleFetcher forJob(String frameworkId, String jobId, java.nio.file.Path spillDir) {
            return new HttpShuffleFetcher(client, frameworkId, jobId, spillDir);
        }
    }
}
