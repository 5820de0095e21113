package io.drover.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists this machine's NVIDIA GPUs by running {@code nvidia-smi} as a process, bounded in time and
 * in the output it reads. Every failure (no such command, a non-zero exit, a timeout, output that
 * does not parse) means no GPUs and a log line, never an exception; the same failure again is
 * logged at debug only, so that a periodic probe does not flood the log.
 *
 * <p>Thread-safe: one run at a time.
 */
final class NvidiaSmi {
    private static final Logger LOG = LoggerFactory.getLogger(NvidiaSmi.class);
    /** How long one run of nvidia-smi may take before it is killed. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Most bytes of output read; far more than {@link NvidiaSmiParser#MAX_GPUS} lines need. */
    static final int MAX_OUTPUT_BYTES = 64 * 1024;
    static final List<String> QUERY = List.of("--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits");

    private final String command;
    private final Duration timeout;
    private String lastProblem = "";
    private List<NvidiaSmiParser.Gpu> lastGpus = List.of();

    /**
     * @param command the nvidia-smi executable: a name looked up on the PATH, or a path
     * @param timeout how long one run may take; at least 1 ms
     */
    NvidiaSmi(String command, Duration timeout) {
        this.command = Objects.requireNonNull(command, "command");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, was " + timeout);
        }
    }

    /** The GPUs nvidia-smi lists; empty when it is missing, fails, hangs or prints garbage. */
    synchronized List<NvidiaSmiParser.Gpu> gpus() {
        Path out;
        try {
            out = Files.createTempFile("drover-nvidia-smi", ".csv");
        } catch (IOException e) {
            return problem(true, "cannot create a file for nvidia-smi's output: " + e);
        }
        try {
            return run(out);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                LOG.debug("cannot delete {}: {}", out, e.toString());
            }
        }
    }

    private List<NvidiaSmiParser.Gpu> run(Path out) {
        Process process;
        try {
            process = new ProcessBuilder(command, QUERY.get(0), QUERY.get(1))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            // The usual case on a machine without NVIDIA drivers: not worth a warning.
            return problem(false, "'" + command + "' cannot be run (" + e.getMessage() + "); reporting no GPUs");
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return problem(true, "'" + command + "' did not finish within " + timeout.toMillis() + " ms; killed it, reporting no GPUs");
            }
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return problem(true, "interrupted while waiting for '" + command + "'; reporting no GPUs");
        }
        if (process.exitValue() != 0) {
            return problem(true, "'" + command + "' exited with " + process.exitValue() + "; reporting no GPUs");
        }
        String text;
        try (InputStream in = Files.newInputStream(out)) {
            byte[] bytes = in.readNBytes(MAX_OUTPUT_BYTES + 1);
            if (bytes.length > MAX_OUTPUT_BYTES) {
                return problem(true, "'" + command + "' printed more than " + MAX_OUTPUT_BYTES + " bytes; reporting no GPUs");
            }
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return problem(true, "cannot read the output of '" + command + "': " + e + "; reporting no GPUs");
        }
        try {
            List<NvidiaSmiParser.Gpu> gpus = NvidiaSmiParser.parse(text);
            if (!gpus.equals(lastGpus)) {
                LOG.info("nvidia-smi lists {} GPUs: {}", gpus.size(), gpus);
            }
            lastProblem = "";
            lastGpus = gpus;
            return gpus;
        } catch (IllegalArgumentException e) {
            return problem(true, "cannot read the output of '" + command + "': " + e.getMessage() + "; reporting no GPUs");
        }
    }

    private List<NvidiaSmiParser.Gpu> problem(boolean warn, String message) {
        if (message.equals(lastProblem)) {
            LOG.debug(message);
        } else if (warn) {
            LOG.warn(message);
        } else {
            LOG.info(message);
        }
        lastProblem = message;
        lastGpus = List.of();
        return List.of();
    }
}
