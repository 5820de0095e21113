package io.drover.api.scheduler;

import java.util.List;

/** What the master tells a framework. */
public sealed interface SchedulerEvent {
    /** The master took the subscription. */
    record Subscribed(String frameworkId, long heartbeatIntervalMs) implements SchedulerEvent {}

    /** New offers. */
    record OffersReceived(List<OfferView> offers) implements SchedulerEvent {}

    /** An offer is no longer valid. */
    record OfferRescinded(String offerId) implements SchedulerEvent {}

    /** A task's status changed (or was reported again on reconciliation). */
    record TaskUpdated(TaskUpdate update) implements SchedulerEvent {}

    /** A call was refused. */
    record CallRefused(String callType, String message) implements SchedulerEvent {}

    /** An agent the framework used is gone. */
    record AgentLost(String agentId) implements SchedulerEvent {}

    /** The master is alive. */
    record MasterHeartbeat() implements SchedulerEvent {}
}
