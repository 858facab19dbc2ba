package org.tuneless.train;

/** Loss and accuracy of the model on a named split ({@code train}, {@code test}) at a step; accuracy is NaN for regression. */
public record EvaluationRecord(long step, String split, double loss, double accuracy) {}
