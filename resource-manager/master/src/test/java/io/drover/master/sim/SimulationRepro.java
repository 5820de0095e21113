package io.drover.master.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Simulations that expose known defects; they fail until the defects are fixed. The class name
 * does not end in Test, so the default build does not run it, and each is skipped unless
 * {@code -Ddrover.sim.repro=true} (so that {@code -Dtest='Simulation*'} stays green); run them with
 * {@code mvn -o verify -pl resource-manager/master -am -Dtest=SimulationRepro -Ddrover.sim.repro=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class SimulationRepro {
    /**
     * A framework keeps a task as UNREACHABLE although it runs and the master knows it does.
     *
     * <p>Seed 15 of the default chaos: at t+163621 ms framework fw-tiny drops updates u-3466 (t561
     * RUNNING) and u-3464 (t563 RUNNING) as repeats while it has both tasks as UNREACHABLE. The
     * agent had sent those updates before it went quiet; the framework took them in, but the
     * agent still had them pending (the acknowledgement was lost or had not reached it) when the
     * master declared the agent unreachable and told the framework UNREACHABLE (a master-made
     * update without an update id). When the
     * agent came back, it resent the pending RUNNING updates and, as AgentLoop.onReconcile does,
     * sent nothing fresh for tasks with updates pending. The master took the resent update (its
     * latest was the UNREACHABLE one, so it is no repeat there: MasterLogic.onStatus) and
     * forwarded it, but the framework's client drops any update id it has seen
     * (SchedulerClient.java:228, as SimulatedFramework does), so the framework keeps UNREACHABLE
     * until the task's next update, which for a long-running service may be never.
     *
     * <p>Where: node-agent AgentLoop.onReconcile skips tasks with pending updates ("its pending
     * updates are being resent and say more than a fresh one would"). A fix: for a task still
     * running, enqueue a fresh RUNNING (reason RECONCILIATION, new update id) even when updates
     * are pending, or have the client not drop a repeat whose state differs from what it holds.
     */
    @Test
    @EnabledIfSystemProperty(named = "drover.sim.repro", matches = "true")
    void aFrameworkLearnsThatAnUnreachableTaskRunsAgain() {
        Simulation sim = new Simulation(15, Simulation.chaos("chaos", 100, 1_200));
        sim.run();
    }
}
