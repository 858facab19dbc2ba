package org.tuneless.nn;

import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.objective.Batch;
import org.tuneless.objective.Objective;
import org.tuneless.objective.ReluInputs;

/** The loss of a {@link Network} on the current {@link Batch}, as an {@link Objective}. Set the batch before each step. */
public final class NetworkObjective implements Objective {

    private final Network network;
    private final Loss loss;
    private Batch batch;

    public NetworkObjective(Network network, Loss loss, Batch batch) {
        this.network = network;
        this.loss = loss;
        this.batch = batch;
    }

    public Network network() { return network; }

    public Loss lossFunction() { return loss; }

    public Batch batch() { return batch; }

    /** Evaluates on {@code batch} from now on. */
    public NetworkObjective useBatch(Batch batch) {
        this.batch = batch;
        return this;
    }

    private Batch requireBatch() {
        if (batch == null) throw new IllegalStateException("no batch set: call useBatch(batch) before evaluating the objective");
        return batch;
    }

    @Override public INDArray parameters() { return network.parameters(); }

    @Override public double loss() { return network.loss(loss, requireBatch()); }

    @Override public double lossAndGradient(INDArray gradientOut) { return network.lossAndGradient(loss, requireBatch(), gradientOut); }

    @Override public void hvp(INDArray v, INDArray out) { network.hvp(loss, requireBatch(), v, out, null); }

    /** {@link #lossAndGradient}, the forward activations kept for one uᵀHu ({@link Network#lossAndGradientKeepingForward}). */
    public Network.ForwardKept lossAndGradientKeepingForward(INDArray gradientOut) {
        return network.lossAndGradientKeepingForward(loss, requireBatch(), gradientOut);
    }

    /** The forward pass once ({@link Network#hvpSession}), then only the R-op passes per product. */
    @Override public HessianProducts hessianProducts() {
        Network.HvpSession s = network.hvpSession(loss, requireBatch());
        return new HessianProducts() {
            @Override public void apply(INDArray v, INDArray out) { s.apply(v, out); }

            @Override public void close() { s.close(); }
        };
    }

    @Override public double curvatureAlong(INDArray u) { return network.curvatureAlong(loss, requireBatch(), u); }

    /** Offers {@link ReluInputs} (the network's ReLU pre-activations on the current batch) besides the default capabilities. */
    @Override public <T> Optional<T> capability(Class<T> type) {
        if (type == ReluInputs.class) return Optional.of(type.cast(new NetworkReluInputs(network, requireBatch())));
        return Objective.super.capability(type);
    }
}
