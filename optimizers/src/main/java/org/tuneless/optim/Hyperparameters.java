package org.tuneless.optim;

/** Validation of optimizer hyperparameters with messages that name the argument, the value and the valid range. */
public final class Hyperparameters {

    private Hyperparameters() {}

    public static double positive(String owner, String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(owner + ": " + name + " = " + value + " must be a positive finite number");
        }
        return value;
    }

    public static double nonNegative(String owner, String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(owner + ": " + name + " = " + value + " must be ≥ 0 and finite");
        }
        return value;
    }

    /** A value in [0, 1): betas, momentum, smoothing constants. */
    public static double unitInterval(String owner, String name, double value, String typical) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(owner + ": " + name + " = " + value + " is outside [0, 1); typical value " + typical);
        }
        return value;
    }
}
