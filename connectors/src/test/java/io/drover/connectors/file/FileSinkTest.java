package io.drover.connectors.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit mechanism with a format other than text: fixed-width longs in ".bin" files. */
class FileSinkTest {

    @TempDir
    Path dir;

    /** A hand-written format: each record is 8 bytes. */
    static final class LongFormat implements FileFormat<Long> {
        @Override
        public Writer<Long> newWriter(OutputStream out) {
            DataOutputStream data = new DataOutputStream(out);
            return new Writer<>() {
                @Override
                public void write(Long record) throws IOException {
                    data.writeLong(record);
                }

                @Override
                public void close() throws IOException {
                    data.close();
                }
            };
        }

        @Override
        public String extension() {
            return ".bin";
        }
    }

    private List<String> tree(Path output) throws IOException {
        try (Stream<Path> walk = Files.walk(output)) {
            return walk.filter(Files::isRegularFile).map(p -> output.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void anyFormatCommitsTheSameWay() throws IOException {
        Path output = dir.resolve("out");
        JobCommitter<Long> job = new FileSink<>(FileSinkConfig.of(output), new LongFormat()).beginJob("j");
        for (String task : List.of("b", "a", "7")) {
            try (Writer<Long> writer = job.openWriter(task, 0)) {
                writer.write(1L);
                writer.write(2L);
            }
            assertTrue(job.commitTask(task, 0));
        }
        job.commitJob();
        assertEquals(List.of("_SUCCESS", "part-00000.bin", "part-00001.bin", "part-00002.bin"), tree(output));
        assertEquals(16, Files.size(output.resolve("part-00002.bin")));
    }

    @Test
    void concurrentCommitsOfOneTaskHaveOneWinner() throws Exception {
        Path output = dir.resolve("out");
        JobCommitter<Long> job = new FileSink<>(FileSinkConfig.of(output), new LongFormat()).beginJob("j");
        int attempts = 8;
        for (int a = 0; a < attempts; a++) {
            try (Writer<Long> writer = job.openWriter("0", a)) {
                writer.write((long) a);
            }
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int a = 0; a < attempts; a++) {
                int attempt = a;
                Callable<Boolean> commit = () -> {
                    start.await();
                    return job.commitTask("0", attempt);
                };
                results.add(pool.submit(commit));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> result : results) {
                winners += result.get() ? 1 : 0;
            }
            assertEquals(1, winners);
        } finally {
            pool.shutdownNow();
        }
        job.commitJob();
        assertEquals(List.of("_SUCCESS", "part-00000.bin"), tree(output));
        assertFalse(Files.exists(output.resolve("_temporary")));
    }

    @Test
    void numericTaskIdsSortNumerically() {
        List<String> ids = new ArrayList<>(List.of("b", "10", "2", "a", "002", "1"));
        ids.sort(FileJobCommitter::compareTaskIds);
        assertEquals(List.of("1", "002", "2", "10", "a", "b"), ids);
    }

    @Test
    void theSuccessMarkerTellsWhichJobCommitted() throws IOException {
        Path output = dir.resolve("marked");
        FileSink<Long> sink = new FileSink<>(FileSinkConfig.of(output), new LongFormat());
        assertFalse(sink.committed("run-1"), "nothing there yet");
        JobCommitter<Long> job = sink.beginJob("run-1");
        try (Writer<Long> writer = job.openWriter("0", 0)) {
            writer.write(7L);
        }
        assertTrue(job.commitTask("0", 0));
        assertFalse(sink.committed("run-1"), "tasks committed, the job not yet");
        job.commitJob();
        assertTrue(sink.committed("run-1"));
        assertFalse(sink.committed("run-2"), "another job's marker");
        Files.write(output.resolve("_SUCCESS"), new byte[0]);
        assertFalse(sink.committed("run-1"), "an empty marker, as other writers leave, names no job");
    }
}
