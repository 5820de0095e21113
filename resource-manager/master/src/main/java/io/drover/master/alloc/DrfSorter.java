package io.drover.master.alloc;

import io.drover.api.protocol.Resources;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Weighted dominant resource fairness (Ghodsi et al., NSDI 2011; Mesos {@code sorter/drf}). A
 * client's dominant share is its largest fraction of the cluster's total over cpus, memMb,
 * diskMb and gpus (a kind the cluster has none of is skipped); the client with the smallest
 * dominant share divided by its weight goes first. Ties are broken by a number drawn from the
 * injected random source when the client is added, then by name, so the order is a function of
 * the seed.
 *
 * <p>Each {@link #allocated} costs O(log n); {@link #order} is a walk of a sorted set.
 */
public final class DrfSorter implements Sorter {
    private static final class Client {
        final String name;
        final double weight;
        final int tieBreak;
        final double[] allocated = new double[4];
        double share;

        Client(String name, double weight, int tieBreak) {
            this.name = name;
            this.weight = weight;
            this.tieBreak = tieBreak;
        }
    }

    private static final Comparator<Client> ORDER = Comparator.<Client>comparingDouble(c -> c.share)
            .thenComparingInt(c -> c.tieBreak).thenComparing(c -> c.name);

    private final double[] total;
    private final Random random;
    private final Map<String, Client> clients = new HashMap<>();
    private final TreeSet<Client> sorted = new TreeSet<>(ORDER);

    /**
     * @param total the cluster's total, the denominator of every share
     * @param random draws the tie-breaks
     */
    public DrfSorter(Resources total, Random random) {
        this.total = new double[] {total.getCpus(), total.getMemMb(), total.getDiskMb(), total.getGpus()};
        this.random = random;
    }

    @Override
    public void add(String name, double weight, Resources allocated) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight of " + name + " must be finite and above 0, was " + weight);
        }
        Client c = new Client(name, weight, random.nextInt());
        if (clients.putIfAbsent(name, c) != null) {
            throw new IllegalArgumentException(name + " is already in the sorter");
        }
        accumulate(c, allocated);
        sorted.add(c);
    }

    @Override
    public void allocated(String name, Resources more) {
        Client c = clients.get(name);
        sorted.remove(c);
        accumulate(c, more);
        sorted.add(c);
    }

    private void accumulate(Client c, Resources r) {
        c.allocated[0] += r.getCpus();
        c.allocated[1] += r.getMemMb();
        c.allocated[2] += r.getDiskMb();
        c.allocated[3] += r.getGpus();
        double dominant = 0;
        for (int i = 0; i < 4; i++) {
            if (total[i] > 0) {
                dominant = Math.max(dominant, c.allocated[i] / total[i]);
            }
        }
        c.share = dominant / c.weight;
    }

    /** The client's dominant share divided by its weight; for tests and metrics. */
    public double share(String name) {
        return clients.get(name).share;
    }

    @Override
    public Iterator<String> order() {
        Iterator<Client> it = sorted.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public String next() {
                return it.next().name;
            }
        };
    }

    @Override
    public int size() {
        return clients.size();
    }
}
