package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Comparisons shared by the layer-level kernel tests (fused against ND4J float32 against float64). */
final class KernelComparisons {

    private KernelComparisons() {}

    /**
     * Each quantity k of {@code a} within {@code rel} × max|b[k]| of {@code b}, element by element; {@code names}[k]
     * names quantity k in the failure message.
     */
    static void close(double[][] a, double[][] b, double rel, String what, String... names) {
        for (int k = 0; k < a.length; k++) {
            double scale = 0;
            for (double v : b[k]) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < a[k].length; i++) {
                final int q = k, j = i;
                assertTrue(Math.abs(a[k][i] - b[k][i]) <= rel * scale, () -> what + " " + names[q] + "[" + j + "]: " + a[q][j] + " vs " + b[q][j]);
            }
        }
    }
}
