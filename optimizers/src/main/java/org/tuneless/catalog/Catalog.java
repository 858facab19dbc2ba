package org.tuneless.catalog;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A catalog of one kind (optimizers, models, data, losses, trackers): named entries with typed, documented
 * parameters and a factory. Every value is validated here, once, whether it comes from Java/Kotlin values, command-line
 * text or JSON, with messages that name the field, the value and the valid range.
 */
public final class Catalog<T> {

    private final String kind;
    private final Map<String, Entry<T>> entries = new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();

    public Catalog(String kind) { this.kind = kind; }

    /** What this catalog holds, e.g. "optimizer". */
    public String kind() { return kind; }

    public synchronized Catalog<T> register(Entry<T> entry) {
        entries.put(entry.name(), entry);
        for (String a : entry.aliases()) aliases.put(a, entry.name());
        return this;
    }

    /** Entry names then aliases, in registration order. */
    public synchronized List<String> names() {
        List<String> n = new ArrayList<>(entries.keySet());
        n.addAll(aliases.keySet());
        return n;
    }

    public synchronized List<Entry<T>> entries() { return List.copyOf(entries.values()); }

    public synchronized boolean contains(String name) {
        return entries.containsKey(name) || aliases.containsKey(name);
    }

    public synchronized Entry<T> entry(String name) {
        Entry<T> e = entries.get(aliases.getOrDefault(name, name));
        if (e == null) e = entries.get(aliases.getOrDefault(name.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT)));
        if (e == null) throw new IllegalArgumentException("unknown " + kind + " '" + name + "'; valid: " + String.join(", ", names()));
        return e;
    }

    // ---- building specs -------------------------------------------------------------------------------------------

    /** A spec from typed values (Java or Kotlin); absent or null values take the catalog default. */
    public Component spec(String name, Map<String, ?> values) {
        Entry<T> e = entry(name);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : values.keySet()) {
            if (e.param(key).isEmpty()) throw unknownOption(e, key);
        }
        for (Param p : e.params()) {
            Object v = values.get(p.name());
            if (v == null && p.defaultValue() == null && (p.type() == ParamType.STRING || p.type() == ParamType.INT_LIST)) {
                throw new IllegalArgumentException(kind + " '" + e.name() + "' needs " + p.name() + " (" + p.doc() + ")");
            }
            out.put(p.name(), v == null ? defaultOf(p) : normalize(e.name(), p, v));
        }
        return new Component(kind, e.name(), out);
    }

    public Component spec(String name) { return spec(name, Map.of()); }

    /**
     * A spec from command-line text: keys in kebab-case ({@code weight-decay}) or camelCase. Keys the entry does not
     * take but a nested spec parameter forwards (a tuner's base options) go to the nested spec.
     */
    public Component parse(String name, Map<String, String> text) {
        Entry<T> e = entry(name);
        Map<String, Object> own = new LinkedHashMap<>();
        Map<Param, Map<String, String>> forwarded = new LinkedHashMap<>();
        for (Map.Entry<String, String> kv : text.entrySet()) {
            String key = Param.camel(kv.getKey());
            var p = e.param(key);
            if (p.isPresent()) {
                own.put(key, kv.getValue());
                continue;
            }
            Param target = e.params().stream().filter(q -> q.type() == ParamType.SPEC && q.forwarded().contains(key)).findFirst()
                    .orElseThrow(() -> unknownOption(e, kv.getKey()));
            forwarded.computeIfAbsent(target, q -> new LinkedHashMap<>()).put(key, kv.getValue());
        }
        for (Param p : e.params()) {
            if (p.type() != ParamType.SPEC) continue;
            Object baseName = own.getOrDefault(p.name(), p.defaultValue());
            Map<String, String> fw = forwarded.getOrDefault(p, Map.of());
            if (baseName instanceof String s) {
                checkChoice(e.name(), p, s);
                Map<String, String> withDefaults = new LinkedHashMap<>();
                nestedDefaults(p, s).forEach((k, v) -> {
                    if (!fw.containsKey(k) && !fw.containsKey(Param.kebab(k))) withDefaults.put(k, String.valueOf(v));
                });
                withDefaults.putAll(fw);
                own.put(p.name(), p.nested().get().parse(s, withDefaults));
            }
        }
        return spec(e.name(), own);
    }

    /** Builds the value of a validated spec. */
    public T create(Component spec) {
        if (!spec.kind().equals(kind)) throw new IllegalArgumentException("a " + spec.kind() + " spec is not a " + kind);
        return entry(spec.name()).factory().apply(new Args(spec));
    }

    private IllegalArgumentException unknownOption(Entry<T> e, String key) {
        TreeSet<String> takes = new TreeSet<>();
        for (Param p : e.params()) {
            takes.add(p.flag());
            takes.addAll(p.forwarded().stream().map(Param::kebab).toList());
        }
        return new IllegalArgumentException(kind + " '" + e.name() + "' does not take option '" + key + "'; it takes: "
                + (takes.isEmpty() ? "no options" : String.join(", ", takes)));
    }

    private Object defaultOf(Param p) {
        if (p.type() == ParamType.SPEC) return p.nested().get().spec((String) p.defaultValue(), nestedDefaults(p, (String) p.defaultValue()));
        return p.defaultValue();
    }

    /** {@code p}'s nested defaults that the nested entry {@code name} takes. */
    private static Map<String, Object> nestedDefaults(Param p, String name) {
        if (p.nestedDefaults().isEmpty()) return Map.of();
        Catalog<?> nested = p.nested().get();
        if (!nested.names().contains(name)) return Map.of();
        Map<String, Object> out = new LinkedHashMap<>();
        p.nestedDefaults().forEach((k, v) -> {
            if (nested.entry(name).param(k).isPresent()) out.put(k, v);
        });
        return out;
    }

    private static void checkChoice(String owner, Param p, String value) {
        if (!p.choices().isEmpty() && !p.choices().contains(value)) {
            throw new IllegalArgumentException(owner + ": " + (p.type() == ParamType.SPEC ? "unknown " + p.name() : p.name() + " =")
                    + " '" + value + "'; valid" + (p.type() == ParamType.SPEC ? " " + p.name() + "s" : "") + ": " + String.join(", ", p.choices()));
        }
    }

    /** Converts a Java value or command-line text to the parameter's type and checks its range. */
    private Object normalize(String owner, Param p, Object v) {
        String field = owner + ": " + (v instanceof String ? "option '" + p.flag() + "'" : p.shown()) + " = '" + v + "'";
        switch (p.type()) {
            case DOUBLE -> {
                double d;
                if (v instanceof Number n) d = n.doubleValue();
                else if (v instanceof String s) {
                    try {
                        d = Double.parseDouble(s.trim());
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException(field + " is not a number (valid: " + p.validText() + ")");
                    }
                } else throw new IllegalArgumentException(field + " is not a number");
                if (p.range() != null && !p.range().contains(d)) throw new IllegalArgumentException(p.range().message(owner, p.shown(), d));
                return d;
            }
            case INT -> {
                long l;
                if (v instanceof Integer || v instanceof Long || v instanceof Short) l = ((Number) v).longValue();
                else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) l = (long) n.doubleValue();
                else if (v instanceof String s) {
                    try {
                        l = Long.parseLong(s.trim());
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException(field + " is not an integer (valid: " + p.validText() + ")");
                    }
                } else throw new IllegalArgumentException(field + " is not an integer");
                if (l != (int) l) throw new IllegalArgumentException(field + " is too large for an integer");
                if (p.range() != null && !p.range().contains(l)) throw new IllegalArgumentException(p.range().message(owner, p.shown(), l));
                return (int) l;
            }
            case BOOL -> {
                if (v instanceof Boolean b) return b;
                if (v instanceof String s) {
                    return switch (s.trim().toLowerCase(Locale.ROOT)) {
                        case "true", "yes", "1", "on" -> true;
                        case "false", "no", "0", "off" -> false;
                        default -> throw new IllegalArgumentException(field + " is not true/false");
                    };
                }
                throw new IllegalArgumentException(field + " is not true/false");
            }
            case STRING -> {
                if (!(v instanceof String s)) throw new IllegalArgumentException(field + " is not text");
                return s;
            }
            case ENUM -> {
                String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
                checkChoice(owner, p, s);
                return s;
            }
            case INT_LIST -> {
                List<Integer> out = new ArrayList<>();
                if (v instanceof String s) {
                    for (String part : s.split("[-,]")) {
                        try {
                            out.add(Integer.parseInt(part.trim()));
                        } catch (NumberFormatException ex) {
                            throw new IllegalArgumentException(field + " is not a list of integers (e.g. 784-256-10)");
                        }
                    }
                } else if (v instanceof List<?> l) {
                    for (Object o : l) {
                        if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                            throw new IllegalArgumentException(field + " is not a list of integers");
                        }
                        out.add(n.intValue());
                    }
                } else if (v instanceof int[] a) {
                    for (int x : a) out.add(x);
                } else if (v instanceof long[] a) {
                    for (long x : a) out.add((int) x);
                } else throw new IllegalArgumentException(field + " is not a list of integers");
                for (int x : out) {
                    if (p.range() != null && !p.range().contains(x)) {
                        throw new IllegalArgumentException(owner + ": " + p.shown() + " = " + out + ": every value must be in " + p.range().interval() + " (got " + x + ")");
                    }
                }
                return List.copyOf(out);
            }
            case STRING_LIST -> {
                if (v instanceof String s) return s.isBlank() ? List.of() : List.of(s.split("[;,]"));
                if (v instanceof List<?> l) {
                    List<String> out = new ArrayList<>();
                    for (Object o : l) {
                        if (!(o instanceof String s)) throw new IllegalArgumentException(field + " is not a list of names");
                        out.add(s);
                    }
                    return List.copyOf(out);
                }
                throw new IllegalArgumentException(field + " is not a list of names");
            }
            case SPEC -> {
                Catalog<?> nested = p.nested().get();
                Component c;
                if (v instanceof Component given) {
                    if (!given.kind().equals(nested.kind())) throw new IllegalArgumentException(owner + ": " + p.name() + " must be a " + nested.kind() + " spec, not a " + given.kind());
                    c = given;
                } else if (v instanceof String s) {
                    c = nested.names().contains(s) ? nested.spec(s, nestedDefaults(p, s)) : nested.spec(s);
                } else throw new IllegalArgumentException(field + " is not a " + nested.kind() + " spec");
                checkChoice(owner, p, c.name());
                return c;
            }
        }
        throw new IllegalStateException(p.type().name());
    }

    // ---- JSON -----------------------------------------------------------------------------------------------------

    /** {"name": …, then every parameter in the entry's order}: deterministic key order. */
    public ObjectNode toJson(Component c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", c.name());
        Entry<T> e = entry(c.name());
        for (Param p : e.params()) {
            Object v = c.params().get(p.name());
            o.set(p.name(), toJsonValue(p, v));
        }
        return o;
    }

    private static JsonNode toJsonValue(Param p, Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v == null) return f.nullNode();
        if (v instanceof Double d) return Double.isFinite(d) ? f.numberNode(d) : f.textNode(d.toString());
        if (v instanceof Integer i) return f.numberNode(i);
        if (v instanceof Boolean b) return f.booleanNode(b);
        if (v instanceof String s) return f.textNode(s);
        if (v instanceof Component c) return p.nested().get().toJson(c);
        if (v instanceof List<?> l) {
            ArrayNode a = f.arrayNode();
            for (Object o : l) {
                if (o instanceof Integer i) a.add(i);
                else a.add(String.valueOf(o));
            }
            return a;
        }
        throw new IllegalStateException("unexpected value " + v);
    }

    /**
     * A spec from JSON. An unknown field, a wrong type or a value out of range is refused with a message naming the
     * field's path (e.g. {@code optimizer.base.lr}), the value and the valid range.
     */
    public Component fromJson(JsonNode node, String path) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException(path + " = " + node + " must be an object with a \"name\" of a " + kind);
        JsonNode nameNode = node.get("name");
        if (nameNode == null || !nameNode.isTextual()) {
            throw new IllegalArgumentException(path + ".name is missing or not text; valid " + kind + " names: " + String.join(", ", names()));
        }
        Entry<T> e;
        try {
            e = entry(nameNode.asText());
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(path + ".name: " + ex.getMessage());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("name")) continue;
            var p = e.param(f.getKey());
            if (p.isEmpty()) {
                throw new IllegalArgumentException(path + "." + f.getKey() + ": unknown field of " + kind + " '" + e.name() + "'; valid fields: name"
                        + (e.params().isEmpty() ? "" : ", " + String.join(", ", e.params().stream().map(Param::name).toList())));
            }
            values.put(f.getKey(), fromJsonValue(path + "." + f.getKey(), p.get(), f.getValue()));
        }
        try {
            return spec(e.name(), values);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(path + ": " + ex.getMessage());
        }
    }

    private static Object fromJsonValue(String path, Param p, JsonNode v) {
        if (v.isNull()) return null;
        String bad = path + " = " + v + " ";
        switch (p.type()) {
            case DOUBLE -> {
                if (v.isNumber()) return v.doubleValue();
                if (v.isTextual() && v.asText().matches("-?Infinity|NaN")) return Double.parseDouble(v.asText());
                throw new IllegalArgumentException(bad + "is not a number (valid: " + p.validText() + ")");
            }
            case INT -> {
                if (v.isIntegralNumber() && v.canConvertToInt()) return v.intValue();
                throw new IllegalArgumentException(bad + "is not an integer (valid: " + p.validText() + ")");
            }
            case BOOL -> {
                if (v.isBoolean()) return v.booleanValue();
                throw new IllegalArgumentException(bad + "is not true/false");
            }
            case STRING, ENUM -> {
                if (v.isTextual()) return v.asText();
                throw new IllegalArgumentException(bad + "is not text" + (p.choices().isEmpty() ? "" : " (valid: " + String.join(", ", p.choices()) + ")"));
            }
            case INT_LIST -> {
                if (!v.isArray()) throw new IllegalArgumentException(bad + "is not a list of integers");
                List<Integer> out = new ArrayList<>();
                for (JsonNode x : v) {
                    if (!x.isIntegralNumber()) throw new IllegalArgumentException(bad + "is not a list of integers");
                    out.add(x.intValue());
                }
                return out;
            }
            case STRING_LIST -> {
                if (!v.isArray()) throw new IllegalArgumentException(bad + "is not a list of names");
                List<String> out = new ArrayList<>();
                for (JsonNode x : v) {
                    if (!x.isTextual()) throw new IllegalArgumentException(bad + "is not a list of names");
                    out.add(x.asText());
                }
                return out;
            }
            case SPEC -> {
                if (!p.nestedDefaults().isEmpty() && v.isObject() && v.get("name") != null && v.get("name").isTextual()) {
                    com.fasterxml.jackson.databind.node.ObjectNode filled = ((com.fasterxml.jackson.databind.node.ObjectNode) v).deepCopy();
                    nestedDefaults(p, v.get("name").asText()).forEach((k, d) -> {
                        if (!filled.has(k)) filled.set(k, d instanceof Double x ? filled.numberNode(x) : d instanceof Integer i ? filled.numberNode(i)
                                : d instanceof Boolean b ? filled.booleanNode(b) : filled.textNode(String.valueOf(d)));
                    });
                    return p.nested().get().fromJson(filled, path);
                }
                return p.nested().get().fromJson(v, path);
            }
        }
        throw new IllegalStateException(p.type().name());
    }

    // ---- printing -------------------------------------------------------------------------------------------------

    /** The Kotlin DSL call that builds this spec, with only the non-default parameters, e.g. {@code cdat(base = adam(lr = 0.003), scale = 1.5)}. */
    public String toDsl(Component c) {
        Entry<T> e = entry(c.name());
        List<String> positional = new ArrayList<>();
        List<String> named = new ArrayList<>();
        for (Param p : e.params()) {
            Object v = c.params().get(p.name());
            Object d = defaultOf(p);
            if (p.positional()) {  // vararg or leading argument, printed first
                if (v instanceof List<?> l) l.forEach(x -> positional.add(x instanceof String s ? dslValue(p, s) : String.valueOf(x)));
                else if (v != null) positional.add(dslValue(p, v));
                continue;
            }
            if (v == null || v.equals(d)) continue;
            named.add(p.name() + " = " + dslValue(p, v));
        }
        positional.addAll(named);
        return e.dslName() + "(" + String.join(", ", positional) + ")";
    }

    private static String dslValue(Param p, Object v) {
        if (v instanceof Double d) {
            if (d == Double.POSITIVE_INFINITY) return "Double.POSITIVE_INFINITY";
            if (d == Double.NEGATIVE_INFINITY) return "Double.NEGATIVE_INFINITY";
            return d.toString();
        }
        if (v instanceof String s) {
            if (p.type() == ParamType.ENUM && p.dslEnum() != null) {
                // "Init#upper": a Java enum with upper-case constants (Init.HE); otherwise a Kotlin enum (Norm.Batch)
                return p.dslEnum().endsWith("#upper") ? p.dslEnum().replace("#upper", "") + "." + s.toUpperCase(Locale.ROOT)
                        : p.dslEnum() + "." + Character.toUpperCase(s.charAt(0)) + s.substring(1);
            }
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + "\"";
        }
        if (v instanceof Component c) return p.nested().get().toDsl(c);
        if (v instanceof List<?> l) {
            List<String> parts = l.stream().map(x -> x instanceof String s ? "\"" + s + "\"" : String.valueOf(x)).toList();
            return "listOf(" + String.join(", ", parts) + ")";
        }
        return String.valueOf(v);
    }

    /** The catalog as text: each entry's name, doc and parameters with type, default, valid range and doc. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Entry<T> e : entries()) {
            sb.append(e.name());
            if (!e.aliases().isEmpty()) sb.append(" (alias ").append(String.join(", ", e.aliases())).append(')');
            sb.append(" — ").append(e.doc()).append('\n');
            for (Param p : e.params()) {
                sb.append(String.format(Locale.ROOT, "    --%-14s %-9s default %-10s valid %-22s %s%n",
                        p.flag(), p.type().label(), p.defaultText(), p.validText(), p.doc()));
            }
        }
        return sb.toString();
    }
}
