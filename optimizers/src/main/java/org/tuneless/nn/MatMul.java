package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products for the layers: one BLAS GEMM into a new row-major array. ND4J's {@code INDArray.mmul} and its
 * allocating {@code Nd4j.gemm(a, b, ta, tb)} took 45 and 22 ms where this takes 12 ms for a 1024 × 1024 by 1024 × 1024
 * float32 product on one thread (the same BLAS underneath; benchmarks/README.md, "Where the speed and memory targets
 * stand"): the tangent and second-tangent passes of the dense layers used them.
 */
final class MatMul {

    private MatMul() {}

    /** a·b, aᵀ·b, a·bᵀ or aᵀ·bᵀ (by {@code ta}, {@code tb}) as a new row-major array. */
    static INDArray product(INDArray a, INDArray b, boolean ta, boolean tb) {
        INDArray out = Nd4j.createUninitialized(a.dataType(), ta ? a.size(1) : a.size(0), tb ? b.size(0) : b.size(1));
        Nd4j.gemm(a, b, out, ta, tb, 1.0, 0.0);
        return out;
    }

    /** a·b as a new row-major array. */
    static INDArray product(INDArray a, INDArray b) { return product(a, b, false, false); }
}
