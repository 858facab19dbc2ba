package org.tuneless.catalog;

import java.util.function.DoublePredicate;

/**
 * The valid values of a numeric catalog parameter, with the wording of the error message (the style of
 * {@code optim.Hyperparameters}: "owner: name = value must be …").
 */
public enum Range {
    ANY("any number", "must be a number", v -> !Double.isNaN(v)),
    POSITIVE("(0, ∞)", "must be a positive finite number", v -> v > 0 && Double.isFinite(v)),
    FINITE("finite numbers", "must be finite", Double::isFinite),
    AT_LEAST_ONE("[1, ∞]", "must be ≥ 1 (∞ = restart at 1 every step)", v -> v >= 1),
    /** A growth-rate cap of the learning-rate-free optimizers. */
    GROWTH_RATE("[1, ∞]", "must be ≥ 1 (∞ = unlimited)", v -> v >= 1),
    NON_NEGATIVE("[0, ∞)", "must be ≥ 0 and finite", v -> v >= 0 && Double.isFinite(v)),
    HALF_OPEN_UNIT("[0, 1)", "is outside [0, 1)", v -> v >= 0 && v < 1),
    OPEN_UNIT("(0, 1)", "must be in (0, 1)", v -> v > 0 && v < 1),
    /** A fraction that may be 1 but not 0 (Lookahead's α). */
    LEFT_OPEN_UNIT("(0, 1]", "must be in (0, 1]", v -> v > 0 && v <= 1),
    POSITIVE_INT("1, 2, …", "must be a positive integer", v -> v >= 1),
    NON_NEGATIVE_INT("0, 1, …", "must be ≥ 0", v -> v >= 0);

    private final String interval;
    private final String violation;
    private final DoublePredicate test;

    Range(String interval, String violation, DoublePredicate test) {
        this.interval = interval;
        this.violation = violation;
        this.test = test;
    }

    /** The valid interval, e.g. "(0, ∞)". */
    public String interval() { return interval; }

    public boolean contains(double v) { return test.test(v); }

    /** The message for an invalid value: "owner: name = value must be a positive finite number (valid: (0, ∞))". */
    public String message(String owner, String name, Object value) {
        return owner + ": " + name + " = " + value + " " + violation + " (valid: " + interval + ")";
    }
}
