package io.drover.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.TaskPhase;
import io.drover.cli.local.LocalCluster;
import io.drover.framework.exec.ExecFramework;
import io.drover.framework.exec.ExecRequest;
import io.drover.framework.exec.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real cluster: a task's output, printed by {@code drover task logs} from its agent. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TaskLogsTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static String masterUrl;
    static ExecutorService pool = Executors.newSingleThreadExecutor();
    static Future<ExecResult> run;
    static String taskId;
    static Path go;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 1, 0);
        masterUrl = "http://" + cluster.master().httpAddress();
        go = dir.resolve("go");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        // Prints, then runs until the test creates the file "go", then prints once more.
        String script = "echo first line; echo second line; echo oops >&2; while [ ! -f '" + go + "' ]; do sleep 0.05; done; echo last line";
        run = pool.submit(() -> new ExecFramework(cluster.bootstrap(), Clock.systemUTC(), new PrintStream(sink, true, StandardCharsets.UTF_8),
                new PrintStream(sink, true, StandardCharsets.UTF_8))
                .run(new ExecRequest("logs", new ResourceSpec(0.25, 32, 0, 0), List.of("sh", "-c", script), Map.of(),
                        Duration.ofSeconds(60), Duration.ofSeconds(30))));
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String body = http.send(HttpRequest.newBuilder(URI.create(masterUrl + "/api/v1/tasks?state=RUNNING")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            JsonNode tasks = new ObjectMapper().readTree(body).get("tasks");
            if (tasks == null || tasks.isEmpty()) {
                return false;
            }
            taskId = tasks.get(0).get("taskId").asText();
            return true;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> drover("task", "logs", taskId, "--master", masterUrl)[1]
                .equals("first line\nsecond line\n"));
    }

    @AfterAll
    static void stop() throws Exception {
        Files.writeString(go, "");
        pool.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Runs the command line with stdout and stderr captured: {exit code, stdout, stderr}. */
    static String[] drover(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            // The cluster runs in this JVM: drop its log lines, which also go to System.out.
            String printed = o.toString(StandardCharsets.UTF_8).replaceAll("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO|WARN|ERROR|DEBUG) .*\\R", "");
            return new String[] {String.valueOf(code), printed, e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    @Order(1)
    void printsTheOutputOfARunningTask() {
        String[] r = drover("task", "logs", taskId, "--master", masterUrl);
        assertEquals("0", r[0], r[2]);
        assertEquals("first line\nsecond line\n", r[1]);

        String[] err = drover("task", "logs", taskId, "--master", masterUrl, "--stderr");
        assertEquals("oops\n", err[1]);

        String[] tail = drover("task", "logs", taskId, "--master", masterUrl, "--tail", "12");
        assertEquals("second line\n", tail[1]);
    }

    @Test
    @Order(2)
    void followingPrintsUntilTheTaskEnds() throws Exception {
        Future<String[]> follow = Executors.newSingleThreadExecutor().submit(
                () -> drover("task", "logs", taskId, "--master", masterUrl, "--follow"));
        Files.writeString(go, "");
        assertEquals(TaskPhase.FINISHED, run.get(60, TimeUnit.SECONDS).phase());
        String[] r = follow.get(60, TimeUnit.SECONDS);
        assertEquals("0", r[0], r[2]);
        assertEquals("first line\nsecond line\nlast line\n", r[1]);
    }

    @Test
    @Order(3)
    void anUnknownTaskIsAOneLineErrorAndBadUsageIsExitTwo() {
        String[] r = drover("task", "logs", "no-such-task", "--master", masterUrl);
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("knows no task no-such-task"), r[2]);
        assertEquals(1, r[2].strip().lines().count());

        assertEquals("2", drover("task", "logs", "--master", masterUrl)[0]);
        assertEquals("2", drover("task", "logs", "x", "--tail", "-1", "--master", masterUrl)[0]);
    }

    @Test
    void anUnreachableMasterIsAOneLineError() {
        String[] r = drover("task", "logs", taskId, "--master", "http://localhost:1");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("drover: error:"), r[2]);
    }
}
