package io.drover.agent;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A journal writer for {@link StatusJournalKillTest} to kill with SIGKILL: appends updates of
 * task "t&lt;i&gt;" forever, acknowledging every even one, and prints each index once appended.
 */
public final class JournalWriterMain {
    public static void main(String[] args) {
        StatusFactory statuses = new StatusFactory("agent-1", Clock.systemUTC());
        StatusJournal journal = StatusJournal.open(Path.of(args[0]), Long.MAX_VALUE, 0);
        for (long i = 0; ; i++) {
            TaskStatus update = statuses.status("fw", "t" + i, TaskState.RUNNING, TaskStatusReason.NONE, "update " + i);
            journal.appendUpdate(update);
            if (i % 2 == 0) {
                journal.appendAck("fw", "t" + i, update.getUpdateId());
            }
            if (i % 1000 == 0) {
                System.out.println("appended " + i);
                System.out.flush();
            }
        }
    }

    private JournalWriterMain() {}
}
