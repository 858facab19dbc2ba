package org.tuneless.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Init;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.nn.SoftmaxCrossEntropy;

/** {@link Objective#withParameters}: evaluates elsewhere and always puts the live parameters back, bit for bit. */
class WithParametersTest {

    static NetworkObjective mlp() {
        Network net = Models.mlpBuilder(Models.Activation.RELU, true, Init.HE, 4, 8, 3).build(DataType.DOUBLE, 1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 10, 4).subi(0.5);
        INDArray t = Nd4j.zeros(DataType.DOUBLE, 10, 3);
        for (int i = 0; i < 10; i++) t.putScalar(i, i % 3, 1);
        return new NetworkObjective(net, new SoftmaxCrossEntropy(), new Batch(x, t));
    }

    @Test void evaluatesAtThePointAndRestoresTheParametersBitForBit() {
        NetworkObjective f = mlp();
        INDArray live = f.parameters();
        double[] before = live.toDoubleVector();
        double lossHere = f.loss();
        INDArray point = live.dup().addi(Nd4j.rand(DataType.DOUBLE, live.length()).muli(0.1));
        double there = f.withParameters(point, () -> {
            assertArrayEquals(point.toDoubleVector(), f.parameters().toDoubleVector(), 0, "inside the scope the parameters are the point");
            return f.loss();
        });
        assertArrayEquals(before, live.toDoubleVector(), 0);
        assertSame(live, f.parameters(), "the live vector is the same object");
        assertEquals(lossHere, f.loss(), 0);
        assertTrue(there != lossHere);
        assertEquals(there, f.lossAt(point), 0, "lossAt is withParameters(point, loss)");
        assertArrayEquals(before, live.toDoubleVector(), 0);
    }

    @Test void restoresTheParametersWhenTheBodyThrows() {
        NetworkObjective f = mlp();
        double[] before = f.parameters().toDoubleVector();
        INDArray point = Nd4j.zeros(DataType.DOUBLE, f.dimension());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.withParameters(point, () -> {
            f.parameters().muli(3);  // even a body that scribbles on the live vector
            throw new IllegalStateException("boom");
        }));
        assertEquals("boom", e.getMessage());
        assertArrayEquals(before, f.parameters().toDoubleVector(), 0);
    }

    @Test void scopesNestAndTheBodyMayReuseThePointVector() {
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        double[] before = q.parameters().toDoubleVector();
        INDArray a = Nd4j.createFromArray(2.0, 0.0), b = Nd4j.createFromArray(0.0, 1.0);
        double[] seen = q.withParameters(a, () -> {
            a.assign(7);  // the point is read once, on entry
            double inner = q.withParameters(b, q::loss);
            return new double[]{q.parameters().getDouble(0), inner, q.loss()};
        });
        assertArrayEquals(new double[]{2.0, 5.0, 2.0}, seen, 0);
        assertArrayEquals(before, q.parameters().toDoubleVector(), 0);
    }

    @Test void aPointOfTheWrongLengthIsRefusedWithBothLengths() {
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.withParameters(Nd4j.zeros(DataType.DOUBLE, 3), q::loss));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("2"), e.getMessage());
    }

    @Test void capabilitiesAreAskedNotDowncast() {
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        assertTrue(q.capability(ReluInputs.class).isEmpty());
        assertSame(q, q.capability(Quadratic.class).orElseThrow(), "an objective offers what it implements");
        NetworkObjective f = mlp();
        int[] relus = {0};
        f.capability(ReluInputs.class).orElseThrow().forEach(Nd4j.zeros(DataType.DOUBLE, f.dimension()), (tensors, a, da) -> {
            relus[0]++;
            assertArrayEquals(new int[]{0, 1}, tensors);
            assertEquals(0.0, da.amaxNumber().doubleValue(), 0, "no parameter change, no pre-activation change");
        });
        assertEquals(1, relus[0]);
    }
}
