package org.tuneless.optim.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.tuneless.catalog.Args;
import org.tuneless.catalog.Catalog;
import org.tuneless.catalog.Component;
import org.tuneless.catalog.Entry;
import org.tuneless.catalog.Param;
import org.tuneless.catalog.Range;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The schedule catalog: the spec form of {@link Schedule}s. A run's schedule is a list of entries that follow each other
 * (empty = constant). The same list is written as JSON ({@code "schedule": [{"name": "warmup", "steps": 100},
 * {"name": "cosine"}]}), on the command line ({@code --schedule cosine:warmup=100}, {@code warmup:steps=100+cosine:final=0.1},
 * {@code wsd:warmup=100,decay=0.2}, {@code step:every=100,factor=0.5}, {@code linear}) and in the DSL
 * ({@code schedule = warmup(100) + cosine()}).
 */
public final class Schedules {

    public static final Catalog<Schedule> CATALOG = new Catalog<>("schedule");

    private Schedules() {}

    private static Param warmup() { return Param.integer("warmup", 0, Range.NON_NEGATIVE_INT, "linear warmup steps before it (0 = none)"); }

    private static Param finalFraction() { return Param.number("final", 0, Range.HALF_OPEN_UNIT, "multiplier at the end, a fraction of the lr"); }

    private static Param length() { return Param.optionalInteger("steps", Range.POSITIVE_INT, "length in steps; absent = the rest of the run"); }

    /** Warmup (if any) then {@code s}, with the length {@code steps} if given. */
    private static Schedule withWarmup(Args a, Schedule s) {
        if (a.has("steps")) s = s.forSteps(a.integer("steps"));
        int w = a.has("warmup") ? a.integer("warmup") : 0;
        return w > 0 ? Schedule.warmup(w).then(s) : s;
    }

    static {
        CATALOG.register(Entry.<Schedule>of("constant", "the same multiplier at every step",
                a -> a.has("steps") ? Schedule.constant(a.number("value")).forSteps(a.integer("steps")) : Schedule.constant(a.number("value")),
                Param.number("value", 1, Range.NON_NEGATIVE, "the multiplier of the lr"), length()));
        CATALOG.register(Entry.<Schedule>of("warmup", "linear warmup (p + 1)/steps, then 1",
                a -> Schedule.warmup(a.integer("steps")),
                Param.integer("steps", 100, Range.POSITIVE_INT, "warmup steps").asPositional()));
        CATALOG.register(Entry.<Schedule>of("cosine", "cosine decay from 1 to final (arXiv 1608.03983)",
                a -> withWarmup(a, Schedule.cosine(a.number("final"))), warmup(), finalFraction(), length()));
        CATALOG.register(Entry.<Schedule>of("linear", "linear decay from 1 to final",
                a -> withWarmup(a, Schedule.linear(a.number("final"))), warmup(), finalFraction(), length()));
        CATALOG.register(Entry.<Schedule>of("wsd", "warmup-stable-decay (arXiv 2404.06395): warmup, 1, linear decay over the last fraction",
                a -> Schedule.wsd(a.integer("warmup"), a.number("decay"), a.number("final")),
                warmup(), Param.number("decay", 0.2, Range.OPEN_UNIT, "fraction of the steps spent decaying"), finalFraction()));
        CATALOG.register(Entry.<Schedule>of("step", "multiply by factor every k steps (torch StepLR)",
                a -> withWarmup(a, Schedule.step(a.integer("every"), a.number("factor"))),
                warmup(), Param.integer("every", 100, Range.POSITIVE_INT, "steps between reductions"),
                Param.number("factor", 0.1, Range.OPEN_UNIT, "multiplier per reduction"), length()).dsl("stepDecay"));
    }

    /** The schedule of a list of entries, one after the other (empty: constant 1). */
    public static Schedule build(List<Component> specs) {
        Schedule s = null;
        for (Component c : specs) {
            Schedule next = CATALOG.create(c);
            s = s == null ? next : s.then(next);
        }
        return s == null ? Schedule.constant() : s;
    }

    /**
     * Command-line text: entries joined by {@code +}, each {@code NAME[:key=value,…]}, e.g. {@code cosine:warmup=100},
     * {@code warmup:steps=100+cosine:final=0.1}; {@code none} or empty = no schedule.
     */
    public static List<Component> parse(String text) {
        List<Component> out = new ArrayList<>();
        if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("none")) return out;
        for (String part : text.split("\\+(?=\\s*[A-Za-z])")) {
            String[] nk = part.trim().split(":", 2);
            String name = nk[0].trim().toLowerCase(Locale.ROOT);
            if (!CATALOG.contains(name)) {
                throw new IllegalArgumentException("unknown schedule '" + nk[0].trim() + "'" + (part.trim().equals(text.trim()) ? "" : " in '" + text + "'") + "; valid: " + String.join(", ", CATALOG.names()));
            }
            Map<String, String> kv = new LinkedHashMap<>();
            if (nk.length > 1 && !nk[1].isBlank()) {
                for (String pair : nk[1].split(",")) {
                    String[] p = pair.split("=", 2);
                    if (p.length != 2) {
                        if (name.equals("warmup") && nk[1].trim().matches("\\d+")) {
                            kv.put("steps", nk[1].trim());
                            break;
                        }
                        throw new IllegalArgumentException("bad schedule option '" + pair + "' in '" + text + "'; expected key=value");
                    }
                    kv.put(p[0].trim(), p[1].trim());
                }
            }
            out.add(CATALOG.parse(name, kv));
        }
        build(out);  // checks the composition (at most one open-ended phase)
        return List.copyOf(out);
    }

    /** JSON: an array of entries ({@code [{"name": "cosine", "warmup": 100}]}); a single object or null is accepted too. */
    public static List<Component> fromJson(JsonNode v, String path) {
        List<Component> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isObject()) out.add(CATALOG.fromJson(v, path + "[0]"));
        else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) out.add(CATALOG.fromJson(v.get(i), path + "[" + i + "]"));
        } else {
            throw new IllegalArgumentException(path + " = " + v + " is not a list of schedules, e.g. [{\"name\": \"warmup\", \"steps\": 100}, {\"name\": \"cosine\"}]; valid names: "
                    + String.join(", ", CATALOG.names()));
        }
        try {
            build(out);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage());
        }
        return List.copyOf(out);
    }

    public static ArrayNode toJson(List<Component> specs) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (Component c : specs) a.add(CATALOG.toJson(c));
        return a;
    }

    /** The DSL expression, e.g. {@code warmup(100) + cosine()}. */
    public static String toDsl(List<Component> specs) {
        return String.join(" + ", specs.stream().map(CATALOG::toDsl).toList());
    }

    /** The command-line text, e.g. {@code warmup:steps=100+cosine}. */
    public static String toText(List<Component> specs) {
        List<String> parts = new ArrayList<>();
        for (Component c : specs) {
            List<String> kv = new ArrayList<>();
            c.params().forEach((k, val) -> { if (val != null) kv.add(Param.kebab(k) + "=" + val); });
            parts.add(c.name() + (kv.isEmpty() ? "" : ":" + String.join(",", kv)));
        }
        return String.join("+", parts);
    }
}
