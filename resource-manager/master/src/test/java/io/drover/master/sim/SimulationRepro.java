package io.drover.master.sim;

import io.drover.api.ResourceMath;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Simulations that expose known defects; they fail until the defects are fixed. The class name
 * does not end in Test, so the default build does not run it; run it with
 * {@code mvn -o verify -pl resource-manager/master -Dtest=SimulationRepro}.
 */
class SimulationRepro {
    /**
     * An agent restarts right after sending RegisterAgent. The master answers the dead run's
     * registration after the new run started, so the new run takes that AgentRegistered as its
     * own (AgentRegistered does not say which run it answers), heartbeats, and runs the tasks the
     * master launches there. When the master then reads the new run's RegisterAgent, it takes it
     * for a restart and declares those tasks LOST, while the agent goes on running them: the
     * master offers resources that are in use.
     *
     * <p>Seed 3: agent-001's runs started at t+2074, 2093, 2101, 2107, 2126 and 2139 ms each sent
     * RegisterAgent; at t+2196 the master took in the first two and answered; run 2139 took the
     * answer (written after it started, so above its registration floor); at t+2954 the master
     * launched fw-b's tasks t8..t36 there; at t+4040 it took in the delayed registrations of runs
     * 2101..2139, declared t8..t36 LOST ("restarted and did not recover the task") and offered all
     * 16 CPUs again while the agent ran 16 CPUs of tasks.
     *
     * <p>Where: AgentRegistered names no run (MasterLogic.onAgentMessage, the answer built at
     * MasterLogic.java:139), the master declares a restart on any other startedAtMs
     * (MasterLogic.java:129-131), and the agent takes any answer at or above its registration
     * floor (node-agent AgentLoop.onRegistered, AgentLoop.java:256-260). A fix: AgentRegistered
     * carries the startedAtMs it answers, and the agent takes only its own.
     */
    @Test
    void agentRestartedWhileRegisteringRunsTasksTheMasterDeclaredLost() {
        Simulation.Scenario scenario = new Simulation.Scenario("restart-while-registering", 40, List.of(
                new Simulation.FrameworkSpec("fw-a", "*", ResourceMath.of(1, 1_024, 0, 0), 100_000),
                new Simulation.FrameworkSpec("fw-b", "*", ResourceMath.of(0.5, 512, 0, 0), 100_000)),
                false, 1_500, 20_000, 60_000, 0, 0.5);
        new Simulation(3, scenario).run();
    }
}
