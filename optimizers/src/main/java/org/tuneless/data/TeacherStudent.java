package org.tuneless.data;

import java.util.Random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Init;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;

/**
 * Synthetic regression: inputs x ~ N(0, I_d) and targets y = teacher(x) + noise·N(0, 1), where the teacher is a
 * fixed random tanh MLP d → hidden → k drawn from the seed. Same seed, same data.
 */
public final class TeacherStudent {

    private TeacherStudent() {}

    public static Dataset generate(int samples, int inputDim, int hidden, int outputDim, double noise, long seed) {
        if (samples <= 0 || inputDim <= 0 || hidden <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException("teacher–student sizes must be positive: samples " + samples + ", input " + inputDim
                    + ", hidden " + hidden + ", output " + outputDim);
        }
        if (noise < 0) throw new IllegalArgumentException("noise = " + noise + " must be ≥ 0");
        Random rng = new Random(seed);
        double[] x = new double[samples * inputDim];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
        INDArray inputs = Nd4j.createFromArray(x).reshape(samples, inputDim).castTo(DataType.FLOAT);
        Network teacher = Models.mlpBuilder(Models.Activation.TANH, true, Init.GLOROT, inputDim, hidden, outputDim)
                .build(DataType.FLOAT, rng.nextLong());
        INDArray y = teacher.predict(inputs);
        if (noise > 0) {
            double[] e = new double[samples * outputDim];
            for (int i = 0; i < e.length; i++) e[i] = noise * rng.nextGaussian();
            y.addi(Nd4j.createFromArray(e).reshape(samples, outputDim).castTo(DataType.FLOAT));
        }
        return Dataset.regression(inputs, y);
    }
}
