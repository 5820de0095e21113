package io.drover.job.shuffle;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges many ordered streams while holding at most {@link ShuffleConfig#mergeFanIn} open at once:
 * a reducer of a stage with more map tasks than that first merges them in groups into local runs
 * (compressed as the shuffle is), then merges the runs. This bounds a reducer's read buffers
 * whatever the number of map tasks.
 */
public final class BoundedMerge {

    /** Opens the {@code i}-th input stream. */
    @FunctionalInterface
    public interface Opener {
        RecordStream open() throws IOException;
    }

    private BoundedMerge() {}

    /**
     * The merge of {@code inputs} in {@code order}.
     *
     * @param runDir where intermediate runs go when there are more inputs than the fan-in; the
     *     caller deletes it after closing the result
     */
    public static MergedStream merge(List<Opener> inputs, KeyOrder order, ShuffleConfig config, Path runDir)
            throws IOException {
        List<Opener> pending = new ArrayList<>(inputs);
        int runs = 0;
        while (pending.size() > config.mergeFanIn()) {
            List<Opener> group = new ArrayList<>(pending.subList(0, config.mergeFanIn()));
            pending.subList(0, config.mergeFanIn()).clear();
            Files.createDirectories(runDir);
            Path run = runDir.resolve("run-" + runs++);
            try (MergedStream merged = new MergedStream(openAll(group), order);
                    OutputStream file = new BufferedOutputStream(Files.newOutputStream(run), 64 << 10);
                    OutputStream block = config.compression().compress(file)) {
                while (merged.next()) {
                    RecordStream s = merged.current();
                    RecordStream.write(block, s.key(), 0, s.keyLength(), s.value(), 0, s.valueLength());
                }
            }
            Compression compression = config.compression();
            pending.add(() -> new RecordStream(compression.decompress(
                    new BufferedInputStream(Files.newInputStream(run), 8 << 10))));
        }
        return new MergedStream(openAll(pending), order);
    }

    private static List<RecordStream> openAll(List<Opener> openers) throws IOException {
        List<RecordStream> streams = new ArrayList<>(openers.size());
        try {
            for (Opener o : openers) {
                streams.add(o.open());
            }
            return streams;
        } catch (IOException | RuntimeException e) {
            for (RecordStream s : streams) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }
}
