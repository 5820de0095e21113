package io.drover.job.service;

import io.drover.api.scheduler.TaskSpec;
import io.drover.executor.ChronicleFlags;
import io.drover.job.executor.ExecutorClassWarmup;
import io.drover.job.executor.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data-sharing archive of the job executor's start-up classes, so that executors start
 * faster: built once per JDK and executor class path, in the background, by a JVM that runs
 * {@link ExecutorClassWarmup} with {@code -XX:ArchiveClassesAtExit}
 * ({@code <stateDir>/cds/<key>.jsa}, kept across service restarts), then served by the
 * {@link ArtifactServer}. Once it is ready, executors list it among their URIs (agents cache it by
 * its SHA-256, so each fetches it once) and start with {@code -XX:SharedArchiveFile=<sha256>.jsa}
 * from their sandbox. A JVM that cannot use it (another JDK build or class path on that agent)
 * says so in one warning line and starts as without it; a failed build is logged and executors
 * start without an archive. Thread-safe.
 */
final class ExecutorClassArchive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorClassArchive.class);
    /** Longest the building JVM may run. */
    static final long BUILD_TIMEOUT_MS = 120_000;

    /** The archive as executors use it. */
    record Ready(TaskSpec.Uri uri, String jvmFlag) {}

    private final Path file;
    private final String classPath;
    private final ArtifactServer artifacts;
    private final Thread builder;
    private volatile Ready ready;
    private volatile Process process;

    /** Starts building (or finding) the archive for executors on {@code classPath}; see {@link #ready()}. */
    ExecutorClassArchive(Path stateDir, String classPath, ArtifactServer artifacts) {
        this.classPath = classPath;
        this.artifacts = artifacts;
        this.file = stateDir.resolve("cds").resolve(key(classPath) + ".jsa");
        this.builder = new Thread(this::build, "drover-executor-class-archive");
        builder.setDaemon(true);
        builder.start();
    }

    /** Whether it is still being built (or looked for). */
    boolean building() {
        return builder.isAlive();
    }

    /** The archive once built and published; null before, or when it could not be built. */
    Ready ready() {
        return ready;
    }

    /** Names the archive by what it depends on: the JDK build and the class path. */
    private static String key(String classPath) {
        String what = System.getProperty("java.home") + "\n" + System.getProperty("java.vm.version") + "\n" + classPath;
        return Sha256.of(what.getBytes(StandardCharsets.UTF_8)).substring(0, 24);
    }

    private void build() {
        long started = System.nanoTime();
        try {
            for (String entry : classPath.split(java.io.File.pathSeparator)) {
                if (!entry.isEmpty() && Files.isDirectory(Path.of(entry))) {
                    // The JVM archives classes of jars only and refuses to dump otherwise (a build tree, tests).
                    LOG.info("executors start without a class archive: their class path has a directory ({})", entry);
                    return;
                }
            }
            if (!Files.isRegularFile(file)) {
                Files.createDirectories(file.getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.deleteIfExists(tmp);
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.add("-XX:ArchiveClassesAtExit=" + tmp);
                command.addAll(ChronicleFlags.JVM_ARGS);
                command.add("-cp");
                command.add(classPath);
                command.add(ExecutorClassWarmup.class.getName());
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(file.resolveSibling(file.getFileName() + ".log").toFile()).start();
                process = p;
                if (!p.waitFor(BUILD_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("the JVM building it ran longer than " + BUILD_TIMEOUT_MS + " ms");
                }
                if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
                    throw new IOException("the JVM building it exited with code " + p.exitValue() + " (see " + file + ".log)");
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            String sha256 = JobLauncher.sha256(file);
            String url = artifacts.publish(file, sha256, "jsa");
            ready = new Ready(new TaskSpec.Uri(url, sha256, false, null), "-XX:SharedArchiveFile=" + sha256 + ".jsa");
            LOG.info("executors start with the class archive {} ({} MiB, ready after {} ms)", file, Files.size(file) >> 20,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            LOG.warn("executors start without a class archive: cannot build {}: {}", file, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops a build still running; what was built stays. */
    @Override
    public void close() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
        builder.interrupt();
    }
}
