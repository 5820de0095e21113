package io.drover.job.shuffle;

import java.nio.file.Path;

/**
 * Where map outputs live under a work directory: {@code shuffle/s<stage>/m<map>-a<attempt>.data}
 * and {@code .index}. The attempt is in the name, so a retried or speculative attempt never
 * overwrites another's output; the scheduler records which attempt of each map task succeeded
 * ({@link MapOutputs}) and reducers read that one.
 */
public final class ShuffleFiles {

    private ShuffleFiles() {}

    public static Path stageDir(Path workDir, int stage) {
        return workDir.resolve("shuffle").resolve("s" + stage);
    }

    public static Path data(Path workDir, int stage, int map, int attempt) {
        return stageDir(workDir, stage).resolve("m" + map + "-a" + attempt + ".data");
    }

    public static Path index(Path workDir, int stage, int map, int attempt) {
        return stageDir(workDir, stage).resolve("m" + map + "-a" + attempt + ".index");
    }

    /** Where one attempt spills its sorted runs; deleted when the attempt ends. */
    public static Path spillDir(Path workDir, int stage, int map, int attempt) {
        return workDir.resolve("spill").resolve("s" + stage + "-m" + map + "-a" + attempt);
    }
}
