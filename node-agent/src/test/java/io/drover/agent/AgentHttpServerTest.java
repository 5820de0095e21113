package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentHttpServerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path root;

    private AgentHttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        Path sandbox = Files.createDirectories(root.resolve("fw/t1"));
        Files.writeString(sandbox.resolve("stdout"), "0123456789");
        Path second = Files.createDirectories(root.resolve("fw/t1~2"));
        Files.writeString(second.resolve("stdout"), "second run");
        Files.writeString(second.resolve("stderr"), "h\u00e9llo");
        Files.writeString(root.resolve("secret"), "not for you");
        Path index = Files.createDirectories(root.resolve("shuffle/fw/job-1/shuffle/s0"));
        java.io.ByteArrayOutputStream ix = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(ix);
        d.writeInt(0x44525349);
        d.writeInt(1);
        d.writeInt(0);
        d.writeInt(3);
        for (long o : new long[] {0, 5, 5, 9}) {
            d.writeLong(o);
        }
        Files.write(index.resolve("m2-a1.index"), ix.toByteArray());
        Files.writeString(index.resolve("m2-a1.data"), "helloabcd");
        server = new AgentHttpServer(new HttpListen("localhost", 0), root, root.resolve("shuffle"), "test");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), r.body());
        return MAPPER.readTree(r.body());
    }

    @Test
    void servesByteRangesOfTheLatestRun() throws Exception {
        assertEquals(404, get("/api/v1/sandboxes/fw/t1~3/stdout").statusCode());
        assertEquals("6789", json("/api/v1/sandboxes/fw/t1~1/stdout?tail=4").get("data").asText());
        JsonNode whole = json("/api/v1/sandboxes/fw/t1~2/stdout");
        assertEquals("second run", whole.get("data").asText());
        JsonNode latest = json("/api/v1/sandboxes/fw/t1/stdout?offset=7&length=2");
        assertEquals(7, latest.get("offset").asLong());
        assertEquals(2, latest.get("length").asInt());
        assertEquals("ru", latest.get("data").asText());
        assertEquals(10, latest.get("size").asLong());
        JsonNode past = json("/api/v1/sandboxes/fw/t1/stdout?offset=50");
        assertEquals("", past.get("data").asText());
        assertEquals(0, past.get("length").asInt());
    }

    @Test
    void servesTheTail() throws Exception {
        JsonNode tail = json("/api/v1/sandboxes/fw/t1~2/stdout?tail=3");
        assertEquals("run", tail.get("data").asText());
        assertEquals(7, tail.get("offset").asLong());
        JsonNode all = json("/api/v1/sandboxes/fw/t1~2/stdout?tail=1000");
        assertEquals("second run", all.get("data").asText());
        JsonNode err = json("/api/v1/sandboxes/fw/t1~2/stderr");
        assertEquals("h\u00e9llo", err.get("data").asText());
    }

    @Test
    void unknownTasksFilesAndPathTricksAre404() throws Exception {
        assertEquals(404, get("/api/v1/sandboxes/fw/nope/stdout").statusCode());
        assertEquals(404, get("/api/v1/sandboxes/fw/t1/secret").statusCode());
        assertEquals(404, get("/api/v1/sandboxes/fw/t1/stdout.1").statusCode());
        assertEquals(404, get("/api/v1/sandboxes/fw/../secret").statusCode());
        assertEquals(404, get("/api/v1/sandboxes/fw/%2E%2E/stdout").statusCode());
        assertEquals(404, get("/api/v1/sandboxes/%2E%2E/fw/stdout").statusCode());
        assertEquals(404, get("/api/v1/sandboxes/fw/t1%2Fx/stdout").statusCode());
    }

    @Test
    void badParametersAre400() throws Exception {
        assertEquals(400, get("/api/v1/sandboxes/fw/t1/stdout?offset=-1").statusCode());
        assertEquals(400, get("/api/v1/sandboxes/fw/t1/stdout?length=abc").statusCode());
        assertEquals(400, get("/api/v1/sandboxes/fw/t1/stdout?length=99999999").statusCode());
        assertEquals(400, get("/api/v1/sandboxes/fw/t1/stdout?tail=5&offset=1").statusCode());
    }

    @Test
    void servesAMapOutputBlockThroughItsIndex() throws Exception {
        HttpResponse<String> first = get("/api/v1/shuffle/fw/job-1/0/2/1/0");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("hello", first.body());
        assertEquals("0", first.headers().firstValue(AgentHttpServer.COMPRESSION_HEADER).orElseThrow());
        assertEquals("", get("/api/v1/shuffle/fw/job-1/0/2/1/1").body());
        assertEquals("abcd", get("/api/v1/shuffle/fw/job-1/0/2/1/2").body());
        assertEquals(400, get("/api/v1/shuffle/fw/job-1/0/2/1/3").statusCode());
        assertEquals(404, get("/api/v1/shuffle/fw/job-1/0/2/0/0").statusCode(), "another attempt is not here");
        assertEquals(404, get("/api/v1/shuffle/fw/job-2/0/2/1/0").statusCode());
        assertEquals(400, get("/api/v1/shuffle/fw/job-1/0/x/1/0").statusCode());
    }
}
