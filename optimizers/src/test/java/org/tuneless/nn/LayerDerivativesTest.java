package org.tuneless.nn;

import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Every layer's backward, jvp, R-op (HVP) and second tangent against central finite differences in float64. */
class LayerDerivativesTest {

    private static final UnaryOperator<INDArray> AS_IS = a -> a;

    /** Keeps ReLU inputs at least 0.1 away from the kink, where finite differences are valid. */
    private static final UnaryOperator<INDArray> AWAY_FROM_ZERO = a -> a.add(Transforms.sign(a, true).muli(0.1));

    @Test void denseWithBias() { new LayerDerivativeCheck(new Dense(3, true, Init.HE), 4, new long[]{5}, 1, AS_IS).checkAll(); }

    @Test void denseWithoutBias() { new LayerDerivativeCheck(new Dense(3, false, Init.HE), 4, new long[]{5}, 2, AS_IS).checkAll(); }

    @Test void tanh() { new LayerDerivativeCheck(new Tanh(), 4, new long[]{6}, 3, AS_IS).checkAll(); }

    @Test void gelu() { new LayerDerivativeCheck(new Gelu(), 4, new long[]{6}, 4, AS_IS).checkAll(); }

    @Test void reluAwayFromKink() { new LayerDerivativeCheck(new Relu(), 4, new long[]{6}, 5, AWAY_FROM_ZERO).checkAll(); }

    @Test void flatten() { new LayerDerivativeCheck(new Flatten(), 3, new long[]{2, 3, 2}, 6, AS_IS).checkAll(); }
}
