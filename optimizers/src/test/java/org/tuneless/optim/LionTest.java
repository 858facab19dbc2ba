package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tuneless.objective.Quadratic;
import org.tuneless.optim.tuner.Cdat;

/** Lion (arXiv 2302.06675; the worked example of docs/adding-an-optimizer.md) on f = ½(w₁² + 10w₂²) from (1, 1). */
class LionTest {

    @Test void firstTwoStepsMoveEveryCoordinateByTheLearningRate() {
        // step 1: m = 0, c = 0.1·g = (0.1, 1) → sign 1; w = 1 − 0.01 = 0.99; m = 0.01·g = (0.01, 0.1)
        // step 2: g = (0.99, 9.9), c = 0.9·m + 0.1·g > 0 → w = 0.98
        List<double[]> w = OptimizerTesting.run(new Lion(0.01, 0.9, 0.99, 0), OptimizerTesting.quadratic(), 2, null);
        assertArrayEquals(new double[]{0.99, 0.99}, w.get(0), 1e-15);
        assertArrayEquals(new double[]{0.98, 0.98}, w.get(1), 1e-15);
    }

    @Test void decoupledWeightDecayShrinksTheWeightsByLrTimesLambda() {
        // w = w − lr·(sign(c) + λ·w) = 1 − 0.01·(1 + 0.5·1) = 0.985
        List<double[]> w = OptimizerTesting.run(new Lion(0.01, 0.9, 0.99, 0.5), OptimizerTesting.quadratic(), 1, null);
        assertArrayEquals(new double[]{0.985, 0.985}, w.get(0), 1e-15);
    }

    @Test void theMomentumAndNotTheGradientDecidesTheSignOnceTheyDisagree() {
        // w = (−0.5, 0) after a step from (1, 0)? Build a state whose momentum points the other way: β₁ = 0.9 weights m.
        Quadratic f = Quadratic.diagonal(new double[]{1, 1}, 1, 1);
        Lion lion = new Lion(0.1, 0.9, 0.99, 0);
        OptimizerState s = OptimizerTesting.init(lion, f);
        s.tensor("m").assign(-5);  // c = 0.9·(−5) + 0.1·1 = −4.4 < 0: Lion moves up the gradient, as its rule says
        OptimizerTesting.run(lion, s, f, 0, 1, null);
        assertArrayEquals(new double[]{1.1, 1.1}, f.parameters().toDoubleVector(), 1e-15);
        assertEquals(0.99 * -5 + 0.01 * 1.0, s.tensor("m").getDouble(0), 1e-15);
    }

    @Test void convergesToWithinTheStepOfTheMinimum() {
        Quadratic f = OptimizerTesting.quadratic();
        List<double[]> w = OptimizerTesting.run(new Lion(0.01, 0.9, 0.99, 0), f, 400, null);
        double[] last = w.get(w.size() - 1);
        assertTrue(Math.abs(last[0]) < 0.05 && Math.abs(last[1]) < 0.05, "w = " + java.util.Arrays.toString(last));
        assertTrue(f.loss() < 1e-2, "loss " + f.loss());
    }

    @Test void isInTheCatalogAsAnOptimizerAndAsATunersBase() {
        assertEquals("lion(lr=0.0001)", Optimizers.create("lion", Map.of()).name());
        assertTrue(Optimizers.create("cdat", Map.of("base", "lion")) instanceof Cdat);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("lion", Map.of("beta2", "1")));
        assertTrue(e.getMessage().contains("beta2") && e.getMessage().contains("1"), e.getMessage());
    }
}
