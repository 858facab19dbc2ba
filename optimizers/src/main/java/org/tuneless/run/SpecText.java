package org.tuneless.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.tuneless.catalog.Catalog;
import org.tuneless.catalog.Component;

/**
 * The short text syntax of catalog specs used by the command line and the DSL's {@code model("…")} for catalog specs: {@code --model mlp:784-256-10:tanh}, {@code resnet34:none},
 * {@code --data fashion-mnist:4096}, {@code text:64:4096}, {@code textfile:PATH:T:N}, {@code idx:DIR:N},
 * {@code --track sharpness+elr:every=20,iters=100}. Any entry also takes the general form {@code name:key=value,…}
 * (e.g. {@code vit:patch=4,dim=64}, {@code teacher-student:samples=512}). Values are validated by the catalogs.
 */
public final class SpecText {

    public static final String DATA_FORMS = "fashion-mnist[:N], fashion-mnist-embedded[:N], fashion-mnist-debian[:N], idx:DIR[:N], text[:T[:N]], "
            + "text-embedded[:T[:N]], textfile:PATH[:T[:N]], or NAME:key=value,… (./tuneless list data)";

    private SpecText() {}

    /** {@code name:k=v,k=v} → a spec, or null when the text is not in that form. */
    private static Component general(Catalog<?> catalog, String text) {
        int colon = text.indexOf(':');
        if (colon < 0 || !text.substring(colon + 1).contains("=")) return null;
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : text.substring(colon + 1).split(",")) {
            String[] p = part.split("=", 2);
            if (p.length != 2) throw new IllegalArgumentException("bad option '" + part + "' in '" + text + "'; expected key=value");
            kv.put(p[0].trim(), p[1].trim());
        }
        return catalog.parse(text.substring(0, colon).trim().toLowerCase(Locale.ROOT), kv);
    }

    /** An optimizer from {@code NAME} or {@code NAME:key=value,…} (./tuneless list optimizers). */
    public static Component optimizer(String text) {
        emptyOption(text, "--optimizer", "optimizers");
        Component g = general(org.tuneless.optim.Optimizers.CATALOG, text);
        if (g != null) return g;
        return org.tuneless.optim.Optimizers.CATALOG.parse(text.trim().toLowerCase(Locale.ROOT), Map.of());
    }

    public static Component model(String text) {
        emptyOption(text, "--model", "models");
        Component g = general(Catalogs.MODELS, text);
        if (g != null) return g;
        String[] parts = text.trim().split(":");
        String name = parts[0].toLowerCase(Locale.ROOT);
        Map<String, String> kv = new LinkedHashMap<>();
        if (name.equals("mlp")) {
            if (parts.length < 2 || parts[1].isBlank()) throw new IllegalArgumentException("model 'mlp' needs its widths, e.g. mlp:784-256-256-10");
            if (!parts[1].matches("[0-9-]+")) throw new IllegalArgumentException("bad MLP widths '" + parts[1] + "': expected integers joined by '-', e.g. 784-256-256-10");
            kv.put("widths", parts[1]);
            if (parts.length > 2) kv.put("activation", parts[2]);
        } else if (parts.length > 1 && Catalogs.MODELS.contains(name) && Catalogs.MODELS.entry(name).param("norm").isPresent()) {
            kv.put("norm", switch (parts[1].toLowerCase(Locale.ROOT)) {
                case "nonorm" -> "none";
                case "ln", "layernorm" -> "layer";
                case "bn", "batchnorm" -> "batch";
                default -> parts[1];
            });
        } else if (parts.length > 1) {
            throw new IllegalArgumentException("model '" + name + "' takes no ':' option here; use " + name + ":key=value (./tuneless list models)");
        }
        return Catalogs.MODELS.parse(name, kv);
    }

    public static Component data(String text) {
        emptyOption(text, "--data", "data");
        Component g = general(Catalogs.DATA, text);
        if (g != null) return g;
        String s = text.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        Map<String, String> kv = new LinkedHashMap<>();
        if (lower.startsWith("idx:")) {
            String body = s.substring(4);
            int colon = body.lastIndexOf(':');
            String dir = body;
            if (colon > 0 && body.substring(colon + 1).matches("\\d+")) {
                dir = body.substring(0, colon);
                kv.put("subset", body.substring(colon + 1));
            }
            if (dir.isBlank()) throw new IllegalArgumentException("--data idx: needs a directory, e.g. idx:/usr/share/datasets/fashion-mnist");
            kv.put("directory", dir);
            return Catalogs.DATA.parse("idx", kv);
        }
        String[] parts = s.split(":");
        String kind = parts[0].toLowerCase(Locale.ROOT);
        switch (kind) {
            case "fashion-mnist", "fashion-mnist-embedded", "fashion-mnist-debian" -> {
                kv.put("source", kind.equals("fashion-mnist") ? "auto" : kind.substring("fashion-mnist-".length()));
                if (parts.length > 1) kv.put("subset", parts[1]);
                return Catalogs.DATA.parse("fashion-mnist", kv);
            }
            case "text", "fortunes", "text-embedded" -> {
                kv.put("source", kind.equals("text-embedded") ? "embedded" : "auto");
                if (parts.length > 1) kv.put("context", parts[1]);
                if (parts.length > 2) kv.put("maxBlocks", parts[2]);
                return Catalogs.DATA.parse("text", kv);
            }
            case "textfile" -> {
                // textfile:PATH[:T[:N]]: the trailing numbers are the context and block count; the path may contain ':'
                String body = s.substring(s.indexOf(':') + 1);
                List<String> numbers = new ArrayList<>();
                while (numbers.size() < 2) {
                    int colon = body.lastIndexOf(':');
                    if (colon < 0 || !body.substring(colon + 1).matches("\\d+")) break;
                    numbers.add(0, body.substring(colon + 1));
                    body = body.substring(0, colon);
                }
                if (body.isBlank()) throw new IllegalArgumentException("--data textfile: needs a path, e.g. textfile:book.txt:64");
                kv.put("path", body);
                if (numbers.size() > 0) kv.put("context", numbers.get(0));
                if (numbers.size() > 1) kv.put("maxBlocks", numbers.get(1));
                return Catalogs.DATA.parse("textfile", kv);
            }
            default -> {
                if (Catalogs.DATA.contains(kind) && parts.length == 1) return Catalogs.DATA.parse(kind, kv);
                throw new IllegalArgumentException("unknown data '" + text + "'; valid: " + DATA_FORMS);
            }
        }
    }

    /** A trailing ':' with nothing after it was silently ignored: refuse it. */
    private static void emptyOption(String text, String flag, String catalog) {
        String t = text.trim();
        if (t.endsWith(":")) {
            throw new IllegalArgumentException(flag + " '" + text + "' ends with ':' but gives no option after it; write '"
                    + t.substring(0, t.length() - 1) + "' or add the option (./tuneless list " + catalog + ")");
        }
    }

    /** {@code sharpness+elr:every=20,at=5;10,iters=100,tol=1e-3,subset=1024}: one tracker per quantity, each with these options. */
    public static List<Component> track(String text) {
        String[] parts = text.split(":", 2);
        Map<String, String> kv = new LinkedHashMap<>();
        if (parts.length > 1 && !parts[1].isBlank()) {
            for (String pair : parts[1].split(",")) {
                String[] p = pair.split("=", 2);
                if (p.length != 2) throw new IllegalArgumentException("bad --track option '" + pair + "' in '" + text + "'; expected key=value");
                String key = switch (p[0].trim()) {
                    case "iters" -> "maxIterations";
                    case "tol" -> "tolerance";
                    default -> p[0].trim();
                };
                kv.put(key, key.equals("at") ? p[1].trim().replace(';', ',') : p[1].trim());
            }
        }
        List<Component> out = new ArrayList<>();
        for (String what : parts[0].split("\\+")) {
            String name = what.trim().toLowerCase(Locale.ROOT);
            if (!Catalogs.TRACKERS.contains(name)) {
                throw new IllegalArgumentException("unknown --track quantity '" + what + "'; valid: " + String.join(", ", Catalogs.TRACKERS.names()));
            }
            out.add(Catalogs.TRACKERS.parse(name, kv));
        }
        return out;
    }
}
