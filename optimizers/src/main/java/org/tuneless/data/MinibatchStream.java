package org.tuneless.data;

import java.util.SplittableRandom;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.Snapshot;
import org.tuneless.tensor.Workspaces;

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
    private final Batch[] buffers = new Batch[2];
    private int turn;

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
        BatchStream.shuffle(order, rng);
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
        if (size != batchSize) return data.batch(idx);   // an epoch's smaller last batch: rare, allocated
        // two buffers used in turn: a batch stays valid through the next call (see BatchStream#next)
        turn ^= 1;
        if (buffers[turn] == null) buffers[turn] = data.batchBuffer(batchSize);
        return data.batchInto(idx, buffers[turn]);
    }

    @Override public long epoch() { return epoch; }

    /**
     * Epoch, position and this epoch's order. The generator's state is the number of permutations drawn from the seed
     * (epoch + 1): {@link #restoreState} redraws them, so a resumed stream continues the same sequence, and checks the
     * result against the saved order.
     */
    @Override public void saveState(Snapshot out) {
        out.put("kind", "minibatch").put("epoch", epoch).put("position", position).put("size", order.length).put("batch", batchSize);
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            out.putTensor("order", Nd4j.createFromArray(order.clone()));
        }
    }

    @Override public void restoreState(Snapshot in) {
        if (!in.getString("kind").equals("minibatch")) throw in.mismatch("kind", "the checkpoint's stream is '" + in.getString("kind") + "', this run's is minibatches");
        if (in.getLong("size") != order.length) throw in.mismatch("size", "the checkpoint's data has " + in.getLong("size") + " examples, this run's " + order.length);
        if (in.getLong("batch") != batchSize) throw in.mismatch("batch", "the checkpoint's batch size is " + in.getLong("batch") + ", this run's " + batchSize);
        long targetEpoch = in.getLong("epoch");
        long pos = in.getLong("position");
        if (epoch != 0 || position != 0) throw new IllegalStateException("restoreState needs a fresh stream");
        if (targetEpoch < 0 || pos < 0 || pos > order.length) throw in.mismatch("position", "epoch " + targetEpoch + ", position " + pos + " is not a valid stream position");
        while (epoch < targetEpoch) newEpoch();
        int[] saved = in.tensor("order", order.length).toIntVector();
        if (!java.util.Arrays.equals(saved, order)) throw in.mismatch("order", "the batch order drawn from the seed differs from the checkpoint's (another seed or data?)");
        position = (int) pos;
    }
}
