package org.tuneless.bench;

/**
 * AlgoPerf's two rulesets (Dahl et al. 2023, arXiv 2306.07179, §4): {@link #SELF_TUNING} — one configuration, no
 * tuning, the workload is not known in advance; {@link #EXTERNAL_TUNING} — a fixed grid of trials over the main knob,
 * the best trial counts.
 */
public enum Ruleset {
    SELF_TUNING("self-tuning"),
    EXTERNAL_TUNING("external-tuning");

    private final String label;

    Ruleset(String label) { this.label = label; }

    public String label() { return label; }

    public static Ruleset parse(String s) {
        for (Ruleset r : values()) if (r.label.equals(s)) return r;
        throw new IllegalArgumentException("ruleset '" + s + "'; valid: self-tuning, external-tuning");
    }
}
