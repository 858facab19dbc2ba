package org.tuneless.run;

import org.tuneless.data.Dataset;
import org.tuneless.data.TrainTestSplit;

/** Data loaded from a data spec: the split, whether it is character text, its source and a one-line description. */
public record LoadedData(TrainTestSplit split, boolean text, String source, String description) {

    /** A split loaded elsewhere; text when its targets are (batch, T, vocabulary). */
    public static LoadedData of(TrainTestSplit split) {
        return new LoadedData(split, split.train().targets().rank() == 3, "data", "data: " + split.train().size() + " train / " + split.test().size() + " test examples");
    }

    /** Classes of the data — the one place that decides it: the vocabulary for text, else the labels' or the targets' width. */
    public int classes() {
        Dataset train = split.train();
        if (text) return (int) train.targets().size(2);
        return train.numClasses() > 0 ? train.numClasses() : (int) train.targets().size(1);
    }
}
