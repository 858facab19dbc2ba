package org.tuneless.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;

/**
 * Inverted dropout (Srivastava et al. 2014, JMLR 15): in {@link Layer.Mode#TRAIN} mode y = x ⊙ m / (1 − rate) with
 * m ~ Bernoulli(1 − rate) elementwise, a new mask at every forward call; in CURVATURE and EVAL mode the identity.
 * Linear in x for a fixed mask, so every tangent and R-op multiplies by the mask of the current pass.
 *
 * <p>Masks are drawn on the native side as whole tensors from a private ND4J generator seeded from {@code seed}:
 * the same seed gives the same sequence of masks (ND4J treats native seed 0 as "seed from the clock", so the user
 * seed is first mixed into a non-zero native seed). {@link #freshCopy()} restarts the sequence.
 */
public final class Dropout extends Layer {

    private final double rate;
    private final long seed;
    private final Random rng;
    private INDArray mask;         // scaled mask of the current pass, null when the layer is the identity
    private boolean frozen;        // test hook: reuse one mask across passes
    private INDArray frozenMask;   // detached

    public Dropout(double rate, long seed) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate = " + rate + " must be in [0, 1) (the fraction of units dropped, e.g. 0.1)");
        }
        this.rate = rate;
        this.seed = seed;
        long nativeSeed = new SplittableRandom(seed).nextLong();
        if (nativeSeed == 0) nativeSeed = 0x9E3779B97F4A7C15L;  // 0 means "clock seed" to ND4J
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            this.rng = Nd4j.getRandomFactory().getNewRandomInstance(nativeSeed);
        }
    }

    public double rate() { return rate; }

    public long seed() { return seed; }

    /** The native generator's state {root, node}: where the mask sequence stands. */
    long[] generatorState() { return new long[]{rng.rootState(), rng.nodeState()}; }

    void restoreGeneratorState(long[] state) {
        if (state.length != 2) throw new IllegalArgumentException("a dropout generator state is {root, node}, got " + state.length + " values");
        rng.setStates(state[0], state[1]);
    }

    @Override public Layer freshCopy() { return new Dropout(rate, seed); }

    @Override public String kind() { return "dropout"; }

    @Override public long[] outputShape(long[] in) { return in.clone(); }

    /**
     * Test hook: while frozen, TRAIN-mode forwards reuse one mask (drawn at the next forward, or kept from the last one
     * if the shape matches), so finite differences see a fixed function.
     */
    void freezeMask(boolean frozen) {
        this.frozen = frozen;
        if (!frozen) frozenMask = null;
        else if (mask != null) {
            try (MemoryWorkspace ignored = Workspaces.detached()) {
                frozenMask = mask.dup();
            }
        }
    }

    private INDArray draw(INDArray x) {
        INDArray m = Nd4j.createUninitialized(x.dataType(), x.shape());
        Nd4j.getExecutioner().exec(new BernoulliDistribution(m, 1 - rate), rng);
        return m.muli(1 / (1 - rate));
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        if (mode() != Mode.TRAIN || rate == 0) {
            mask = null;
            return x;
        }
        if (frozen) {
            if (frozenMask == null || !Arrays.equals(frozenMask.shape(), x.shape())) {
                try (MemoryWorkspace ignored = Workspaces.detached()) {
                    frozenMask = draw(x);
                }
            }
            mask = frozenMask;
        } else {
            mask = draw(x);
        }
        return x.mul(mask);
    }

    private INDArray apply(INDArray t) {
        if (t == null) return null;
        return mask == null ? t : t.mul(mask);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        return needInputGrad ? apply(gy) : null;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) { return apply(dx); }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return needInputGrad ? apply(rgy) : null;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        return new INDArray[]{apply(dx), apply(ddx)};
    }
}
