package io.drover.agent;

import io.drover.api.protocol.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a task's URIs into its sandbox before its command starts: {@code file://} URLs are
 * copied, {@code http://} and {@code https://} URLs are downloaded. Each file may hold at most
 * {@code maxFileBytes}; with a sha256 the content is checked, and content that matches is kept in
 * a cache directory keyed by that sha256, so that the next task naming it is served from there
 * without a download. The cache holds at most {@code cacheMaxBytes}; beyond that the files used
 * least recently (by modification time, which a cache hit refreshes) are deleted.
 *
 * <p>Files are copied out of the cache, never linked, and checked again on the way: a task that
 * writes to its copy cannot spoil the cache, the execute bit of one task's copy is not another's,
 * and a cached file damaged on disk is deleted and fetched again.
 *
 * <p>Fetching blocks the calling thread (one of the agent's fetch threads, see {@link Tasks}) for
 * as long as it takes. The connect timeout and the response timeout bound a server that does not
 * answer, and the size limit bounds what is read, but a server that stalls in the middle of a body
 * holds that thread until the connection breaks. Safe for concurrent fetches into different
 * sandboxes: cache entries are replaced atomically, and a damaged or vanished entry is a miss.
 */
final class Fetcher {
    private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);
    /** Default most bytes of one fetched file: 1 GiB. */
    static final long DEFAULT_MAX_FILE_BYTES = 1L << 30;
    /** Default most bytes the cache keeps: 2 GiB. */
    static final long DEFAULT_CACHE_MAX_BYTES = 2L << 30;
    /** Default time to connect to an HTTP server, and again to receive its response headers. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String TMP_SUFFIX = ".tmp";
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Path cacheDir;
    private final long maxFileBytes;
    private final long cacheMaxBytes;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;

    /**
     * @param cacheDir where verified content is cached; created when missing
     * @param maxFileBytes most bytes of one fetched file; a larger one fails its task
     * @param cacheMaxBytes most bytes the cache keeps, all files together
     * @param http the client for http(s) URLs; its connect timeout should be set
     * @param timeout how long an HTTP server may take to answer with its response headers
     * @param clock stamps cache hits, which eviction ranks by
     */
    Fetcher(Path cacheDir, long maxFileBytes, long cacheMaxBytes, HttpClient http, Duration timeout, Clock clock) {
        if (maxFileBytes < 1 || cacheMaxBytes < 0) {
            throw new IllegalArgumentException("maxFileBytes must be positive and cacheMaxBytes not negative, were "
                    + maxFileBytes + " and " + cacheMaxBytes);
        }
        this.cacheDir = cacheDir;
        this.maxFileBytes = maxFileBytes;
        this.cacheMaxBytes = cacheMaxBytes;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** A fetcher with the default limits and an HTTP client with the default connect timeout. */
    static Fetcher withDefaults(Path cacheDir, long maxFileBytes, long cacheMaxBytes, Clock clock) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(DEFAULT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        return new Fetcher(cacheDir, maxFileBytes, cacheMaxBytes, http, DEFAULT_TIMEOUT, clock);
    }

    /**
     * Fetches every URI, in order, into {@code sandbox}.
     *
     * @throws IOException with a message fit for the task's status when any URI is invalid, cannot
     *     be read, is larger than the limit, or does not match its sha256; files fetched before it
     *     stay in the sandbox
     */
    void fetchAll(List<UriInfo> uris, Path sandbox) throws IOException {
        for (UriInfo uri : uris) {
            fetch(uri, sandbox);
        }
    }

    private void fetch(UriInfo info, Path sandbox) throws IOException {
        String url = info.getValue();
        URI uri = parse(url);
        String name = fileName(info, uri);
        String sha256 = info.getSha256() == null ? null : info.getSha256().toLowerCase(Locale.ROOT);
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            throw new IOException("sha256 of " + url + " must be 64 hex digits, was '" + info.getSha256() + "'");
        }
        Path target = sandbox.resolve(name);
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot fetch " + url + ": " + name + " already exists in the sandbox");
        }
        Path cached = sha256 == null ? null : cacheDir.resolve(sha256);
        if (cached != null && fromCache(cached, sha256, name, target)) {
            LOG.info("fetched {} from the cache into {}", url, target);
        } else {
            Path tmp = sandbox.resolve("." + name + TMP_SUFFIX);
            try {
                String actual = download(uri, url, tmp);
                if (sha256 != null && !sha256.equals(actual)) {
                    throw new IOException("sha256 of " + url + " is " + actual + ", expected " + sha256);
                }
                Files.move(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
            if (cached != null) {
                addToCache(target, cached);
            }
            LOG.info("fetched {} into {}", url, target);
        }
        if (info.getExecutable()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(target);
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            perms.add(PosixFilePermission.GROUP_EXECUTE);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(target, perms);
        }
    }

    /**
     * Copies a cached file into {@code target} when it is there and still matches its sha256 (a
     * damaged one is deleted); returns whether it did.
     */
    private boolean fromCache(Path cached, String sha256, String name, Path target) throws IOException {
        if (!Files.isRegularFile(cached)) {
            return false;
        }
        Path tmp = target.resolveSibling("." + name + TMP_SUFFIX);
        try {
            String actual;
            try (InputStream in = Files.newInputStream(cached)) {
                actual = copyBounded(in, cached.toString(), tmp);
            } catch (NoSuchFileException e) {
                return false;
            }
            if (!sha256.equals(actual)) {
                LOG.warn("cached {} no longer matches its sha256; deleting it and fetching again", cached);
                Files.deleteIfExists(cached);
                return false;
            }
            Files.move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try {
            // A hit counts as a use, for eviction.
            Files.setLastModifiedTime(cached, FileTime.fromMillis(clock.millis()));
        } catch (NoSuchFileException e) {
            // Another fetch evicted it meanwhile; this task has its copy.
        }
        return true;
    }

    /** Copies the content at {@code uri} into {@code dest}, at most {@code maxFileBytes}, and returns its sha256 in hex. */
    private String download(URI uri, String url, Path dest) throws IOException {
        if (uri.getScheme().equals("file")) {
            Path source;
            try {
                source = Path.of(uri);
            } catch (IllegalArgumentException e) {
                throw new IOException("cannot fetch " + url + ": not a local file URL (" + e.getMessage() + ")", e);
            }
            if (!Files.isRegularFile(source)) {
                throw new IOException("cannot fetch " + url + ": no such file");
            }
            try (InputStream in = Files.newInputStream(source)) {
                return copyBounded(in, url, dest);
            }
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot fetch " + url + ": " + e.getMessage(), e);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        } catch (IOException e) {
            throw new IOException("cannot fetch " + url + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("cannot fetch " + url + ": HTTP status " + response.statusCode());
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxFileBytes) {
                throw tooLarge(url);
            }
            return copyBounded(in, url, dest);
        }
    }

    private String copyBounded(InputStream in, String url, Path dest) throws IOException {
        MessageDigest digest = sha256Digest();
        byte[] buf = new byte[BUFFER_BYTES];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(dest)) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                total += n;
                if (total > maxFileBytes) {
                    throw tooLarge(url);
                }
                digest.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private IOException tooLarge(String url) {
        return new IOException("cannot fetch " + url + ": larger than the limit of " + maxFileBytes + " bytes");
    }

    private void addToCache(Path verified, Path cached) {
        try {
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempFile(cacheDir, ".add-", TMP_SUFFIX);
            try {
                Files.copy(verified, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setLastModifiedTime(tmp, FileTime.fromMillis(clock.millis()));
                try {
                    Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            evict();
        } catch (IOException e) {
            // The task has its file; only the next one misses the cache.
            LOG.warn("cannot cache {}: {}", cached, e.toString());
        }
    }

    /** Deletes the least recently used cached files until the cache fits in {@code cacheMaxBytes}. */
    private void evict() throws IOException {
        record Entry(Path path, long size, long usedMs) {}
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(cacheDir)) {
            for (Path p : dir) {
                if (!SHA256.matcher(p.getFileName().toString()).matches()) {
                    continue;
                }
                try {
                    long size = Files.size(p);
                    entries.add(new Entry(p, size, Files.getLastModifiedTime(p).toMillis()));
                    total += size;
                } catch (NoSuchFileException e) {
                    // gone meanwhile
                }
            }
        }
        entries.sort(Comparator.comparingLong(Entry::usedMs).thenComparing(e -> e.path().toString()));
        for (Entry e : entries) {
            if (total <= cacheMaxBytes) {
                break;
            }
            Files.deleteIfExists(e.path());
            total -= e.size();
            LOG.info("evicted {} ({} bytes) from the fetch cache", e.path().getFileName(), e.size());
        }
    }

    private static URI parse(String url) throws IOException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IOException("invalid URI '" + url + "': " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("file") && !scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException("cannot fetch '" + url + "': only file://, http:// and https:// URIs are supported");
        }
        if (uri.getPath() == null || uri.getPath().isEmpty()) {
            throw new IOException("cannot fetch '" + url + "': it has no path");
        }
        return scheme.equals(uri.getScheme()) ? uri : URI.create(scheme + url.substring(scheme.length()));
    }

    private static String fileName(UriInfo info, URI uri) throws IOException {
        String name = info.getFileName();
        if (name == null) {
            String path = uri.getPath();
            name = path.substring(path.lastIndexOf('/') + 1);
        }
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\0")
                || name.equals(ProcessLauncher.STDOUT) || name.equals(ProcessLauncher.STDERR)) {
            throw new IOException("cannot fetch " + info.getValue() + ": '" + name
                    + "' is not a valid file name in the sandbox (one path segment, not stdout or stderr)");
        }
        return name;
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
