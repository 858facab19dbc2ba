package org.tuneless.data;

import org.tuneless.objective.Batch;
import org.tuneless.tensor.Snapshot;

/** The batches a run trains on, one per step, in a deterministic order fixed by its seed. */
public interface BatchStream {

    /**
     * The next batch. Its arrays may be reused by the stream: they are valid until the call after the next one (so the
     * previous batch can still be read during a step); {@code dup()} what must live longer.
     */
    Batch next();

    /** Epochs completed so far (0 during the first pass over the data). */
    long epoch();

    /**
     * Writes where the stream stands (position, epoch, random-generator state) so that {@link #restoreState} on a fresh
     * stream built the same way continues with the same batches. Streams that cannot do this refuse.
     */
    default void saveState(Snapshot out) {
        throw new IllegalStateException("this batch stream (" + getClass().getName() + ") cannot be checkpointed: it does not implement BatchStream.saveState");
    }

    /** Moves a fresh stream (same data, batch size and seed) to the position {@link #saveState} recorded. */
    default void restoreState(Snapshot in) {
        throw new IllegalStateException("this batch stream (" + getClass().getName() + ") cannot be restored from a checkpoint: it does not implement BatchStream.restoreState");
    }

    /**
     * Fills {@code order} with a uniformly random permutation of 0…n−1 (Fisher–Yates, drawing {@code rng.nextInt(i + 1)}
     * for i = n−1 down to 1). Every shuffling stream uses this one routine, so a checkpoint that replays the draws from
     * the seed reproduces the same orders.
     */
    static void shuffle(int[] order, java.util.SplittableRandom rng) {
        for (int i = 0; i < order.length; i++) order[i] = i;
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }

    /** The same batch at every step: full-batch training. */
    static BatchStream fixed(Batch batch) {
        return new BatchStream() {
            private long calls;

            @Override public Batch next() {
                calls++;
                return batch;
            }

            @Override public long epoch() { return Math.max(0, calls - 1); }

            @Override public void saveState(Snapshot out) { out.put("kind", "fixed").put("calls", calls); }

            @Override public void restoreState(Snapshot in) {
                if (!in.getString("kind").equals("fixed")) throw in.mismatch("kind", "the checkpoint's stream is '" + in.getString("kind") + "', this run's is full-batch");
                calls = in.getLong("calls");
            }
        };
    }
}
