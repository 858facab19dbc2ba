package org.tuneless.curvature;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A symmetric linear map on flat parameter-shaped vectors, applied matrix-free (usually a Hessian). */
public interface LinearOperator {

    long dimension();

    DataType dataType();

    /** out ← A·v. */
    void apply(INDArray v, INDArray out);

    /** How many times {@link #apply} ran (each is one Hessian-vector product for a Hessian operator). */
    long applications();
}
