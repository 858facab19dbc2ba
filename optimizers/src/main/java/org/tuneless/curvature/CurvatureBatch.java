package org.tuneless.curvature;

import org.bytedeco.javacpp.Pointer;
import org.tuneless.nn.Loss;
import org.tuneless.nn.Network;
import org.tuneless.objective.Batch;

/**
 * Curvature batches that fit in memory ({@code --curvature-batch auto}): the largest number of examples whose exact
 * Hessian-vector products fit a memory budget, from {@link Network#memoryPlan}. An HVP session keeps its forward pass
 * (about a gradient pass's workspace), runs its first product outside workspaces and the later ones in one, so it needs
 * ≈ gradient + 2 × HVP bytes — linear in the batch, as the plan is.
 */
public final class CurvatureBatch {

    private CurvatureBatch() {}

    /** Bytes an HVP session needs at {@code rows} examples (see the class comment). */
    public static long sessionBytes(Network.MemoryPlan plan) { return plan.gradientBytes() + 2 * plan.hvpBytes(); }

    /**
     * Half of what ND4J may still allocate: the smaller of JavaCPP's limit on this process ({@code maxPhysicalBytes}
     * minus what it holds now; {@code -Dorg.bytedeco.javacpp.maxPhysicalBytes}) and the memory the machine has available.
     */
    public static long defaultBudget() {
        long available = Pointer.availablePhysicalBytes();
        long max = Pointer.maxPhysicalBytes();
        long room = max > 0 ? Math.max(0, max - Pointer.physicalBytes()) : Long.MAX_VALUE;
        long limit = Math.min(available > 0 ? available : Long.MAX_VALUE, room);
        return limit == Long.MAX_VALUE ? Long.MAX_VALUE : limit / 2;
    }

    /**
     * The largest k ≤ {@code rows} whose HVP session fits {@code budget} bytes.
     *
     * @throws IllegalStateException not even one example fits (the message gives both sizes and the fix)
     */
    public static long fit(Network net, Loss loss, long rows, long budget) {
        if (rows < 1) throw new IllegalArgumentException("curvature batch: " + rows + " rows; need ≥ 1");
        Network.MemoryPlan one = net.memoryPlan(1, loss), two = net.memoryPlan(2, loss);
        long a = sessionBytes(one), perExample = Math.max(1, sessionBytes(two) - a);
        if (a > budget) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "an exact HVP of this network needs about %,d bytes even on one example, more than the memory budget of %,d bytes; "
                            + "give the JVM more memory (-Xmx, -Dorg.bytedeco.javacpp.maxPhysicalBytes) or measure curvature on a smaller model", a, budget));
        }
        long k = 1 + (budget - a) / perExample;
        return Math.min(rows, k);
    }

    /** The first {@code k} examples of {@code b} (views; {@code b} itself when it has no more). */
    public static Batch firstRows(Batch b, long k) {
        long n = b.inputs().size(0);
        if (k >= n) return b;
        return new Batch(b.inputs().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k)),
                b.targets().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k)));
    }
}
