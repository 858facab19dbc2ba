package org.tuneless.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The AlgoPerf profile and score against a hand-worked example. Times (∞ = target not reached):
 * <pre>
 *        w1   w2   w3   w4
 *   A    10   20   ∞    ∞
 *   B    20   10   30   ∞
 *   C    40   ∞    60   ∞
 * </pre>
 * w4 is unsolved and left out (n = 3). Fastest: w1 10, w2 10, w3 30. Ratios: A (1, 2, ∞), B (2, 1, 1), C (4, ∞, 2).
 * Score (τmax = 4) = Σ over workloads with r ≤ 4 of (4 − r)/3, divided by n = 3:
 * A (3 + 2)/9 = 5/9, B (2 + 3 + 3)/9 = 8/9, C (0 + 2)/9 = 2/9.
 */
class PerformanceProfileTest {

    static final double INF = Double.POSITIVE_INFINITY;

    static PerformanceProfile example() {
        Map<String, Map<String, Double>> t = new LinkedHashMap<>();
        t.put("A", Map.of("w1", 10.0, "w2", 20.0, "w3", INF, "w4", INF));
        t.put("B", Map.of("w1", 20.0, "w2", 10.0, "w3", 30.0, "w4", INF));
        t.put("C", Map.of("w1", 40.0, "w3", 60.0));  // w2, w4 absent = not reached
        return PerformanceProfile.of(t, List.of("w1", "w2", "w3", "w4"), 4.0);
    }

    @Test void ratiosLeaveOutUnsolvedWorkloads() {
        PerformanceProfile p = example();
        assertEquals(List.of("w1", "w2", "w3"), p.workloads());
        assertEquals(List.of("w4"), p.unsolved());
        assertEquals(Map.of("w1", 1.0, "w2", 2.0, "w3", INF), p.ratios().get("A"));
        assertEquals(Map.of("w1", 4.0, "w2", INF, "w3", 2.0), p.ratios().get("C"));
    }

    @Test void rhoIsTheFractionWithinTau() {
        PerformanceProfile p = example();
        assertEquals(1 / 3.0, p.rho("A", 1.0), 1e-12);
        assertEquals(1 / 3.0, p.rho("A", 1.99), 1e-12);
        assertEquals(2 / 3.0, p.rho("A", 2.0), 1e-12);
        assertEquals(2 / 3.0, p.rho("B", 1.0), 1e-12);
        assertEquals(1.0, p.rho("B", 2.0), 1e-12);
        assertEquals(0.0, p.rho("C", 1.5), 1e-12);
        assertEquals(1 / 3.0, p.rho("C", 3.99), 1e-12);
        assertEquals(2 / 3.0, p.rho("C", 4.0), 1e-12);
    }

    @Test void areaMatchesTheHandWorkedScores() {
        PerformanceProfile p = example();
        assertEquals(5 / 9.0, p.area("A"), 1e-12);
        assertEquals(8 / 9.0, p.area("B"), 1e-12);
        assertEquals(2 / 9.0, p.area("C"), 1e-12);
    }

    @Test void areaEqualsANumericalIntegralOfRho() {
        PerformanceProfile p = example();
        for (String s : List.of("A", "B", "C")) {
            int n = 300_000;
            double sum = 0;
            for (int i = 0; i < n; i++) sum += p.rho(s, 1 + 3.0 * (i + 0.5) / n);
            assertEquals(p.area(s), sum / n, 1e-4, s);
        }
    }
}
