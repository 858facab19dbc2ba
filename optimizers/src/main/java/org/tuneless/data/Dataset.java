package org.tuneless.data;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.Kernels;
import org.tuneless.tensor.Workspaces;

/**
 * An in-memory dataset: inputs (n, …) and targets (n, k). For classification the targets are one-hot rows and
 * {@link #labels()} gives the class indices; for regression they are real values and {@link #numClasses()} is 0.
 * {@link #sequences} holds per-position one-hot targets (n, T, V) for sequence models (no per-example labels).
 */
public final class Dataset {

    private final INDArray inputs;
    private final INDArray targets;
    private final int[] labels;
    private final int numClasses;

    private Dataset(INDArray inputs, INDArray targets, int[] labels, int numClasses) {
        if (inputs.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("dataset has " + inputs.size(0) + " inputs but " + targets.size(0) + " targets");
        }
        this.inputs = inputs;
        this.targets = targets;
        this.labels = labels;
        this.numClasses = numClasses;
    }

    /** Classification data: one-hot targets are built from {@code labels} (each in [0, numClasses)). */
    public static Dataset classification(INDArray inputs, int[] labels, int numClasses) {
        if (labels.length != inputs.size(0)) {
            throw new IllegalArgumentException("dataset has " + inputs.size(0) + " inputs but " + labels.length + " labels");
        }
        float[] oneHot = new float[labels.length * numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is outside [0, " + numClasses + ")");
            }
            oneHot[i * numClasses + labels[i]] = 1f;
        }
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            INDArray t = Nd4j.createFromArray(oneHot).reshape(labels.length, numClasses).castTo(inputs.dataType());
            return new Dataset(inputs, t, labels.clone(), numClasses);
        }
    }

    /** Regression data: real-valued targets (n, k). */
    public static Dataset regression(INDArray inputs, INDArray targets) {
        INDArray t = targets.rank() == 1 ? targets.reshape(targets.length(), 1) : targets;
        return new Dataset(inputs, t, null, 0);
    }

    /**
     * Sequence data: inputs (n, T, …) and per-position one-hot targets (n, T, V), e.g. next-character prediction
     * ({@link CharTextDataset}). {@link #numClasses()} is V; there are no per-example {@link #labels()}.
     */
    public static Dataset sequences(INDArray inputs, INDArray targets) {
        if (targets.rank() != 3) {
            throw new IllegalArgumentException("sequence targets must be (n, T, V) but have shape " + Arrays.toString(targets.shape()));
        }
        return new Dataset(inputs, targets, null, (int) targets.size(2));
    }

    public long size() { return inputs.size(0); }

    /** Shape of one example, e.g. [784]. */
    public long[] inputShape() { return Arrays.copyOfRange(inputs.shape(), 1, inputs.rank()); }

    public INDArray inputs() { return inputs; }

    public INDArray targets() { return targets; }

    public boolean isClassification() { return labels != null; }

    /** Number of classes, or 0 for regression. */
    public int numClasses() { return numClasses; }

    /** Class index of every example. */
    public int[] labels() {
        if (labels == null) throw new IllegalStateException("this is a regression or sequence dataset: it has targets, not per-example class labels");
        return labels.clone();
    }

    public DataType dataType() { return inputs.dataType(); }

    /** The same data as another floating-point type. */
    public Dataset castTo(DataType type) {
        if (type == dataType()) return this;
        return new Dataset(inputs.castTo(type), targets.castTo(type), labels, numClasses);
    }

    /** The first n examples (shares memory with this dataset). */
    public Dataset subset(long n) {
        if (n <= 0 || n > size()) {
            throw new IllegalArgumentException("cannot take a subset of " + n + " examples from a dataset of " + size() + "; use 1.." + size());
        }
        return slice(0, n);
    }

    /**
     * Examples [from, to), as copies: ND4J 1.0.0-M2.1 returns empty arrays for a further {@code get(interval)} with a
     * non-zero start on a row-interval view, which chunked evaluation of a slice would hit.
     */
    public Dataset slice(long from, long to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("bad slice [" + from + ", " + to + ") of a dataset of " + size());
        }
        INDArray x, t;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            x = inputs.get(NDArrayIndex.interval(from, to)).dup();
            t = targets.get(NDArrayIndex.interval(from, to)).dup();
        }
        int[] l = labels == null ? null : Arrays.copyOfRange(labels, (int) from, (int) to);
        return new Dataset(x, t, l, numClasses);
    }

    /** All examples as one batch (full-batch training, evaluation). */
    public Batch fullBatch() { return new Batch(inputs, targets); }

    /**
     * The examples at {@code indices} gathered into {@code into}'s arrays (a batch of exactly {@code indices.length}
     * rows made by {@link #batchBuffer}), without allocating: training streams reuse their buffers so that the
     * off-heap memory of a run stays flat (a fresh 128 × 784 batch every step kept ~30 MB/s of native memory waiting for
     * the garbage collector; see benchmarks/README.md, "Soak").
     */
    public Batch batchInto(int[] indices, Batch into) {
        if (into.inputs().size(0) != indices.length) throw new IllegalArgumentException("batch buffer has " + into.inputs().size(0) + " rows, " + indices.length + " indices");
        long per = inputs.length() / size(), perTarget = targets.length() / size();
        INDArray x = inputs.reshape('c', size(), per), xb = into.inputs().reshape('c', indices.length, per);
        INDArray t = targets.reshape('c', size(), perTarget), tb = into.targets().reshape('c', indices.length, perTarget);
        // one bulk copy per row (tensor.Kernels), else ND4J's pullRows
        if (!Kernels.gatherRows(x, indices, xb)) Nd4j.pullRows(x, xb, 1, indices);
        if (!Kernels.gatherRows(t, indices, tb)) Nd4j.pullRows(t, tb, 1, indices);
        return into;
    }

    /** Arrays shaped like a batch of {@code rows} examples (outside any workspace), to be filled by {@link #batchInto}. */
    public Batch batchBuffer(int rows) {
        long[] xs = inputs.shape().clone();
        xs[0] = rows;
        long[] ts = targets.shape().clone();
        ts[0] = rows;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            return new Batch(Nd4j.create(inputs.dataType(), xs, 'c'), Nd4j.create(targets.dataType(), ts, 'c'));
        }
    }

    /** The examples at {@code indices}, gathered by one native call per array. */
    public Batch batch(int[] indices) {
        long per = inputs.length() / size();
        INDArray flat = inputs.reshape('c', size(), per);
        INDArray x = Nd4j.pullRows(flat, 1, indices);
        long[] shape = inputs.shape().clone();
        shape[0] = indices.length;
        if (targets.rank() == 2) return new Batch(x.reshape('c', shape), Nd4j.pullRows(targets, 1, indices));
        long[] tShape = targets.shape().clone();
        tShape[0] = indices.length;
        INDArray t = Nd4j.pullRows(targets.reshape('c', size(), targets.length() / size()), 1, indices);
        return new Batch(x.reshape('c', shape), t.reshape('c', tShape));
    }
}
