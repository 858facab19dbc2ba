package org.tuneless.train;

/**
 * Loss and accuracy of the model on a named split ({@code train}, {@code test}) at a step; accuracy is NaN for
 * regression. {@code point} says where the model was evaluated: {@link #LIVE} (the live parameters) or the optimizer's
 * evaluation point, e.g. "x (schedule-free average)", "polynomial average".
 */
public record EvaluationRecord(long step, String split, double loss, double accuracy, String point) {

    /** The point name of evaluations at the live parameters. */
    public static final String LIVE = "live";

    /** An evaluation at the live parameters. */
    public EvaluationRecord(long step, String split, double loss, double accuracy) {
        this(step, split, loss, accuracy, LIVE);
    }
}
