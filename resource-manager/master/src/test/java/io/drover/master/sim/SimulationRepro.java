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
