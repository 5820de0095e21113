package io.drover.job.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.executor.ChronicleFlags;
import io.drover.job.executor.ExecutorClassWarmup;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real archive built by a real JVM: served by its SHA-256, and taken by a JVM that starts with
 * the flag executors get, from a directory holding the fetched file (as an executor's sandbox does).
 */
class ExecutorClassArchiveTest {
    @TempDir
    Path state;
    @TempDir
    Path sandbox;

    @TempDir
    Path jars;

    /** The class path with each directory (a module's classes in the build) turned into a jar, as installed. */
    private String jarsOnly(String classPath) throws Exception {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.isDirectory(p)) {
                entries.add(entry);
                continue;
            }
            Path jar = jars.resolve("dir-" + (n++) + ".jar");
            try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
                    java.util.stream.Stream<Path> files = Files.walk(p)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new java.util.jar.JarEntry(p.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    @Test
    void aClassPathWithADirectoryGetsNoArchive() throws Exception {
        try (ArtifactServer server = new ArtifactServer("127.0.0.1:0");
                ExecutorClassArchive archive = new ExecutorClassArchive(state, sandbox.toString(), server)) {
            await("gave up").atMost(Duration.ofSeconds(30)).until(() -> !archive.building());
            assertEquals(null, archive.ready());
        }
    }

    @Test
    void isBuiltServedAndMappedByAJvmStartedWithTheExecutorsFlag() throws Exception {
        String classPath = jarsOnly(System.getProperty("java.class.path"));
        try (ArtifactServer server = new ArtifactServer("127.0.0.1:0");
                ExecutorClassArchive archive = new ExecutorClassArchive(state, classPath, server)) {
            await("archive built").atMost(Duration.ofSeconds(150)).until(() -> !archive.building());
            assertNotNull(archive.ready(), "built; see " + state.resolve("cds"));
            ExecutorClassArchive.Ready ready = archive.ready();
            String sha256 = ready.uri().sha256();
            assertEquals("-XX:SharedArchiveFile=" + sha256 + ".jsa", ready.jvmFlag());
            assertTrue(ready.uri().value().endsWith("/artifacts/" + sha256 + ".jsa"), ready.uri().value());

            HttpResponse<Path> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ready.uri().value())).build(),
                    HttpResponse.BodyHandlers.ofFile(sandbox.resolve(sha256 + ".jsa")));
            assertEquals(200, fetched.statusCode());
            assertEquals(sha256, JobLauncher.sha256(fetched.body()));

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add(ready.jvmFlag());
            command.add("-Xlog:cds=info");
            command.addAll(ChronicleFlags.JVM_ARGS);
            command.add("-cp");
            command.add(classPath);
            command.add(ExecutorClassWarmup.class.getName());
            Path log = sandbox.resolve("out.log");
            Process p = new ProcessBuilder(command).directory(sandbox.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            String out = Files.readString(log);
            assertEquals(0, p.exitValue(), out);
            assertFalse(out.contains("Unable to use shared archive"), out);
            assertTrue(out.contains("Mapped dynamic region"), out);
        }
        assertNotNull(Files.list(state.resolve("cds")).filter(f -> f.toString().endsWith(".jsa")).findFirst().orElse(null),
                "kept in the state directory for the next service");
    }
}
