package io.drover.agent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Signals a process and all its descendants. A task's children outlive their parent's death
 * (they are re-parented), so the handles are taken while the task's process is still alive and
 * kept for the SIGKILL that follows the grace period. {@link ProcessHandle} checks a process's
 * start time before signalling it, so a recycled pid is never hit.
 */
final class ProcessTree {
    /**
     * Sends SIGTERM to the root and every descendant it has now.
     *
     * @return the handles signalled, root first, for {@link #forceKill}
     */
    static List<ProcessHandle> terminate(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        // Take the descendants before signalling anyone: once the root dies they are re-parented
        // and no longer found from it.
        root.descendants().forEach(tree::add);
        for (ProcessHandle h : tree) {
            h.destroy();
        }
        return tree;
    }

    /**
     * Sends SIGKILL to every handle still alive and to any descendant it has now (children
     * forked after the SIGTERM).
     *
     * @return how many processes were still alive and were killed
     */
    static int forceKill(List<ProcessHandle> handles) {
        Set<ProcessHandle> targets = new LinkedHashSet<>();
        for (ProcessHandle h : handles) {
            if (h.isAlive()) {
                targets.add(h);
                h.descendants().forEach(targets::add);
            }
        }
        int killed = 0;
        for (ProcessHandle h : targets) {
            if (h.isAlive() && h.destroyForcibly()) {
                killed++;
            }
        }
        return killed;
    }

    /** True when any of the handles is still alive. */
    static boolean anyAlive(List<ProcessHandle> handles) {
        return handles.stream().anyMatch(ProcessHandle::isAlive);
    }

    private ProcessTree() {}
}
