package org.tuneless.catalog;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One parameter of a catalog entry: its name (camelCase; the command-line flag is its kebab-case form), type, default
 * (written once, here), valid range or choices, and a one-line doc. A {@link ParamType#SPEC} parameter holds a nested
 * spec of another catalog (a tuner's {@code base}); {@code forwarded} names the flat command-line options passed on to it.
 */
public record Param(String name, ParamType type, Object defaultValue, Range range, List<String> choices,
                    Supplier<Catalog<?>> nested, List<String> forwarded, String doc, boolean positional, String dslEnum, String label,
                    Map<String, Object> nestedDefaults) {

    public Param {
        choices = choices == null ? List.of() : List.copyOf(choices);
        forwarded = forwarded == null ? List.of() : List.copyOf(forwarded);
        nestedDefaults = nestedDefaults == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(nestedDefaults));
    }

    public static Param number(String name, double defaultValue, Range range, String doc) {
        return new Param(name, ParamType.DOUBLE, defaultValue, range, null, null, null, doc, false, null, null, null);
    }

    public static Param integer(String name, int defaultValue, Range range, String doc) {
        return new Param(name, ParamType.INT, defaultValue, range, null, null, null, doc, false, null, null, null);
    }

    /** An integer without a default (absent = "not set", e.g. "the whole training set"). */
    public static Param optionalInteger(String name, Range range, String doc) {
        return new Param(name, ParamType.INT, null, range, null, null, null, doc, false, null, null, null);
    }

    public static Param bool(String name, boolean defaultValue, String doc) {
        return new Param(name, ParamType.BOOL, defaultValue, null, null, null, null, doc, false, null, null, null);
    }

    /** Free text; {@code defaultValue} null = required unless the entry says otherwise. */
    public static Param text(String name, String defaultValue, String doc) {
        return new Param(name, ParamType.STRING, defaultValue, null, null, null, null, doc, false, null, null, null);
    }

    public static Param choice(String name, String defaultValue, List<String> choices, String doc) {
        return new Param(name, ParamType.ENUM, defaultValue, null, choices, null, null, doc, false, null, null, null);
    }

    /** A list of integers in {@code range}; a null default makes the list required. */
    public static Param ints(String name, List<Integer> defaultValue, Range range, String doc) {
        return new Param(name, ParamType.INT_LIST, defaultValue, range, null, null, null, doc, false, null, null, null);
    }

    public static Param names(String name, String doc) {
        return new Param(name, ParamType.STRING_LIST, List.of(), null, null, null, null, doc, false, null, null, null);
    }

    /** A nested spec of {@code catalog} limited to {@code choices}, defaulting to {@code defaultName} with its defaults. */
    public static Param spec(String name, Supplier<Catalog<?>> catalog, String defaultName, List<String> choices, List<String> forwarded, String doc) {
        return new Param(name, ParamType.SPEC, defaultName, null, choices, catalog, forwarded, doc, false, null, null, null);
    }

    /** Printed positionally in the DSL (e.g. the widths of {@code mlp(784, 256, 10)}). */
    public Param asPositional() {
        return new Param(name, type, defaultValue, range, choices, nested, forwarded, doc, true, dslEnum, label, nestedDefaults);
    }

    /** The Kotlin enum the DSL uses for this choice, e.g. {@code Norm} (printed as {@code Norm.Batch}). */
    public Param dslEnum(String kotlinEnum) {
        return new Param(name, type, defaultValue, range, choices, nested, forwarded, doc, positional, kotlinEnum, label, nestedDefaults);
    }

    /** How error messages name the parameter (default its name), e.g. "eta (LTE tolerance)". */
    public Param label(String text) {
        return new Param(name, type, defaultValue, range, choices, nested, forwarded, doc, positional, dslEnum, text, nestedDefaults);
    }

    /**
     * Defaults that a nested spec named by text (the command line, a JSON object without the field, or this parameter's
     * own default) takes instead of its catalog's, for the parameters it has: Mechanic runs its base at lr 1, the
     * authors' recipe (arXiv 2306.00144, and the official mechanic-pytorch README), not at the base's own default lr.
     * A nested spec built as a value (the DSL's {@code adam()}) keeps the values it was built with.
     */
    public Param withNestedDefaults(Map<String, Object> defaults) {
        return new Param(name, type, defaultValue, range, choices, nested, forwarded, doc, positional, dslEnum, label, defaults);
    }

    /** The name used in error messages. */
    public String shown() { return label == null ? name : label; }

    /** The command-line flag name: camelCase → kebab-case ({@code weightDecay} → {@code weight-decay}). */
    public String flag() {
        return kebab(name);
    }

    public static String kebab(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) sb.append('-').append(Character.toLowerCase(c));
            else sb.append(c);
        }
        return sb.toString();
    }

    public static String camel(String kebab) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-' || c == '_') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }

    /** The default as printed by {@code list} and {@code --help}. */
    public String defaultText() {
        if (defaultValue == null) return "none";
        if (type == ParamType.INT_LIST || type == ParamType.STRING_LIST) {
            List<?> l = (List<?>) defaultValue;
            return l.isEmpty() ? "none" : String.join("-", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(defaultValue);
    }

    /** The valid values as printed by {@code list}: an interval, the choices, or the type. */
    public String validText() {
        return switch (type) {
            case DOUBLE, INT -> range == null ? type.label() : range.interval();
            case ENUM, SPEC -> String.join("|", choices);
            case BOOL -> "true|false";
            case INT_LIST -> "positive integers";
            case STRING_LIST -> "names";
            case STRING -> "text";
        };
    }
}
