package org.tuneless.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A sweep as data: a base run spec (the JSON of run.json / {@code --config}), the parameters to vary by field path,
 * the seeds, the scheduler and the threads. Example:
 * <pre>{@code
 * {
 *   "base": {"model": {"name": "mlp", "widths": [784, 32, 10]}, "data": {"name": "fashion-mnist", "source": "embedded"},
 *            "optimizer": {"name": "adam"}, "steps": 100},
 *   "parameters": {"optimizer.lr": {"log": [1e-4, 1e-1, 7]}, "optimizer.beta1": [0.8, 0.9]},
 *   "seeds": [0, 1],
 *   "scheduler": {"kind": "grid"},
 *   "threads": 2
 * }
 * }</pre>
 * A parameter takes a list of numbers, {@code {"log": [from, to, points]}} (log-spaced; random search draws
 * log-uniformly) or {@code {"lin": [from, to, points]}} (evenly spaced; uniform draws). Schedulers: {@code grid} (every
 * combination, the default), {@code random} ({@code trials} draws, {@code seed}), {@code asha} ({@code min_steps},
 * {@code eta}; arXiv 1810.05934) and {@code hyperband} ({@code min_steps}, {@code eta}; arXiv 1603.06560); the two
 * early-stopping schedulers take the grid, or {@code trials} random draws when given, and the base's {@code steps} as
 * the full budget.
 *
 * <p>Configurations are numbered in grid order (the first parameter varies slowest), or in draw order; trial ids are
 * {@code c<configuration>-s<seed>} (with {@code -r<rung>} and a {@code b<bracket>-} prefix under ASHA/Hyperband), so
 * the same file always gives the same ids: what lets {@link SweepDriver} resume a sweep.
 */
