package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tuneless.optim.theory.EdgeOfStabilityModel;
import org.tuneless.optim.theory.EdgeOfStabilityModel.Trajectory;

/** The simplified models of Roulet et al. (arXiv 2407.06183, eq. 4–6, 9–10; docs/methods.md §4.4) reproduce the qualitative behaviour of its Figs. 4 and 9 (parameters of App. C.5). */
class EdgeOfStabilityModelTest {

    @Test void constantLearningRateOscillatesAroundTheEdgeAndLambdaStabilizes() {
        // Fig. 4 blue: a = 3e-2, b = 3e-1, η = 1 over 100 steps; start at λ₀ = 2/η with p₀ = 0.09 ≈ a/b (initial
        // conditions are not given in the paper)
        Trajectory t = EdgeOfStabilityModel.simulate(3e-2, 3e-1, 2.0, 0.3, EdgeOfStabilityModel.constant(1.0), 100);
        assertEquals(0.0, Trajectory.mean(t.y(), 50, 100), 0.05, "y oscillates around 0");
        int signChanges = 0;
        for (int i = 51; i < 100; i++) if (Math.signum(t.y()[i]) != Math.signum(t.y()[i - 1])) signChanges++;
        assertTrue(signChanges >= 4, "y changes sign " + signChanges + " times");
        for (int i = 50; i < 100; i++) assertTrue(t.lambda()[i] > 1.7 && t.lambda()[i] < 2.2, "λ stays near 2/η: " + t.lambda()[i]);
    }

    @Test void lineSearchModelBelowTheEdgeSharpensProgressively() {
        // Fig. 4 orange: η_t = 1.9/λ_t (y fixed at −0.1), a = 1, b = 0.5, η₀ = 1 ⇒ λ₀ = 1.9
        Trajectory t = EdgeOfStabilityModel.simulate(1, 0.5, 1.9, 0.3, EdgeOfStabilityModel.lineSearchRule(0.05), 100);
        for (int i = 0; i < 100; i++) assertEquals(-0.1, t.y()[i], 1e-12);
        for (int i = 20; i < 100; i++) assertTrue(t.lambda()[i] >= t.lambda()[i - 1] - 1e-12, "λ grows at step " + i);
        assertTrue(t.lambda()[99] > 5 * t.lambda()[0], "λ " + t.lambda()[0] + " → " + t.lambda()[99]);
        assertTrue(t.eta()[99] < t.eta()[0] / 5, "and the learning rate falls");
    }

    @Test void cdatOnTheEdgeStabilizesY() {
        // Fig. 9: a = 5e-2, b = 1e-1, ν = 0.1, λ₀ = 18, η₀ = 0.05, g₀ = p₀ = 4
        Trajectory edge = EdgeOfStabilityModel.simulateCdat(5e-2, 1e-1, 0.1, 2.0, 18, 0.05, 4, 4, 400);
        assertEquals(0.0, Trajectory.mean(edge.y(), 200, 400), 0.05, "σ = 2 keeps y close to the edge");
        assertTrue(edge.lambda()[399] < 2 * edge.lambda()[0], "sharpness stays bounded: " + edge.lambda()[399]);
        Trajectory greedy = EdgeOfStabilityModel.simulateCdat(5e-2, 1e-1, 0.1, 1.0, 18, 0.05, 4, 4, 400);
        assertTrue(greedy.lambda()[399] > 3 * edge.lambda()[399], "σ = 1 sits below the edge and sharpens: λ " + greedy.lambda()[399]);
    }
}
