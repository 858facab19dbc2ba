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

    /** Rows evaluated at once, at most. */
    public static final int CHUNK = 1024;

    /**
     * Workspace bytes a chunk's predict pass may take (default 256 MB, {@code -Dtuneless.eval.chunkBytes}): the chunk is
     * {@link Network#predictRows} under this budget, so a small MLP evaluates 1,024 rows at once and a ResNet-18 on
     * 28×28 images a few dozen (at 512 rows its forward was 3.5× slower per image and took a 4 GB workspace).
     */
    public static final long CHUNK_BYTES = Long.getLong("tuneless.eval.chunkBytes", 256L << 20);

    /** Accuracy is NaN when the targets are not class indicators (regression). */
    public record Result(double loss, double accuracy) {}

    private Evaluator() {}

    public static Result evaluate(Network network, Loss loss, Batch batch) { return evaluate(network, loss, batch, CHUNK_BYTES); }

    /** {@link #evaluate(Network, Loss, Batch)} with chunks whose predict pass takes at most {@code chunkBytes} of workspace. */
    public static Result evaluate(Network network, Loss loss, Batch batch, long chunkBytes) {
        long n = batch.size();
        double lossSum = 0;
        long correct = 0, positions = 0;
        boolean classification = batch.targets().size(batch.targets().rank() - 1) > 1;
        long chunk = n <= 1 ? 1 : network.predictRows(chunkBytes, CHUNK);
        for (long from = 0; from < n; from += chunk) {
            long to = Math.min(n, from + chunk);
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
