package io.drover.master.alloc;

import io.drover.api.protocol.Resources;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * The allocator's typed configuration, validated once by {@link #validate()}.
 *
 * @param roles per-role weight and quota; a role not named here gets {@link RoleConfig#DEFAULT}
 *     (weight 1, no guarantee, no limit). Role names are non-empty; "*" is the default role of
 *     frameworks that name none.
 * @param fairness the fair-order policy, for roles among themselves and frameworks within a role
 */
public record AllocationConfig(Map<String, RoleConfig> roles, Fairness fairness) {
    /** The default role, of frameworks that subscribe without naming one. */
    public static final String DEFAULT_ROLE = "*";

    /** At most this many roles may be configured: every pass walks the configured roles. */
    public static final int MAX_ROLES = 1_000;

    /** The fair-order policies. */
    public enum Fairness {
        /** Weighted dominant resource fairness: {@link DrfSorter}. */
        DRF,
        /** A random order every time: {@link RandomSorter}. */
        RANDOM
    }

    public AllocationConfig {
        roles = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(roles, "roles")));
        Objects.requireNonNull(fairness, "fairness");
    }

    /** No roles configured: every role has weight 1 and no quota; DRF order. */
    public static AllocationConfig none() {
        return new AllocationConfig(Map.of(), Fairness.DRF);
    }

    /** This configuration with {@code role} set to {@code config}. */
    public AllocationConfig withRole(String role, RoleConfig config) {
        Map<String, RoleConfig> copy = new TreeMap<>(roles);
        copy.put(role, config);
        return new AllocationConfig(copy, fairness);
    }

    public AllocationConfig withFairness(Fairness f) {
        return new AllocationConfig(roles, f);
    }

    /** The settings of {@code role}, the defaults when it is not configured. */
    public RoleConfig role(String role) {
        return roles.getOrDefault(role, RoleConfig.DEFAULT);
    }

    /** The problems with this configuration; empty when valid. */
    public List<String> errors() {
        List<String> errors = new ArrayList<>();
        if (roles.size() > MAX_ROLES) {
            errors.add("at most " + MAX_ROLES + " roles may be configured, got " + roles.size());
        }
        roles.forEach((name, config) -> {
            if (name == null || name.isBlank()) {
                errors.add("a role name must not be empty");
            } else if (config == null) {
                errors.add("role " + name + " has no settings");
            } else {
                errors.addAll(config.errors(name));
            }
        });
        return errors;
    }

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException naming each problem
     */
    public AllocationConfig validate() {
        List<String> errors = errors();
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid allocation configuration: " + String.join("; ", errors));
        }
        return this;
    }

    /** A new sorter of this policy. */
    Sorter newSorter(Resources total, Random random) {
        return fairness == Fairness.DRF ? new DrfSorter(total, random) : new RandomSorter(random);
    }
}
