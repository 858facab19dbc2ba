package org.tuneless.bench;

import java.util.Locale;

/** The identity of a benchmark run: workload, contender, knob value and seed; {@link #text()} is its stable id. */
public record TrialId(String workload, String optimizer, Ruleset ruleset, String knob, Double knobValue, long seed) {

    public String text() {
        return workload + "/" + optimizer + (knob == null ? "" : "/" + knob + "=" + BenchRow.num(knobValue)) + "/seed=" + seed;
    }

    @Override public String toString() { return text().toLowerCase(Locale.ROOT); }
}
