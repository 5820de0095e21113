package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.drover.api.protocol.UriInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetching into sandboxes, from files and from a local HTTP server, with and without the cache. */
class FetcherTest {
    private static final byte[] CONTENT = "hello, fetcher\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final AtomicInteger downloads = new AtomicInteger();
    private HttpServer server;
    private Path cache;
    private Path sandbox;

    @BeforeEach
    void setUp() throws IOException {
        cache = dir.resolve("cache");
        sandbox = Files.createDirectories(dir.resolve("sandbox"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/files/", exchange -> {
            downloads.incrementAndGet();
            byte[] body = exchange.getRequestURI().getPath().endsWith("/big.bin") ? new byte[4096] : CONTENT;
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private Fetcher fetcher(long maxFileBytes, long cacheMaxBytes) {
        return Fetcher.withDefaults(cache, maxFileBytes, cacheMaxBytes, clock);
    }

    private String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/files/" + name;
    }

    static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (var stream = Files.list(dir)) {
            return stream.toList();
        }
    }

    static UriInfo uri(String value, String sha256, boolean executable) {
        return UriInfo.newBuilder().setValue(value).setSha256(sha256).setExecutable(executable).build();
    }

    @Test
    void aFileUrlIsCopiedUnderItsLastPathSegment() throws Exception {
        Path source = Files.write(dir.resolve("data.txt"), CONTENT);

        fetcher(1024, 1024).fetchAll(List.of(uri(source.toUri().toString(), null, false)), sandbox);

        assertArrayEquals(CONTENT, Files.readAllBytes(sandbox.resolve("data.txt")));
        assertFalse(Files.isExecutable(sandbox.resolve("data.txt")));
    }

    @Test
    void executableSetsTheExecuteBitsAndFileNameRenames() throws Exception {
        Path source = Files.write(dir.resolve("run.sh"), CONTENT);
        UriInfo info = UriInfo.newBuilder().setValue(source.toUri().toString()).setExecutable(true).setFileName("tool").build();

        fetcher(1024, 1024).fetchAll(List.of(info), sandbox);

        assertTrue(Files.getPosixFilePermissions(sandbox.resolve("tool")).containsAll(
                List.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE)));
    }

    @Test
    void aWrongSha256FailsWithBothDigestsAndLeavesNoFile() throws Exception {
        Path source = Files.write(dir.resolve("data.txt"), CONTENT);
        String wrong = "0".repeat(64);
        String url = source.toUri().toString();

        IOException e = assertThrows(IOException.class, () -> fetcher(1024, 1024).fetchAll(List.of(uri(url, wrong, false)), sandbox));
        assertEquals("sha256 of " + url + " is " + sha256(CONTENT) + ", expected " + wrong, e.getMessage());
        assertEquals(List.of(), entries(sandbox));
        assertFalse(Files.exists(cache));
    }

    @Test
    void anHttpUrlIsDownloaded() throws Exception {
        fetcher(1024, 1024).fetchAll(List.of(uri(url("a.txt"), null, false)), sandbox);

        assertArrayEquals(CONTENT, Files.readAllBytes(sandbox.resolve("a.txt")));
        assertEquals(1, downloads.get());
    }

    @Test
    void aSecondFetchOfTheSameUrlAndSha256IsServedFromTheCache() throws Exception {
        Fetcher fetcher = fetcher(1024, 1024);
        UriInfo info = uri(url("a.txt"), sha256(CONTENT), false);
        Path second = Files.createDirectories(dir.resolve("sandbox2"));

        fetcher.fetchAll(List.of(info), sandbox);
        fetcher.fetchAll(List.of(info), second);

        assertEquals(1, downloads.get());
        assertArrayEquals(CONTENT, Files.readAllBytes(second.resolve("a.txt")));
        assertArrayEquals(CONTENT, Files.readAllBytes(cache.resolve(sha256(CONTENT))));
    }

