package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Named string options for building an optimizer by name (from the CLI or a script), with typed access and errors
 * that name the option, the value and what is valid.
 */
public final class OptimizerOptions {

    private final String optimizer;
    private final Map<String, String> values;
    private final Set<String> allowed;

    OptimizerOptions(String optimizer, Map<String, String> values, Set<String> allowed) {
        this.optimizer = optimizer;
        this.values = new LinkedHashMap<>(values);
        this.allowed = allowed;
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("optimizer '" + optimizer + "' does not take option '" + key + "'; it takes: "
                        + (allowed.isEmpty() ? "no options" : String.join(", ", new TreeSet<>(allowed))));
            }
        }
    }

    public String optimizer() { return optimizer; }

    public boolean has(String key) { return values.containsKey(key); }

    public double number(String key, double defaultValue) {
        String v = values.get(key);
        if (v == null) return defaultValue;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("optimizer '" + optimizer + "': option '" + key + "' = '" + v + "' is not a number");
        }
    }

    public int integer(String key, int defaultValue) {
        String v = values.get(key);
        if (v == null) return defaultValue;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("optimizer '" + optimizer + "': option '" + key + "' = '" + v + "' is not an integer");
        }
    }

    public String text(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /** The options not in {@code exclude}, e.g. to pass a tuner's remaining options on to its base direction. */
    public Map<String, String> without(Set<String> exclude) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.keySet().removeAll(exclude);
        return m;
    }
}