public record SweepFile(String source, JsonNode json, RunSpec base, Map<String, Axis> parameters, List<Long> seeds, Scheduler scheduler,
                        Integer threads) {

    public static final List<String> FIELDS = List.of("base", "parameters", "seeds", "scheduler", "threads");
    public static final List<String> KINDS = List.of("grid", "random", "asha", "hyperband");

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS.mappedFeature());

    /** The values of one parameter: its grid, and the range random search draws from. */
    public record Axis(String path, String kind, List<Double> grid, double from, double to) {
        public Axis {
            grid = List.copyOf(grid);
        }

        /** One random value: log-uniform ("log"), uniform ("lin"), or one of the listed values ("list"). */
        public double draw(Random rng) {
            return switch (kind) {
                case "log" -> Math.exp(Math.log(from) + (Math.log(to) - Math.log(from)) * rng.nextDouble());
                case "lin" -> from + (to - from) * rng.nextDouble();
                default -> grid.get(rng.nextInt(grid.size()));
            };
        }
    }

    /** How the configurations are chosen and run; {@code trials} null = the grid. */
    public record Scheduler(String kind, Integer trials, long seed, long minSteps, int eta) {
        public boolean earlyStopping() { return kind.equals("asha") || kind.equals("hyperband"); }
    }

    /** One point of the sweep: its number and the parameter values. */
    public record Configuration(int index, Map<String, Double> values) {}

    /** Reads and checks a sweep file. */
    public static SweepFile read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sweep file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.getFileName().toString());
    }

    /** Parses a sweep file's text; {@code source} names it in errors. */
    public static SweepFile parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("sweep file " + source + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("sweep file " + source + ": expected a JSON object with fields " + String.join(", ", FIELDS));
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!FIELDS.contains(k)) throw new IllegalArgumentException("sweep file " + source + ": unknown field '" + k + "'; valid fields: " + String.join(", ", FIELDS));
        }
        String where = "sweep file " + source;
        JsonNode baseNode = root.get("base");
        if (baseNode == null) throw new IllegalArgumentException(where + ": no \"base\": the run spec every trial starts from (the JSON of run.json or --config)");
        RunSpec base;
        try {
            base = RunSpec.fromJson(baseNode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": base: " + e.getMessage(), e);
        }
        Map<String, Axis> parameters = new LinkedHashMap<>();
        JsonNode ps = root.get("parameters");
        if (ps != null && !ps.isObject()) throw new IllegalArgumentException(where + ": parameters = " + ps + " must be an object {\"optimizer.lr\": [..], …}");
        List<String> valid = numericPaths(base);
        if (ps != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = ps.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String path = f.getKey();
                if (path.equals("seed")) throw new IllegalArgumentException(where + ": parameter 'seed': list the seeds in \"seeds\": [0, 1, …] instead");
                if (!valid.contains(path)) {
                    throw new IllegalArgumentException(where + ": parameter '" + path + "' is not a numeric field of the base run spec; valid paths: " + String.join(", ", valid));
                }
                parameters.put(path, axis(where, path, f.getValue()));
            }
        }
        List<Long> seeds = List.of(base.seed());
        JsonNode ss = root.get("seeds");
        if (ss != null) {
            if (!ss.isArray() || ss.isEmpty()) throw new IllegalArgumentException(where + ": seeds = " + ss + " must be a non-empty list of integers, e.g. [0, 1]");
            List<Long> l = new ArrayList<>();
            for (JsonNode s : ss) {
                if (!s.isIntegralNumber() || !s.canConvertToLong()) throw new IllegalArgumentException(where + ": seeds: " + s + " is not an integer");
                if (l.contains(s.longValue())) throw new IllegalArgumentException(where + ": seeds: " + s + " is listed twice");
                l.add(s.longValue());
            }
            seeds = List.copyOf(l);
        }
        Scheduler scheduler = scheduler(where, root.get("scheduler"), base);
        if (scheduler.kind().equals("random") && parameters.isEmpty()) throw new IllegalArgumentException(where + ": random search needs parameters to draw");
        Integer threads = null;
        JsonNode t = root.get("threads");
        if (t != null) {
            if (!t.isIntegralNumber() || t.intValue() < 1) throw new IllegalArgumentException(where + ": threads = " + t + " must be an integer ≥ 1");
            threads = t.intValue();
        }
        return new SweepFile(source, root, base, parameters, seeds, scheduler, threads);
    }

    private static Axis axis(String where, String path, JsonNode v) {
        String at = where + ": parameter " + path;
        if (v.isArray()) {
            if (v.isEmpty()) throw new IllegalArgumentException(at + ": an empty list; give at least one value");
            List<Double> l = new ArrayList<>();
            for (JsonNode x : v) {
                if (!x.isNumber()) throw new IllegalArgumentException(at + ": " + x + " is not a number (valid: a list of numbers, {\"log\": [from, to, points]}, {\"lin\": [from, to, points]})");
                l.add(x.doubleValue());
            }
            return new Axis(path, "list", l, Double.NaN, Double.NaN);
        }
        if (v.isObject() && v.size() == 1 && (v.has("log") || v.has("lin"))) {
            String kind = v.has("log") ? "log" : "lin";
            JsonNode r = v.get(kind);
            if (!r.isArray() || r.size() != 3 || !r.get(0).isNumber() || !r.get(1).isNumber() || !r.get(2).isIntegralNumber()) {
                throw new IllegalArgumentException(at + ": {\"" + kind + "\": " + r + "} must be {\"" + kind + "\": [from, to, points]} with points an integer ≥ 2");
            }
            double from = r.get(0).doubleValue(), to = r.get(1).doubleValue();
            int points = r.get(2).intValue();
            if (points < 2) throw new IllegalArgumentException(at + ": points = " + points + " must be ≥ 2");
            if (kind.equals("log") && !(from > 0 && to > 0)) throw new IllegalArgumentException(at + ": log range [" + from + ", " + to + "]: both ends must be > 0 (use \"lin\" for ranges through 0)");
            List<Double> grid = new ArrayList<>();
            for (int i = 0; i < points; i++) {
                // powers of ten (1e-4, not 1.0000000000000009E-4) and exact ends
                double x = i == 0 ? from : i == points - 1 ? to : kind.equals("log")
                        ? Math.pow(10, Math.log10(from) + (Math.log10(to) - Math.log10(from)) * i / (points - 1))
                        : from + (to - from) * i / (points - 1);
                grid.add(x);
            }
            return new Axis(path, kind, grid, from, to);
        }
        throw new IllegalArgumentException(at + " = " + v + ": expected a list of numbers, {\"log\": [from, to, points]} or {\"lin\": [from, to, points]}");
    }

    private static Scheduler scheduler(String where, JsonNode v, RunSpec base) {
        if (v == null) return new Scheduler("grid", null, 0, 0, 0);
        if (v.isTextual()) v = JSON.createObjectNode().put("kind", v.asText());
        if (!v.isObject()) throw new IllegalArgumentException(where + ": scheduler = " + v + " must be {\"kind\": " + String.join("|", KINDS) + ", …}");
        String kind = v.path("kind").asText("grid");
        if (!KINDS.contains(kind)) throw new IllegalArgumentException(where + ": scheduler.kind = '" + kind + "'; valid: " + String.join(", ", KINDS));
        List<String> fields = switch (kind) {
            case "grid" -> List.of("kind");
            case "random" -> List.of("kind", "trials", "seed");
            default -> List.of("kind", "min_steps", "eta", "trials", "seed");
        };
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!fields.contains(k)) throw new IllegalArgumentException(where + ": scheduler." + k + " is not a field of scheduler '" + kind + "'; valid: " + String.join(", ", fields));
        }
        Integer trials = null;
        if (v.has("trials")) {
            JsonNode t = v.get("trials");
            if (!t.isIntegralNumber() || t.intValue() < 1) throw new IllegalArgumentException(where + ": scheduler.trials = " + t + " must be an integer ≥ 1");
            trials = t.intValue();
        } else if (kind.equals("random")) {
            throw new IllegalArgumentException(where + ": scheduler 'random' needs \"trials\": the number of configurations to draw");
        }
        long seed = 0;
        if (v.has("seed")) {
            if (!v.get("seed").isIntegralNumber()) throw new IllegalArgumentException(where + ": scheduler.seed = " + v.get("seed") + " is not an integer");
            seed = v.get("seed").longValue();
        }
        long minSteps = 0;
        int eta = 3;
        if (kind.equals("asha") || kind.equals("hyperband")) {
            JsonNode m = v.get("min_steps");
            if (m == null || !m.isIntegralNumber() || m.longValue() < 1) {
                throw new IllegalArgumentException(where + ": scheduler '" + kind + "' needs \"min_steps\": an integer ≥ 1 (the steps of the lowest rung), got " + m);
            }
            minSteps = m.longValue();
            if (minSteps > base.steps()) {
                throw new IllegalArgumentException(where + ": scheduler.min_steps = " + minSteps + " exceeds the base's steps = " + base.steps() + " (the full budget); valid: 1 … " + base.steps());
            }
            JsonNode e = v.get("eta");
            if (e != null) {
                if (!e.isIntegralNumber() || e.intValue() < 2) throw new IllegalArgumentException(where + ": scheduler.eta = " + e + " must be an integer ≥ 2 (3 is usual)");
                eta = e.intValue();
            }
        }
        return new Scheduler(kind, trials, seed, minSteps, eta);
    }

    /** The paths of the base spec's numeric (or unset) fields that a parameter may vary, e.g. optimizer.lr, steps. */
    public static List<String> numericPaths(RunSpec base) {
        List<String> out = new ArrayList<>();
        collect(base.toJsonTree(), "", out);
        out.remove("seed");
        return out;
    }

    private static void collect(JsonNode n, String prefix, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String p = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
            JsonNode v = f.getValue();
            if (v.isObject()) collect(v, p, out);
            else if (v.isNumber() || v.isNull() && !p.equals("label") && !p.equals("model") && !p.equals("augmentation") && !p.endsWith(".dir")) out.add(p);
        }
    }

    /** The configurations in order: the grid (first parameter slowest), or the random draws. */
    public List<Configuration> configurations() {
        List<String> names = new ArrayList<>(parameters.keySet());
        List<Map<String, Double>> points = new ArrayList<>();
        if (scheduler.trials() != null) {
            Random rng = new Random(scheduler.seed());
            for (int i = 0; i < scheduler.trials(); i++) {
                Map<String, Double> m = new LinkedHashMap<>();
                for (String n : names) m.put(n, parameters.get(n).draw(rng));
                points.add(m);
            }
        } else {
            points.add(new LinkedHashMap<>());
            for (String n : names) {
                List<Map<String, Double>> next = new ArrayList<>();
                for (Map<String, Double> p : points) {
                    for (double v : parameters.get(n).grid()) {
                        Map<String, Double> m = new LinkedHashMap<>(p);
                        m.put(n, v);
                        next.add(m);
                    }
                }
                points = next;
            }
        }
        List<Configuration> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) out.add(new Configuration(i, points.get(i)));
        return out;
    }

    /** The id of configuration {@code c} with {@code seed}, e.g. {@code c03-s1} (zero-padded to the configurations' count). */
    public String trialId(int c, long seed) {
        int n = 1;
        if (scheduler.trials() != null) n = scheduler.trials();
        else for (Axis a : parameters.values()) n *= a.grid().size();
        int digits = Integer.toString(n - 1).length();
        return String.format(Locale.ROOT, "c%0" + digits + "d-s%d", c, seed);
    }

    /**
     * The run spec of configuration {@code values} with {@code seed}: the base with each value set at its path and
     * checked by {@link RunSpec#fromJson(JsonNode)}; a value it refuses gives an error naming the sweep file, the path,
     * the value and the reason (the valid range).
     */
    public RunSpec spec(Map<String, Double> values, long seed) {
        ObjectNode tree = (ObjectNode) base.toJsonTree().deepCopy();
        tree.put("seed", seed);
        for (Map.Entry<String, Double> e : values.entrySet()) set(tree, e.getKey(), e.getValue());
        try {
            return RunSpec.fromJson(tree);
        } catch (IllegalArgumentException e) {
            String vs = values.entrySet().stream().map(x -> x.getKey() + " = " + format(x.getValue())).reduce((a, b) -> a + ", " + b).orElse("no parameters");
            throw new IllegalArgumentException("sweep file " + source + ": the trial with " + vs + " is not a valid run spec: " + e.getMessage(), e);
        }
    }

    private void set(ObjectNode tree, String path, double value) {
        String[] parts = path.split("\\.");
        ObjectNode o = tree;
        for (int i = 0; i < parts.length - 1; i++) o = (ObjectNode) o.get(parts[i]);
        String leaf = parts[parts.length - 1];
        JsonNode old = o.get(leaf);
        if (old != null && old.isIntegralNumber() && value == Math.rint(value) && Math.abs(value) < 9e15) o.put(leaf, (long) value);
        else if (old != null && old.isIntegralNumber()) {
            throw new IllegalArgumentException("sweep file " + source + ": parameter " + path + " = " + format(value) + " is not an integer; "
                    + path + " takes integers (e.g. " + old + ")");
        } else o.put(leaf, value);
    }

    /** The file as written to a sweep's directory (sweep.json). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(json) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first field where {@code other} differs from this file, as its keys from the root (e.g. {@code [parameters,
     * optimizer.lr]}), ignoring {@code threads} (how many trials run at once does not change the results); null when
     * they are the same sweep.
     */
    public List<String> difference(SweepFile other) {
        ObjectNode a = ((ObjectNode) json.deepCopy()), b = ((ObjectNode) other.json.deepCopy());
        a.remove("threads");
        b.remove("threads");
        return diff(a, b, List.of());
    }

    /** The value at {@code keys} (a {@link #difference}) in this file's JSON, or "absent". */
    public String valueAt(List<String> keys) {
        JsonNode n = json;
        for (String k : keys) {
            if (n == null) break;
            n = n.get(k);
        }
        return n == null ? "absent" : n.toString();
    }

    private static List<String> diff(JsonNode a, JsonNode b, List<String> path) {
        if (a == null || b == null) return path;
        if (a.isObject() && b.isObject()) {
            List<String> keys = new ArrayList<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(k -> { if (!keys.contains(k)) keys.add(k); });
            for (String k : keys) {
                List<String> p = new ArrayList<>(path);
                p.add(k);
                List<String> d = diff(a.get(k), b.get(k), p);
                if (d != null) return d;
            }
            return null;
        }
        if (a.isNumber() && b.isNumber()) return a.doubleValue() == b.doubleValue() ? null : path;
        return a.equals(b) ? null : path;
    }

    /** A parameter value as the tables print it. */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
