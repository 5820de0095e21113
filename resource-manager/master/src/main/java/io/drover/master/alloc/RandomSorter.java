package io.drover.master.alloc;

import io.drover.api.protocol.Resources;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;

/**
 * A random order (Mesos {@code sorter/random}): every {@link #order} is a fresh permutation drawn
 * from the injected random source, ignoring what clients hold. Weights skew the draw: a client
 * of weight w is picked ahead of the rest as if it held w lottery tickets. The permutation is
 * drawn lazily, so a caller that stops after k clients pays for k draws.
 */
public final class RandomSorter implements Sorter {
    private final Random random;
    private final List<String> names = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();
    private final Set<String> known = new HashSet<>();
    private double totalWeight;
    private boolean allWeightsEqual = true;

    public RandomSorter(Random random) {
        this.random = random;
    }

    @Override
    public void add(String client, double weight, Resources allocated) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight of " + client + " must be finite and above 0, was " + weight);
        }
        if (!known.add(client)) {
            throw new IllegalArgumentException(client + " is already in the sorter");
        }
        if (!weights.isEmpty() && weights.get(0) != weight) {
            allWeightsEqual = false;
        }
        names.add(client);
        weights.add(weight);
        totalWeight += weight;
    }

    @Override
    public void allocated(String client, Resources more) {
        // A random order does not depend on what clients hold.
    }

    @Override
    public Iterator<String> order() {
        String[] pool = names.toArray(new String[0]);
        double[] w = new double[pool.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        return new Iterator<>() {
            int next;
            double weightLeft = totalWeight;

            @Override
            public boolean hasNext() {
                return next < pool.length;
            }

            @Override
            public String next() {
                if (next >= pool.length) {
                    throw new NoSuchElementException();
                }
                int pick = allWeightsEqual ? next + random.nextInt(pool.length - next) : weightedPick();
                swap(next, pick);
                weightLeft -= w[next];
                return pool[next++];
            }

            private int weightedPick() {
                double ticket = random.nextDouble() * weightLeft;
                for (int i = next; i < pool.length; i++) {
                    ticket -= w[i];
                    if (ticket < 0) {
                        return i;
                    }
                }
                return pool.length - 1;
            }

            private void swap(int i, int j) {
                String n = pool[i];
                pool[i] = pool[j];
                pool[j] = n;
                double x = w[i];
                w[i] = w[j];
                w[j] = x;
            }
        };
    }

    @Override
    public int size() {
        return names.size();
    }
}
