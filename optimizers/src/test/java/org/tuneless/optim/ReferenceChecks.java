package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;

/**
 * Soft checks against reference numbers: every mismatch of a test is collected (and every comparison printed) and
 * reported together after the test, so one run shows all the values that differ, not only the first.
 */
abstract class ReferenceChecks {

    static final double REL = 1e-9;

    private final List<String> failures = new ArrayList<>();

    /** |actual − expected| ≤ rel·|expected| (exact for expected 0). */
    void near(double expected, double actual, double rel, String what) {
        boolean ok = expected == 0 ? actual == 0 : Math.abs(actual - expected) <= rel * Math.abs(expected);
        if (!ok) {
            failures.add(String.format("%s: expected %s, got %s (rel %.2e, tol %.0e)", what, expected, actual,
                    Math.abs(actual - expected) / Math.abs(expected), rel));
        }
        System.out.printf("%-40s expected %-24s got %-24s %s%n", what, expected, actual, ok ? "ok" : "FAIL");
    }

    void near(double[] expected, double[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) near(expected[i], actual[i], rel, what + "[" + i + "]");
    }

    @AfterEach void report() {
        if (!failures.isEmpty()) fail(failures.size() + " mismatches:\n" + String.join("\n", failures));
    }
}
