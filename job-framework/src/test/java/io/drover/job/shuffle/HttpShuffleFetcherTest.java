package io.drover.job.shuffle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP fetcher against a server that serves blocks as the agent does (byte range from the
 * index, compression id in a header): an empty block, a small one read in memory, a large one
 * downloaded to a file that is gone once read, and a missing output as a fetch failure.
 */
class HttpShuffleFetcherTest {

    @TempDir
    Path dir;
    HttpServer server;
    final List<byte[]> large = new ArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        Path work = dir.resolve("work");
        Random random = new Random(3);
        try (MapOutputWriter w = new MapOutputWriter(3, null, ShuffleConfig.defaults(), dir.resolve("spill"))) {
            w.add(0, new byte[0], 0, 0, "small".getBytes(), 0, 5);
            for (int i = 0; i < 200; i++) {
                byte[] v = new byte[8192];
                random.nextBytes(v);
                large.add(v);
                w.add(2, new byte[0], 0, 0, v, 0, v.length);
            }
            Files.createDirectories(ShuffleFiles.stageDir(work, 0));
            w.commit(ShuffleFiles.data(work, 0, 0, 0), ShuffleFiles.index(work, 0, 0, 0));
        }
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/api/v1/shuffle/fw/job/0/0/", exchange -> {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            int attempt = Integer.parseInt(parts[parts.length - 2]);
            int partition = Integer.parseInt(parts[parts.length - 1]);
            Path index = ShuffleFiles.index(work, 0, 0, attempt);
            if (!Files.exists(index)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            ShuffleIndex ix;
            try (InputStream in = Files.newInputStream(index)) {
                ix = ShuffleIndex.read(in, index.toString());
            }
            exchange.getResponseHeaders().add("X-Drover-Compression", Integer.toString(ix.compression().id));
            long length = ix.length(partition);
            exchange.sendResponseHeaders(200, length == 0 ? -1 : length);
            try (FileChannel ch = FileChannel.open(ShuffleFiles.data(work, 0, 0, attempt));
                    OutputStream out = exchange.getResponseBody()) {
                ch.position(ix.start(partition));
                Channels.newInputStream(ch).transferTo(new OutputStream() {
                    long left = length;

                    @Override
                    public void write(int b) throws java.io.IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws java.io.IOException {
                        int n = (int) Math.min(len, left);
                        out.write(b, off, n);
                        left -= n;
                    }
                });
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsEmptySmallAndLargeBlocksAndReportsMissingOutputs() throws Exception {
        Path spill = dir.resolve("fetch");
        HttpShuffleFetcher fetcher = new HttpShuffleFetcher.Factory(HttpShuffleFetcher.newClient()).forJob("fw", "job", spill);
        String agent = "localhost:" + server.getAddress().getPort();
        try (RecordStream s = fetcher.fetch(agent, 0, 0, 0, 1)) {
            assertFalse(s.next(), "an empty block is an empty stream");
        }
        try (RecordStream s = fetcher.fetch(agent, 0, 0, 0, 0)) {
            s.next();
            assertEquals("small", new String(s.value(), 0, s.valueLength()));
            assertFalse(s.next());
        }
        try (RecordStream s = fetcher.fetch(agent, 0, 0, 0, 2)) {
            for (byte[] v : large) {
                s.next();
                assertArrayEquals(v, java.util.Arrays.copyOf(s.value(), s.valueLength()));
            }
            assertFalse(s.next());
        }
        try (Stream<Path> left = Files.list(spill)) {
            assertEquals(0, left.count(), "a downloaded block is deleted once read");
        }
        ShuffleFetchException missing = assertThrows(ShuffleFetchException.class, () -> fetcher.fetch(agent, 0, 0, 1, 0));
        assertEquals(0, missing.map());
        server.stop(0);
        assertThrows(ShuffleFetchException.class, () -> fetcher.fetch(agent, 0, 0, 0, 0), "an agent that is gone");
    }
}
