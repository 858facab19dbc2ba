package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Vectors;

class NetworkStructureTest {

    @Test void mlpHasTheHandCountedParametersAndNamedViews() {
        Network net = Models.mlp(784, 256, 256, 10);
        // 784·256 + 256 + 256·256 + 256 + 256·10 + 10
        assertEquals(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10, net.parameterCount());
        List<ParameterTensor> t = net.layout().tensors();
        assertEquals(List.of("dense0.W", "dense0.b", "dense1.W", "dense1.b", "dense2.W", "dense2.b"), t.stream().map(ParameterTensor::name).toList());
        assertArrayEquals(new long[]{784, 256}, t.get(0).shape());
        assertEquals(784, t.get(0).fanIn());
        assertEquals(256, t.get(0).fanOut());
        assertTrue(net.summary().contains("total parameters: 269,322"), net.summary());
        assertArrayEquals(new long[]{10}, net.outputShape());
    }

    @Test void viewsWriteThroughToTheFlatBuffer() {
        Network net = Models.mlp(3, 2, 2);
        INDArray b = net.layout().view(net.parameters(), "dense0.b");
        b.assign(5);
        long off = net.layout().tensor("dense0.b").offset();
        assertEquals(5.0, net.parameters().getDouble(off), 0);
        assertEquals(5.0, net.parameters().getDouble(off + 1), 0);
    }

    @Test void sameSeedSameWeightsDifferentSeedDifferentWeights() {
        INDArray a = Models.mlpBuilder(Models.Activation.RELU, true, Init.HE, 10, 8, 3).build(DataType.FLOAT, 1).parameters();
        INDArray b = Models.mlpBuilder(Models.Activation.RELU, true, Init.HE, 10, 8, 3).build(DataType.FLOAT, 1).parameters();
        INDArray c = Models.mlpBuilder(Models.Activation.RELU, true, Init.HE, 10, 8, 3).build(DataType.FLOAT, 2).parameters();
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test void heInitHasTheRightScale() {
        Network net = Models.mlpBuilder(Models.Activation.RELU, false, Init.HE, 400, 300).build(DataType.DOUBLE, 0);
        double std = net.parameters().stdNumber().doubleValue();
        assertEquals(Math.sqrt(2.0 / 400), std, 0.02 * Math.sqrt(2.0 / 400));
    }

    @Test void orthogonalInitHasAllSingularValuesEqualToSqrtFanOutOverFanIn() {
        for (long[] shape : new long[][]{{6, 4}, {4, 6}, {5, 5}}) {
            INDArray w = Nd4j.zeros(DataType.DOUBLE, shape[0], shape[1]);
            Init.ORTHOGONAL.fill(w, shape[0], shape[1], new SplittableRandom(3));
            double s2 = (double) shape[1] / shape[0];
            // WᵀW (tall) or WWᵀ (wide) equals s²·I
            INDArray gram = shape[0] >= shape[1] ? w.transpose().mmul(w) : w.mmul(w.transpose());
            INDArray expected = Nd4j.eye(gram.rows()).castTo(DataType.DOUBLE).muli(s2);
            assertTrue(Vectors.norm(gram.sub(expected)) < 1e-12, "shape " + shape[0] + "x" + shape[1]);
        }
    }

    @Test void modelSpecsParseAndBadSpecsExplainThemselves() {
        Network net = Models.parse("mlp:784-100-10:tanh").build();
        assertEquals(784 * 100 + 100 + 100 * 10 + 10, net.parameterCount());
        assertEquals("tanh", net.layers().get(1).kind());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.parse("resnet9")).getMessage().contains("valid: mlp"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.parse("mlp:784-x-10")).getMessage().contains("784-x-10"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.parse("mlp:784-10:swish")).getMessage().contains("relu, tanh, gelu"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.parse("mlp:784")).getMessage().contains("at least"));
    }

    @Test void copyIsIndependent() {
        Network net = Models.mlp(4, 3, 2);
        Network copy = net.copy();
        assertEquals(net.parameters(), copy.parameters());
        copy.parameters().addi(1);
        assertNotEquals(net.parameters(), copy.parameters());
    }
}
