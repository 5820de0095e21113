package io.drover.job.plan;

import io.drover.job.api.Fn.PartitionFunction;
import io.drover.job.api.Fn.SerializableFunction;
import io.drover.job.api.Fn.SerializablePredicate;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One narrow (shuffle-free) step of a stage: records of a partition in, records out, lazily.
 * Every narrow operation of the API (map, flatMap, filter, mapPartitions) is one of these.
 *
 * @param name what the step is, for stage descriptions and error messages
 * @param fn the step
 */
public record NarrowOp(String name, PartitionFunction<Object, Object> fn) implements Serializable {

    @SuppressWarnings("unchecked")
    public static NarrowOp map(SerializableFunction<?, ?> f) {
        SerializableFunction<Object, Object> g = (SerializableFunction<Object, Object>) f;
        return new NarrowOp("map", in -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public Object next() {
                return g.apply(in.next());
            }
        });
    }

    @SuppressWarnings("unchecked")
    public static NarrowOp filter(SerializablePredicate<?> p) {
        SerializablePredicate<Object> q = (SerializablePredicate<Object>) p;
        return new NarrowOp("filter", in -> new LookaheadIterator() {
            @Override
            protected boolean advance() {
                while (in.hasNext()) {
                    Object o = in.next();
                    if (q.test(o)) {
                        set(o);
                        return true;
                    }
                }
                return false;
            }
        });
    }

    @SuppressWarnings("unchecked")
    public static NarrowOp flatMap(SerializableFunction<?, ? extends Iterable<?>> f) {
        SerializableFunction<Object, Iterable<Object>> g = (SerializableFunction<Object, Iterable<Object>>) f;
        return new NarrowOp("flatMap", in -> new LookaheadIterator() {
            private Iterator<Object> current = Collections.emptyIterator();

            @Override
            protected boolean advance() {
                while (!current.hasNext()) {
                    if (!in.hasNext()) {
                        return false;
                    }
                    Iterable<Object> next = g.apply(in.next());
                    current = next == null ? Collections.emptyIterator() : next.iterator();
                }
                set(current.next());
                return true;
            }
        });
    }

    @SuppressWarnings("unchecked")
    public static NarrowOp mapPartitions(PartitionFunction<?, ?> f) {
        return new NarrowOp("mapPartitions", (PartitionFunction<Object, Object>) f);
    }

    /** An iterator that finds its next element ahead of time; subclasses implement {@link #advance}. */
    public abstract static class LookaheadIterator implements Iterator<Object> {
        private Object next;
        private boolean ready;
        private boolean done;

        /** Finds the next element and {@link #set}s it; false at the end. */
        protected abstract boolean advance() throws Exception;

        protected final void set(Object o) {
            next = o;
        }

        @Override
        public final boolean hasNext() {
            if (!ready && !done) {
                try {
                    ready = advance();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new TaskIoException(e);
                }
                done = !ready;
            }
            return ready;
        }

        @Override
        public final Object next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = false;
            Object o = next;
            next = null;
            return o;
        }
    }

    /** Carries a checked exception out of an iterator; unwrapped by the task runner. */
    public static final class TaskIoException extends RuntimeException {
        public TaskIoException(Exception cause) {
            super(cause.toString(), cause);
        }
    }
}
