package org.tuneless.nn;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.Workspaces;

/**
 * Batch normalization (Ioffe &amp; Szegedy 2015, arXiv 1502.03167), y = g ⊙ (x − μ)/√(σ² + ε) + b, PyTorch
 * conventions. Example shape (D): statistics per feature over the batch; (C, H, W): per channel over (N, H, W).
 * Parameters {@code g} (GAIN, ones) and {@code b} (BIAS, zeros) of shape (D) or (C). Non-trainable buffers
 * {@code runningMean} (init 0) and {@code runningVar} (init 1), float64, in that order in {@link #buffers()}.
 *
 * <p>Modes ({@link Layer.Mode}):
 * <ul>
 *   <li>TRAIN: batch mean and biased batch variance; each forward updates
 *       running ← (1 − momentum)·running + momentum·batch, with the <em>unbiased</em> batch variance for runningVar.</li>
 *   <li>CURVATURE: batch statistics, no update.</li>
 *   <li>EVAL: running statistics; the layer is then an affine map per feature/channel.</li>
 *   <li>STATISTICS: batch statistics; the running statistics become the plain mean of the batch statistics over the
 *       passes since the mode was entered (re-estimating them at another point, e.g. an average of the iterates).</li>
 * </ul>
 *
 * <p><b>Curvature caveat.</b> In TRAIN and CURVATURE every derivative (gradient, HVP, uᵀHu) goes exactly through the
 * batch statistics, so the examples of a batch are coupled: the loss is not a sum of per-example losses. Curvature
 * estimates of batch-norm networks are those of this batch-coupled training loss; per-example reasoning
 * (Hutchinson-style per-example averages, per-example GGN/Fisher factors, rescaling an HVP by batch size) does not
 * apply. Compute HVPs on the same batch size as training, since the curvature itself depends on it.
 */
public final class BatchNorm extends AffineNormalization {

    private final double momentum;
    private INDArray runningMean;  // (features), float64, outside workspaces
    private INDArray runningVar;
    private List<INDArray> buffers = List.of();  // {runningMean, runningVar} once allocated
    private long statisticsPasses;  // STATISTICS passes since the mode was entered

    public BatchNorm(double momentum, double eps) {
        super(eps);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batch norm: momentum = " + momentum + " must be in [0, 1] (PyTorch's default is 0.1)");
        }
        this.momentum = momentum;
    }

    /** momentum 0.1, ε = 1e-5 (PyTorch's defaults). */
    public BatchNorm() { this(0.1, 1e-5); }

    public double momentum() { return momentum; }

    @Override public Layer freshCopy() { return new BatchNorm(momentum, eps); }

    @Override public String kind() { return "batchnorm"; }

    /** {runningMean, runningVar} (live arrays, float64), or empty before {@link #bind} or the first forward. */
    @Override public List<INDArray> buffers() { return buffers; }

    @Override public List<String> bufferNames() { return buffers.isEmpty() ? List.of() : List.of("running_mean", "running_var"); }

    @Override long features(long[] in) {
        if (in.length != 1 && in.length != 3) {
            throw new IllegalArgumentException("batch norm needs examples of shape (features) or (channels, height, width) but got "
                    + Arrays.toString(in) + (in.length == 2 ? "; for (tokens, features) use LayerNorm" : "; reshape or flatten the input first"));
        }
        return in[0];
    }

    private void ensureBuffers(long n) {
        if (runningMean != null && runningMean.length() == n) return;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            runningMean = Nd4j.zeros(DataType.DOUBLE, n);
            runningVar = Nd4j.ones(DataType.DOUBLE, n);
        }
        buffers = List.of(runningMean, runningVar);
    }

    /** Allocates the running statistics for this many features (a layer used on its own gets them at its first forward). */
    @Override public void bind(long[] in) { ensureBuffers(features(in)); }

    @Override int[] groupDims(int rank) {
        return switch (rank) {
            case 2 -> new int[]{0};
            case 4 -> new int[]{0, 2, 3};
            default -> throw new IllegalArgumentException("batch norm got a batch of rank " + rank + "; expected (batch, D) or (batch, C, H, W)");
        };
    }

    @Override int[] affineDims(int rank) { return groupDims(rank); }

    @Override boolean channelStatistics(int rank) { return rank == 4; }

    @Override long[] affineShape(long[] x) {
        return x.length == 2 ? new long[]{1, x[1]} : new long[]{1, x[1], 1, 1};
    }

    @Override INDArray[] fixedStatistics(INDArray x) {
        ensureBuffers(x.size(1));
        if (mode() == Mode.EVAL) {
            long[] shape = affineShape(x.shape());
            INDArray mu = runningMean.castTo(x.dataType()).reshape(shape);
            INDArray s = Transforms.pow(runningVar.add(eps), -0.5, false).castTo(x.dataType()).reshape(shape);
            return new INDArray[]{mu, s};
        }
        long count = x.length() / x.size(1);
        if (count < 2) {
            throw new IllegalArgumentException("batch norm in " + mode() + " mode needs more than one value per feature/channel to take batch statistics, got "
                    + count + " (input " + Arrays.toString(x.shape()) + "); use a batch of at least 2, setMode(EVAL), or LayerNorm");
        }
        return null;
    }

    @Override void observeBatchStatistics(INDArray mean, INDArray biasedVariance, long count) {
        if (mode() != Mode.TRAIN && mode() != Mode.STATISTICS) return;
        long n = runningMean.length();
        INDArray m = mean.reshape(n).castTo(DataType.DOUBLE);
        INDArray unbiased = biasedVariance.reshape(n).castTo(DataType.DOUBLE).mul((double) count / (count - 1));
        // TRAIN: exponential average with this layer's momentum; STATISTICS: the plain mean over the passes since the
        // mode was entered (torch's momentum = None, as torch.optim.swa_utils.update_bn uses)
        double w = mode() == Mode.TRAIN ? momentum : 1.0 / ++statisticsPasses;
        runningMean.muli(1 - w).addi(m.mul(w));
        runningVar.muli(1 - w).addi(unbiased.muli(w));
    }

    /** Entering {@link Mode#STATISTICS} restarts the plain mean of the running statistics. */
    @Override public void setMode(Mode mode) {
        if (mode == Mode.STATISTICS && mode() != Mode.STATISTICS) statisticsPasses = 0;
        super.setMode(mode);
    }
}
