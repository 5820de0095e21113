package io.drover.job.plan;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A planned job: its stages in an order where every stage comes after its parents; the last one
 * is the job's result. A plan is complete in itself: any task can run from the plan and its
 * (stage, partition, attempt), which is how it travels to executors ({@link #toBytes}).
 *
 * @param name the job's name, for logs and errors
 * @param stages the stages, indexed by {@link StagePlan#id}
 */
public record JobPlan(String name, List<StagePlan> stages) implements Serializable {

    public JobPlan {
        stages = List.copyOf(stages);
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i).id() != i) {
                throw new IllegalArgumentException("stage " + i + " has id " + stages.get(i).id());
            }
            for (int parent : stages.get(i).parents()) {
                if (parent >= i) {
                    throw new IllegalArgumentException("stage " + i + " reads stage " + parent + ", planned after it");
                }
            }
        }
    }

    public StagePlan stage(int id) {
        if (id < 0 || id >= stages.size()) {
            throw new IllegalArgumentException("job " + name + " has no stage " + id);
        }
        return stages.get(id);
    }

    public StagePlan finalStage() {
        return stages.get(stages.size() - 1);
    }

    /** The plan as Java serialization bytes, user functions included. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(this);
        } catch (java.io.NotSerializableException e) {
            throw new IllegalArgumentException("job " + name + " cannot be shipped: " + e.getMessage()
                    + " is not serializable (a function captured it?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a plan written by {@link #toBytes}, resolving classes (the job's functions) with
     * {@code loader}.
     *
     * @throws IllegalArgumentException if the bytes are not a plan or a class is missing
     */
    public static JobPlan fromBytes(byte[] bytes, ClassLoader loader) {
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader)) {
            return (JobPlan) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalArgumentException("not a readable job plan: " + e, e);
        }
    }

    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
