package org.tuneless.train;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.objective.Batch;
import org.tuneless.nn.Loss;
import org.tuneless.nn.Network;
import org.tuneless.tensor.Workspaces;

/** Mean loss and accuracy of a network on a (possibly large) batch, evaluated in chunks to bound memory. */
public final class Evaluator {

    /** Rows evaluated at once. */
    public static final int CHUNK = 1024;

    /** Accuracy is NaN when the targets are not class indicators (regression). */
    public record Result(double loss, double accuracy) {}

    private Evaluator() {}

    public static Result evaluate(Network network, Loss loss, Batch batch) {
        long n = batch.size();
        double lossSum = 0;
        long correct = 0, positions = 0;
        boolean classification = batch.targets().size(batch.targets().rank() - 1) > 1;
        for (long from = 0; from < n; from += CHUNK) {
            long to = Math.min(n, from + CHUNK);
            INDArray x = batch.inputs().get(NDArrayIndex.interval(from, to));
            INDArray t = batch.targets().get(NDArrayIndex.interval(from, to));
            INDArray y = network.predict(x);
            try (MemoryWorkspace ws = Workspaces.pass("evaluate")) {
                INDArray tt = t.dataType() == y.dataType() ? t : t.castTo(y.dataType());
                lossSum += Loss.evaluateRows(loss, y, tt).value() * (to - from);
                if (classification) {  // sequence outputs: accuracy over every position
                    INDArray yr = Loss.asRows(y), tr = Loss.asRows(tt);
                    INDArray hits = Nd4j.argMax(yr, 1).eq(Nd4j.argMax(tr, 1));
                    correct += hits.castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue();
                    positions += yr.size(0);
                }
            }
        }
        return new Result(lossSum / n, classification ? (double) correct / positions : Double.NaN);
    }
}
