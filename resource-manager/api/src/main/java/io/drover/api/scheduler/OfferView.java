package io.drover.api.scheduler;

import java.util.Map;

/** An offer of one agent's free resources to this framework. */
public record OfferView(String offerId, String agentId, String hostname, ResourceSpec resources,
        Map<String, String> attributes, long expiresAtMs) {}
