package org.tuneless.nn;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.objective.Batch;
import org.tuneless.objective.ReluInputs;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;

/**
 * {@link ReluInputs} of a network on a batch (what {@link NetworkObjective} offers as a capability): for every ReLU, at
 * any depth, its pre-activation a and the change Δa = J·Δθ when the parameters of the layers feeding it (since the
 * previous ReLU or the start of the enclosing block) move by their block of the delta — exact for affine layers (dense,
 * conv), first order through normalization, via each layer's forward tangent ({@link Layer#jvp}).
 */
final class NetworkReluInputs implements ReluInputs {

    private final Network network;
    private final Batch batch;

    NetworkReluInputs(Network network, Batch batch) {
        this.network = network;
        this.batch = batch;
    }

    @Override public void forEach(INDArray delta, Visitor visitor) {
        ParameterLayout layout = network.layout();
        if (delta.length() != layout.size()) {
            throw new IllegalArgumentException("parameter change has length " + delta.length() + " but the network has " + layout.size() + " parameters");
        }
        if (delta.dataType() != network.dataType()) {
            throw new IllegalArgumentException("parameter change is " + delta.dataType() + " but the network is " + network.dataType());
        }
        List<Layer> layers = network.layers();
        List<ParameterTensor> tensors = layout.tensors();
        INDArray params = network.parameters();
        INDArray[][] thetas = new INDArray[layers.size()][], deltas = new INDArray[layers.size()][];
        int[] first = new int[layers.size()];
        int next = 0;
        for (int i = 0; i < layers.size(); i++) {
            String name = layers.get(i).name();
            int from = next;
            while (next < tensors.size() && tensors.get(next).layer().equals(name)) next++;
            thetas[i] = new INDArray[next - from];
            deltas[i] = new INDArray[next - from];
            for (int k = from; k < next; k++) {
                thetas[i][k - from] = ParameterLayout.view(params, tensors.get(k));
                deltas[i][k - from] = ParameterLayout.view(delta, tensors.get(k));
            }
            first[i] = next > from ? from : 0;
        }
        if (next != tensors.size()) throw new IllegalStateException("parameter tensors " + tensors.subList(next, tensors.size()) + " belong to no layer");
        network.withForwardPass(batch, () -> visitChain(layers, thetas, deltas, first, visitor));
    }

    private static void visitChain(List<Layer> chain, INDArray[][] thetas, INDArray[][] deltas, int[] first, Visitor visitor) {
        int start = 0;
        for (int i = 0; i < chain.size(); i++) {
            Layer layer = chain.get(i);
            if (layer instanceof Relu relu) {
                List<Integer> tensors = new ArrayList<>();
                INDArray da = null;
                for (int j = start; j < i; j++) {
                    da = chain.get(j).jvp(da, thetas[j], deltas[j]);
                    for (int k = 0; k < thetas[j].length; k++) tensors.add(first[j] + k);
                }
                if (da != null && !tensors.isEmpty()) visitor.visit(tensors.stream().mapToInt(Integer::intValue).toArray(), relu.lastInput(), da);
                start = i + 1;
            } else if (layer instanceof Sequential seq) {
                List<Layer> kids = seq.children();
                INDArray[][] t = new INDArray[kids.size()][], d = new INDArray[kids.size()][];
                int[] f = new int[kids.size()];
                int offset = 0;
                for (int k = 0; k < kids.size(); k++) {
                    t[k] = seq.slice(thetas[i], k);
                    d[k] = seq.slice(deltas[i], k);
                    f[k] = first[i] + offset;
                    offset += t[k].length;
                }
                visitChain(kids, t, d, f, visitor);
            } else if (layer instanceof Residual res) {
                visitChain(List.of(res.body()), new INDArray[][]{res.bodyPart(thetas[i])}, new INDArray[][]{res.bodyPart(deltas[i])}, new int[]{first[i]}, visitor);
                if (res.shortcut() != null) {
                    visitChain(List.of(res.shortcut()), new INDArray[][]{res.skipPart(thetas[i])}, new INDArray[][]{res.skipPart(deltas[i])},
                            new int[]{first[i] + res.bodyTensorCount()}, visitor);
                }
            }
        }
    }
}
