package org.tuneless.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Collects wall times (ms) and reports medians. */
final class Timing {

    private final List<Double> ms = new ArrayList<>();

    void add(double millis) { ms.add(millis); }

    void addAll(List<Double> millis) { ms.addAll(millis); }

    double median() {
        double[] a = ms.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        int n = a.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
    }

    int count() { return ms.size(); }

    /** Times {@code body} {@code repeats} times (after it has been warmed up by the caller). */
    static void measure(Timing t, int repeats, Runnable body) {
        for (int i = 0; i < repeats; i++) {
            long s = System.nanoTime();
            body.run();
            t.add((System.nanoTime() - s) / 1e6);
        }
    }
}