    @Test
    void aDamagedCacheEntryIsFetchedAgain() throws Exception {
        Fetcher fetcher = fetcher(1024, 1024);
        UriInfo info = uri(url("a.txt"), sha256(CONTENT), false);
        fetcher.fetchAll(List.of(info), sandbox);
        Files.writeString(cache.resolve(sha256(CONTENT)), "damaged");

        Path second = Files.createDirectories(dir.resolve("sandbox2"));
        fetcher.fetchAll(List.of(info), second);

        assertEquals(2, downloads.get());
        assertArrayEquals(CONTENT, Files.readAllBytes(second.resolve("a.txt")));
        assertArrayEquals(CONTENT, Files.readAllBytes(cache.resolve(sha256(CONTENT))));
    }

    @Test
    void withoutSha256NothingIsCached() throws Exception {
        Fetcher fetcher = fetcher(1024, 1024);
        fetcher.fetchAll(List.of(uri(url("a.txt"), null, false)), sandbox);
        fetcher.fetchAll(List.of(uri(url("a.txt"), null, false)), Files.createDirectories(dir.resolve("sandbox2")));

        assertEquals(2, downloads.get());
    }

    @Test
    void theCacheEvictsTheLeastRecentlyUsedBeyondItsSize() throws Exception {
        byte[] other = "other content\n".getBytes(StandardCharsets.UTF_8);
        Path a = Files.write(dir.resolve("a.txt"), CONTENT);
        Path b = Files.write(dir.resolve("b.txt"), other);
        // Room for one of the two files only.
        Fetcher fetcher = fetcher(1024, CONTENT.length + 1);

        fetcher.fetchAll(List.of(uri(a.toUri().toString(), sha256(CONTENT), false)), sandbox);
        clock.advanceMs(1_000);
        fetcher.fetchAll(List.of(uri(b.toUri().toString(), sha256(other), false)), Files.createDirectories(dir.resolve("s2")));

        assertFalse(Files.exists(cache.resolve(sha256(CONTENT))));
        assertTrue(Files.exists(cache.resolve(sha256(other))));
    }

    @Test
    void aFileOverTheSizeLimitFailsClearly() throws Exception {
        String url = url("big.bin");

        IOException e = assertThrows(IOException.class, () -> fetcher(1024, 1024).fetchAll(List.of(uri(url, null, false)), sandbox));
        assertEquals("cannot fetch " + url + ": larger than the limit of 1024 bytes", e.getMessage());
        assertEquals(List.of(), entries(sandbox));
    }

    @Test
    void aLocalFileOverTheSizeLimitFailsClearly() throws Exception {
        Path source = Files.write(dir.resolve("big.bin"), new byte[2048]);

        assertTrue(assertThrows(IOException.class, () -> fetcher(1024, 1024).fetchAll(List.of(uri(source.toUri().toString(), null, false)), sandbox))
                .getMessage().contains("larger than the limit of 1024 bytes"));
        assertEquals(List.of(), entries(sandbox));
    }

    @Test
    void unsupportedSchemesAndBadNamesAreRejected() throws Exception {
        Fetcher fetcher = fetcher(1024, 1024);

        assertTrue(assertThrows(IOException.class, () -> fetcher.fetchAll(List.of(uri("ftp://host/x", null, false)), sandbox))
                .getMessage().contains("only file://, http:// and https:// URIs are supported"));
        assertTrue(assertThrows(IOException.class, () -> fetcher.fetchAll(List.of(uri("file://host/x", null, false)), sandbox))
                .getMessage().contains("not a local file URL"));
        assertTrue(assertThrows(IOException.class, () -> fetcher.fetchAll(List.of(uri(url("stdout"), null, false)), sandbox))
                .getMessage().contains("not a valid file name"));
        assertTrue(assertThrows(IOException.class, () -> fetcher.fetchAll(List.of(uri(url("a.txt"), "xyz", false)), sandbox))
                .getMessage().contains("must be 64 hex digits"));
    }
}
