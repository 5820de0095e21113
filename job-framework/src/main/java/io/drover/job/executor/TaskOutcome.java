package io.drover.job.executor;

import io.drover.job.shuffle.ShuffleFetchException;
import io.drover.job.task.TaskFailedException;
import io.drover.job.task.TaskResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a job executor words a task's end in its status message, and how the service reads it back:
 * a success carries the task's counters, a failure caused by a lost map output names it, so the
 * service recomputes that map task.
 *
 * @param records records written; -1 when unknown
 * @param bytes map output bytes written
 * @param spills sorted runs spilled
 * @param fetchStage for a failure, the stage of the map output that could not be fetched, else -1
 * @param fetchMap for a failure, that map task, else -1
 * @param agentHttp for a success, the HTTP address of the agent's shuffle service; may be empty
 * @param shuffleDir for a success, the agent's shuffle directory for the framework on its host,
 *     where the task's map output is (under the job's id); may be empty
 */
public record TaskOutcome(long records, long bytes, int spills, int fetchStage, int fetchMap, String agentHttp, String shuffleDir) {

    private static final Pattern FINISHED = Pattern.compile(
            "records=(\\d+) bytes=(\\d+) spills=(\\d+) committed=\\w+ http=(\\S*)(?: dir=(.*))?", Pattern.DOTALL);
    private static final Pattern FETCH = Pattern.compile("fetch-failed stage=(\\d+) map=(\\d+): .*", Pattern.DOTALL);

    /** The message of a finished task; {@code shuffleDir} may be null. */
    public static String finished(TaskResult r, String agentHttp, String shuffleDir) {
        return "records=" + r.recordsOut() + " bytes=" + r.bytesOut() + " spills=" + r.spills()
                + " committed=" + r.committed() + " http=" + (agentHttp == null ? "" : agentHttp)
                + (shuffleDir == null || shuffleDir.isEmpty() ? "" : " dir=" + shuffleDir);
    }

    /** The message of a failed task. */
    public static String failed(TaskFailedException e) {
        ShuffleFetchException f = e.fetchFailure();
        return f == null ? e.getMessage() : "fetch-failed stage=" + f.stage() + " map=" + f.map() + ": " + e.getMessage();
    }

    /** Reads a message of {@link #finished} or {@link #failed}; unknown text gives no counters and no fetch failure. */
    public static TaskOutcome parse(String message) {
        if (message != null) {
            Matcher m = FINISHED.matcher(message);
            if (m.matches()) {
                return new TaskOutcome(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                        Integer.parseInt(m.group(3)), -1, -1, m.group(4), m.group(5) == null ? "" : m.group(5));
            }
            m = FETCH.matcher(message);
            if (m.matches()) {
                return new TaskOutcome(-1, 0, 0, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), "", "");
            }
        }
        return new TaskOutcome(-1, 0, 0, -1, -1, "", "");
    }

    public boolean fetchFailed() {
        return fetchStage >= 0;
    }
}
