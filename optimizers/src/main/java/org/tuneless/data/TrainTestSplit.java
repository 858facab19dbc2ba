package org.tuneless.data;

/** A training set and a held-out test set. */
public record TrainTestSplit(Dataset train, Dataset test) {}
