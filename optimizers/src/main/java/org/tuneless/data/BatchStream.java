package org.tuneless.data;

import org.tuneless.objective.Batch;

/** The batches a run trains on, one per step, in a deterministic order fixed by its seed. */
public interface BatchStream {

    Batch next();

    /** Epochs completed so far (0 during the first pass over the data). */
    long epoch();

    /** The same batch at every step: full-batch training. */
    static BatchStream fixed(Batch batch) {
        return new BatchStream() {
            private long calls;

            @Override public Batch next() {
                calls++;
                return batch;
            }

            @Override public long epoch() { return Math.max(0, calls - 1); }
        };
    }
}
