package org.tuneless.train;

import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.objective.Batch;
import org.tuneless.nn.Network;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.objective.Objective;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.OptimizerState;

/** What plug-ins see of a run in progress. Arrays are live views: copy them to keep them. */
public interface TrainingContext {

    /** The step being taken (0-based). */
    long step();

    long totalSteps();

    long seed();

    Objective objective();

    /** The network when training one (absent for synthetic objectives). */
    Optional<Network> network();

    Optimizer optimizer();

    /** The optimizer's live state (read it, do not modify it; {@link OptimizerState#copy()} to keep it). */
    OptimizerState optimizerState();

    ParameterLayout layout();

    /** The current batch (absent for synthetic objectives); valid during this step only ({@code dup()} to keep it). */
    Optional<Batch> batch();

    /** Loss at the parameters before this step's update. */
    double loss();

    /** Gradient at the parameters before this step's update. */
    INDArray gradient();

    /** Learning rate the optimizer applied in this step (NaN before the update). */
    double learningRate();

    /** Parameters before this step's update. */
    INDArray previousParameters();

    /** The update w_{t+1} − w_t just applied (zeros before the update). */
    INDArray update();

    /** Asks the loop to stop after this step, with status STOPPED. */
    void requestStop(String reason);
}
