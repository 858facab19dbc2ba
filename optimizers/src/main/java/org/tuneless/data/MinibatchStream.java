package org.tuneless.data;

import java.util.SplittableRandom;

import org.tuneless.objective.Batch;

/**
 * Minibatches drawn without replacement: each epoch is a fresh permutation from a seeded generator, so the same seed
 * gives the same batches. The last batch of an epoch is smaller unless {@code dropLast}.
 */
public final class MinibatchStream implements BatchStream {

    private final Dataset data;
    private final int batchSize;
    private final boolean dropLast;
    private final SplittableRandom rng;
    private int[] order;
    private int position;
    private long epoch = -1;

    public MinibatchStream(Dataset data, int batchSize, long seed) { this(data, batchSize, seed, false); }

    public MinibatchStream(Dataset data, int batchSize, long seed, boolean dropLast) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size = " + batchSize + " must be positive");
        if (dropLast && batchSize > data.size()) {
            throw new IllegalArgumentException("batch size " + batchSize + " exceeds the dataset size " + data.size() + " with dropLast");
        }
        this.data = data;
        this.batchSize = (int) Math.min(batchSize, data.size());
        this.dropLast = dropLast;
        this.rng = new SplittableRandom(seed);
        newEpoch();
    }

    private void newEpoch() {
        int n = (int) data.size();
        if (order == null) order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        position = 0;
        epoch++;
    }

    @Override public Batch next() {
        int remaining = order.length - position;
        if (remaining == 0 || (dropLast && remaining < batchSize)) {
            newEpoch();
            remaining = order.length;
        }
        int size = Math.min(batchSize, remaining);
        int[] idx = new int[size];
        System.arraycopy(order, position, idx, 0, size);
        position += size;
        return data.batch(idx);
    }

    @Override public long epoch() { return epoch; }
}
