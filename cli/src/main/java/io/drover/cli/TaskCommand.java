package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code drover task ...}: one task, found through the master's HTTP API. */
@Command(name = "task", mixinStandardHelpOptions = true, description = "Look at one task.",
        subcommands = {TaskCommand.Logs.class})
final class TaskCommand {

    /** {@code drover task logs TASK_ID}: the task's output, read from its agent's HTTP server. */
    @Command(name = "logs", mixinStandardHelpOptions = true,
            description = "Print a task's stdout (or stderr), fetched from the agent it runs on; --follow keeps printing until it ends.")
    static final class Logs implements Callable<Integer> {
        /** Time between polls while following: new output is printed at most this late. */
        static final Duration POLL_INTERVAL = Duration.ofMillis(500);
        /** Most pages of the master's task list searched: 1,000 tasks each. */
        private static final int MAX_PAGES = 100;
        private static final int PAGE = 1_000;
        private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "KILLED", "ERROR", "LOST", "DROPPED", "GONE");
        private static final Duration TIMEOUT = Duration.ofSeconds(10);
        private static final ObjectMapper MAPPER = new ObjectMapper();

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--master", paramLabel = "URL",
                description = "the master's HTTP address, as http://host:5050 (default: found in drover.master-log)")
        String master;

        @Parameters(paramLabel = "TASK_ID", description = "the task")
        String taskId;

        @Option(names = "--framework", paramLabel = "FW", description = "the task's framework, when several have a task of that id")
        String framework;

        @Option(names = "--stderr", description = "print stderr instead of stdout")
        boolean stderr;

        @Option(names = "--tail", paramLabel = "N", description = "only the last N bytes (at most 1 MiB)")
        Long tail;

        @Option(names = "--follow", description = "keep printing new output until the task ends")
        boolean follow;

        private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

        @Override
        public Integer call() throws Exception {
            if (tail != null && (tail < 0 || tail > 1024 * 1024)) {
                throw new ParameterException(spec.commandLine(), "--tail must be in [0, 1048576], was " + tail);
            }
            ClusterCommand masterApi = new ClusterCommand();
            masterApi.cluster = cluster;
            masterApi.master = master;
            JsonNode task = findTask(masterApi);
            if (task == null) {
                System.err.println("drover: error: the master knows no task " + taskId
                        + (framework != null ? " of framework " + framework : "")
                        + " (if it ended long ago, the master has forgotten it; its sandbox stays on its agent until garbage-collected)");
                return 1;
            }
            String frameworkId = task.get("frameworkId").asText();
            String agentId = task.get("agentId").asText();
            String agentAddress = agentAddress(masterApi, agentId);
            String file = stderr ? "stderr" : "stdout";
            String base = "http://" + agentAddress + "/api/v1/sandboxes/" + enc(frameworkId) + "/" + enc(taskId) + "/" + file;

            JsonNode chunk = fetch(base + (tail != null ? "?tail=" + tail : "?offset=0"), agentId);
            long offset = print(chunk);
            // Without --tail the file as it was is printed, a chunk at a time; --follow does the rest.
            long sizeAtStart = chunk.get("size").asLong();
            while (tail == null && chunk.get("length").asLong() > 0 && offset < sizeAtStart) {
                chunk = fetch(base + "?offset=" + offset, agentId);
                offset = print(chunk);
            }
            if (!follow) {
                return 0;
            }
            while (true) {
                chunk = fetch(base + "?offset=" + offset, agentId);
                if (chunk.get("size").asLong() < offset) {
                    // The file rolled over: the new one starts from the beginning.
                    chunk = fetch(base + "?offset=0", agentId);
                }
                offset = print(chunk);
                if (chunk.get("length").asLong() > 0) {
                    continue;
                }
                JsonNode now = findTask(masterApi);
                if (now == null || TERMINAL.contains(now.get("state").asText())) {
                    // Ended: whatever it wrote before ending is in the file now.
                    do {
                        chunk = fetch(base + "?offset=" + offset, agentId);
                        offset = print(chunk);
                    } while (chunk.get("length").asLong() > 0);
                    return 0;
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
        }

        /** Prints the chunk's data and returns the offset after it. */
        private static long print(JsonNode chunk) {
            System.out.print(chunk.get("data").asText());
            System.out.flush();
            return chunk.get("offset").asLong() + chunk.get("length").asLong();
        }

        private JsonNode findTask(ClusterCommand masterApi) {
            List<JsonNode> found = new ArrayList<>();
            for (int page = 0; page < MAX_PAGES; page++) {
                String q = "/api/v1/tasks?limit=" + PAGE + "&offset=" + (page * PAGE)
                        + (framework != null ? "&framework=" + enc(framework) : "");
                JsonNode body = masterApi.get(q);
                for (JsonNode t : body.get("tasks")) {
                    if (t.get("taskId").asText().equals(taskId)) {
                        found.add(t);
                    }
                }
                if ((long) (page + 1) * PAGE >= body.get("total").asLong()) {
                    break;
                }
            }
            if (found.size() > 1) {
                List<String> fws = found.stream().map(t -> t.get("frameworkId").asText()).toList();
                throw new ParameterException(spec.commandLine(), "task " + taskId + " exists in frameworks " + String.join(", ", fws)
                        + "; name one with --framework");
            }
            return found.isEmpty() ? null : found.get(0);
        }

        private static String agentAddress(ClusterCommand masterApi, String agentId) {
            for (int page = 0; page < MAX_PAGES; page++) {
                JsonNode body = masterApi.get("/api/v1/agents?limit=" + PAGE + "&offset=" + (page * PAGE));
                for (JsonNode a : body.get("agents")) {
                    if (a.get("id").asText().equals(agentId)) {
                        String address = a.path("httpAddress").asText("");
                        if (address.isEmpty()) {
                            throw new IllegalStateException("agent " + agentId + " serves no task logs over HTTP (it runs with --http-listen \"\" or is older)");
                        }
                        return address;
                    }
                }
                if ((long) (page + 1) * PAGE >= body.get("total").asLong()) {
                    break;
                }
            }
            throw new IllegalStateException("agent " + agentId + " of task is no longer registered with the master; its logs cannot be fetched");
        }

        private JsonNode fetch(String url, String agentId) {
            HttpResponse<String> response;
            try {
                response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot reach agent " + agentId + " at " + url + ": " + Main.userMessage(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (response.statusCode() == 404) {
                throw new IllegalStateException("agent " + agentId + " has no " + (stderr ? "stderr" : "stdout") + " for task " + taskId
                        + " (its sandbox was not created or was garbage-collected)");
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("agent " + agentId + " answered " + response.statusCode() + " for " + url + ": " + response.body());
            }
            try {
                return MAPPER.readTree(response.body());
            } catch (IOException e) {
                throw new IllegalStateException("agent " + agentId + " answered something that is not JSON for " + url, e);
            }
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
