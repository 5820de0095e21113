package io.drover.job.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactServerTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<byte[]> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesAPublishedFileByItsHashUntilEveryPublisherWithdrewIt() throws Exception {
        byte[] content = "plan bytes".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("r1.plan"), content);
        String sha = JobLauncher.sha256(file);
        try (ArtifactServer server = new ArtifactServer("127.0.0.1:0")) {
            String url = server.publish(file, sha, "plan");
            assertTrue(url.matches("http://127\\.0\\.0\\.1:\\d+/artifacts/" + sha + "\\.plan"), url);
            HttpResponse<byte[]> r = get(url);
            assertEquals(200, r.statusCode());
            assertArrayEquals(content, r.body());
            // The same content published twice (a second run of the same plan) stays until both withdrew it.
            server.publish(file, sha, "plan");
            server.withdraw(sha);
            assertEquals(200, get(url).statusCode());
            assertEquals(404, get(server.url(sha, "jar")).statusCode(), "the kind is part of the name");
            assertEquals(404, get(url.replace(sha, "0".repeat(64))).statusCode());
            assertEquals(404, get(url.replace("/artifacts/", "/artifacts/../")).statusCode());
            server.withdraw(sha);
            assertEquals(404, get(url).statusCode());
        }
    }

    @Test
    void aBadListenAddressIsOneLineOfWhy() {
        assertEquals("httpListen must be host:port, was 'nope'", ArtifactServer.problem("nope"));
        assertEquals("httpListen's port must be 0 to 65535, was 'h:70000'", ArtifactServer.problem("h:70000"));
        assertEquals(null, ArtifactServer.problem("0.0.0.0:0"));
    }
}
