package org.tuneless.nn;

import org.tuneless.data.Batch;

/** Test data shared across packages. */
public final class NetworkObjectiveTesting {

    private NetworkObjectiveTesting() {}

    /** Seeded Gaussian inputs (n, in) and one-hot targets over {@code classes}, float64. */
    public static Batch batch(long n, long in, int classes, long seed) { return NetworkCurvatureTest.batch(n, in, classes, seed); }
}
