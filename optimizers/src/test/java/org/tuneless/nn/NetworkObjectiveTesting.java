package org.tuneless.nn;

import org.tuneless.objective.Batch;

/** Test data shared across packages. */
public final class NetworkObjectiveTesting {

    private NetworkObjectiveTesting() {}

    /** Seeded Gaussian inputs (n, in) and one-hot targets over {@code classes}, float64. */
    public static Batch batch(long n, long in, int classes, long seed) { return NetworkCurvatureTest.batch(n, in, classes, seed); }

    /** Tiny float64 zoo models and matching batches (see ModelZooTest), for optimizer and curvature tests. */
    public static Network tinyResnet(Models.Norm norm) { return ModelZooTest.tinyResnet(norm); }

    public static Network tinyCnn() { return ModelZooTest.tinyCnn(); }

    public static Network tinyMixer() { return ModelZooTest.tinyMixer(); }

    public static Network tinyNanoLM() { return ModelZooTest.tinyNanoLM(); }

    public static Network tinyLstmLM() { return ModelZooTest.tinyLstmLM(); }

    public static Batch imageBatch(long n, long[] shape, int classes, long seed) { return ModelZooTest.imageBatch(n, shape, classes, seed); }

    public static Batch textBatch(long n, int context, int vocab, long seed) { return ModelZooTest.textBatch(n, context, vocab, seed); }
}
