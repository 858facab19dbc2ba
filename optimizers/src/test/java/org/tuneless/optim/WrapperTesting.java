package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.tuneless.objective.Objective;

/** Helpers for the wrapper tests (schedules, averaging, Lookahead, SAM). */
final class WrapperTesting {

    private WrapperTesting() {}

    /**
     * k = 7 steps, then a copy of the state and the parameters continues 10 more steps in a fresh objective; the result
     * equals the uninterrupted 17 steps bit for bit (parameters, learning rates, state).
     */
    static void assertStateRoundTrip(Optimizer o, Supplier<? extends Objective> problem) {
        int k = 7, more = 10;
        Objective whole = problem.get();
        OptimizerState wholeState = OptimizerTesting.init(o, whole);
        List<StepResult> wholeR = new ArrayList<>();
        List<double[]> wholeW = OptimizerTesting.run(o, wholeState, whole, 0, k + more, wholeR);

        Objective first = problem.get();
        OptimizerState firstState = OptimizerTesting.init(o, first);
        OptimizerTesting.run(o, firstState, first, 0, k, null);
        OptimizerState copy = firstState.copy();
        Objective resumed = problem.get();
        resumed.parameters().assign(first.parameters().dup());
        List<StepResult> resumedR = new ArrayList<>();
        List<double[]> resumedW = OptimizerTesting.run(o, copy, resumed, k, more, resumedR);
        for (int i = 0; i < more; i++) {
            assertArrayEquals(wholeW.get(k + i), resumedW.get(i), 0, o.name() + " parameters at step " + (k + i));
            assertEquals(wholeR.get(k + i).learningRate(), resumedR.get(i).learningRate(), 0, o.name() + " lr at step " + (k + i));
        }
        assertEquals(wholeState, copy, o.name() + " final state");
    }
}
