package io.drover.master.alloc;

import io.drover.api.protocol.Resources;
import java.util.Iterator;

/**
 * A fairness policy: keeps its clients (roles, or the frameworks of one role) in the order in
 * which they should be offered resources, most deserving first. The allocator asks it for the
 * order and tells it what each client was given; it never decides what to offer.
 *
 * <p>One sorter lives for one allocation pass. Not thread-safe.
 */
public interface Sorter {
    /**
     * Adds a client.
     *
     * @param weight its weight, finite and above zero; a client of weight 2 is entitled to twice
     *     the share of a client of weight 1
     * @param allocated what the client holds already (scalars count, ports do not)
     * @throws IllegalArgumentException if the client is already in, or the weight is out of range
     */
    void add(String client, double weight, Resources allocated);

    /** Records that {@code client} was given {@code more}; it may move in the order. */
    void allocated(String client, Resources more);

    /**
     * The clients in order, most deserving first. The iterator is valid until the next
     * {@link #allocated} or {@link #add}; the caller takes a new one after each.
     */
    Iterator<String> order();

    /** How many clients there are. */
    int size();
}
