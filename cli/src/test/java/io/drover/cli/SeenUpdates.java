package io.drover.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The updates a test framework saw, per task in order, and every update id (the client drops repeats by id). */
final class SeenUpdates {
    final Map<String, List<TaskUpdate>> byTask = new LinkedHashMap<>();
    final List<String> updateIds = new ArrayList<>();

    void add(TaskUpdate update) {
        byTask.computeIfAbsent(update.taskId(), k -> new ArrayList<>()).add(update);
        if (update.updateId() != null) {
            updateIds.add(update.updateId());
        }
    }

    List<TaskPhase> phases(String taskId) {
        return byTask.getOrDefault(taskId, List.of()).stream().map(TaskUpdate::phase).toList();
    }

    TaskUpdate running(String taskId) {
        return byTask.get(taskId).stream().filter(u -> u.phase() == TaskPhase.RUNNING).findFirst().orElseThrow();
    }

    TaskUpdate last(String taskId) {
        List<TaskUpdate> updates = byTask.get(taskId);
        assertNotNull(updates, taskId);
        return updates.get(updates.size() - 1);
    }

    List<TaskUpdate> of(String taskId) {
        return byTask.get(taskId);
    }

    @Override
    public String toString() {
        return byTask.toString();
    }
}
