package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** tanh: σ' = 1 − t², σ'' = −2t(1 − t²). */
public final class Tanh extends ElementwiseActivation {

    @Override public Layer freshCopy() { return new Tanh(); }

    @Override public String kind() { return "tanh"; }

    @Override protected INDArray value(INDArray x) { return Transforms.tanh(x, true); }

    @Override protected INDArray firstDerivative(INDArray x) {
        INDArray t = Transforms.tanh(x, true);
        return t.muli(t).rsubi(1.0);
    }

    @Override protected INDArray secondDerivative(INDArray x) {
        INDArray t = Transforms.tanh(x, true);
        INDArray oneMinusT2 = t.mul(t).rsubi(1.0);
        return t.muli(oneMinusT2).muli(-2.0);
    }
}
