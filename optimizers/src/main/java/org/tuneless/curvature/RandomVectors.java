package org.tuneless.curvature;

import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;

/**
 * Seeded random probe vectors. Drawn in Java from a {@link SplittableRandom}: ND4J 1.0.0-M2.1's native generators
 * created with the same seed do not repeat their sequence, which would break "same seed, same numbers". One vector per
 * power iteration or probe (O(n), against the O(n·batch) HVPs that use it), so this is not a hot path.
 */
final class RandomVectors {

    private RandomVectors() {}

    static SplittableRandom generator(long seed) {
        return new SplittableRandom(seed);
    }

    static INDArray gaussian(SplittableRandom rng, DataType type, long n) {
        java.util.Random g = new java.util.Random(rng.nextLong());
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = g.nextGaussian();
        return create(v, type);
    }

    /** Entries ±1 with equal probability. */
    static INDArray rademacher(SplittableRandom rng, DataType type, long n) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextBoolean() ? 1.0 : -1.0;
        return create(v, type);
    }

    private static INDArray create(double[] v, DataType type) {
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            return Nd4j.createFromArray(v).castTo(type);
        }
    }
}
