package io.drover.job.local;

import io.drover.job.serde.Serde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a finished job produced.
 *
 * @param jobId the run's id (the sink's job id)
 * @param stages per-stage statistics, by stage id
 * @param count for a count job, the number of records; otherwise -1
 * @param collected for a collect job, the encoded records in task order; otherwise empty
 */
public record JobResult(String jobId, List<StageStats> stages, long count, List<byte[]> collected) {

    /**
     * Statistics of one stage.
     *
     * @param failedAttempts attempts that failed and were retried
     * @param bytesOut map output bytes written (after compression)
     */
    public record StageStats(int stage, String description, int tasks, long recordsOut, long bytesOut, int spills,
            int failedAttempts, long elapsedMs) {}

    /** The collected records, decoded. */
    public <T> List<T> collected(Serde<T> serde) {
        List<T> out = new ArrayList<>(collected.size());
        try {
            for (byte[] b : collected) {
                out.add(serde.read(b, 0, b.length));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public int totalSpills() {
        return stages.stream().mapToInt(StageStats::spills).sum();
    }

    public int totalFailedAttempts() {
        return stages.stream().mapToInt(StageStats::failedAttempts).sum();
    }
}
