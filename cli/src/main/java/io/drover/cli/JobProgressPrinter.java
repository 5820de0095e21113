package io.drover.cli;

import io.drover.api.protocol.JobEvent;
import io.drover.api.protocol.JobEventKind;
import io.drover.api.protocol.StageProgress;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Shows a followed job: a live progress line per stage (tasks done/total, records, bytes, elapsed,
 * ETA), redrawn in place on a terminal and printed when a stage ends otherwise; then the summary.
 */
final class JobProgressPrinter {
    private static final int BAR = 20;

    private final PrintStream out;
    private final boolean live;
    private final Set<Integer> printedDone = new HashSet<>();
    private boolean lineOpen;

    JobProgressPrinter(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    void onEvent(JobEvent e) {
        if (e.getKind() == JobEventKind.PROGRESS || (e.getKind() == JobEventKind.STATE && !e.getStages().isEmpty())) {
            for (StageProgress s : e.getStages()) {
                if (s.getDone() && printedDone.add(s.getStage())) {
                    clear();
                    out.println(line(s));
                }
            }
            StageProgress current = e.getStages().stream().filter(s -> !s.getDone() && s.getElapsedMs() > 0).findFirst()
                    .orElse(null);
            if (live && current != null && e.getKind() == JobEventKind.PROGRESS) {
                clear();
                out.print(line(current));
                out.flush();
                lineOpen = true;
            }
        } else if (e.getKind() == JobEventKind.STATE) {
            clear();
            out.println("[" + e.getState().toString().toLowerCase(Locale.ROOT) + "] " + e.getMessage());
        }
    }

    private void clear() {
        if (lineOpen) {
            out.print("\r\033[K");
            lineOpen = false;
        }
    }

    static String line(StageProgress s) {
        int total = Math.max(1, s.getTasksTotal());
        int filled = (int) ((long) BAR * s.getTasksDone() / total);
        String eta = s.getDone() ? "done" : s.getTasksDone() == 0 ? "ETA ?"
                : "ETA " + seconds(s.getElapsedMs() * (s.getTasksTotal() - s.getTasksDone()) / s.getTasksDone());
        return String.format("stage %d [%s%s] %d/%d tasks  %s records  %s  %s  %s%s", s.getStage(), "#".repeat(filled),
                ".".repeat(BAR - filled), s.getTasksDone(), s.getTasksTotal(), count(s.getRecords()), bytes(s.getBytes()),
                seconds(s.getElapsedMs()), eta, s.getFailedAttempts() > 0 ? "  (" + s.getFailedAttempts() + " failed attempts)" : "");
    }

    /** The summary of a finished job. */
    static void summary(PrintStream out, JobEvent end) {
        List<StageProgress> stages = end.getStages();
        long shuffled = 0;
        out.printf("job %s %s in %s%n", end.getJobId(), end.getState().toString().toLowerCase(Locale.ROOT),
                seconds(end.getElapsedMs()));
        for (int i = 0; i < stages.size(); i++) {
            StageProgress s = stages.get(i);
            if (i < stages.size() - 1) {
                shuffled += s.getBytes();
            }
            out.printf("  stage %d  %-7s %4d tasks  %12s records  %9s  %s%n", s.getStage(), seconds(s.getElapsedMs()),
                    s.getTasksTotal(), count(s.getRecords()), bytes(s.getBytes()), s.getDescription());
        }
        out.printf("  shuffled %s%n", bytes(shuffled));
        if (!end.getOutput().isEmpty()) {
            out.printf("  output   %s%n", end.getOutput());
        }
    }

    static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        if (b < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
    }
}
