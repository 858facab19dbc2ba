package org.tuneless.curvature;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Workspaces;

/** Seeded random probe vectors drawn by ND4J's native generator (one call per vector). */
final class RandomVectors {

    private RandomVectors() {}

    static Random generator(long seed) {
        return Nd4j.getRandomFactory().getNewRandomInstance(seed);
    }

    static INDArray gaussian(Random rng, DataType type, long n) {
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            INDArray v = Nd4j.createUninitialized(type, n);
            Nd4j.getExecutioner().exec(new GaussianDistribution(v, 0.0, 1.0), rng);
            return v;
        }
    }

    /** Entries ±1 with equal probability. */
    static INDArray rademacher(Random rng, DataType type, long n) {
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            INDArray v = Nd4j.createUninitialized(type, n);
            Nd4j.getExecutioner().exec(new BernoulliDistribution(v, 0.5), rng);
            return v.muli(2).subi(1);
        }
    }
}
