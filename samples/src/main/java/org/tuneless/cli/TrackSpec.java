package org.tuneless.cli;

import java.util.Locale;

import org.tuneless.train.CurvatureTracker;
import org.tuneless.data.Dataset;

/** Parses {@code --track sharpness:every=20,iters=100,subset=1024} into a {@link CurvatureTracker}. */
final class TrackSpec {

    static final String VALID = "sharpness, preconditioned-sharpness, update-curvature, elr";

    private TrackSpec() {}

    static CurvatureTracker parse(String spec, Dataset train) {
        String[] parts = spec.split(":", 2);
        CurvatureTracker.Builder b = CurvatureTracker.builder();
        for (String what : parts[0].split("\\+")) {
            switch (what.trim().toLowerCase(Locale.ROOT)) {
                case "sharpness" -> b.sharpness();
                case "preconditioned-sharpness" -> b.preconditionedSharpness();
                case "update-curvature", "uhu" -> b.updateCurvature();
                case "elr" -> b.elr();
                default -> throw new IllegalArgumentException("unknown --track quantity '" + what + "'; valid: " + VALID);
            }
        }
        if (parts.length > 1 && !parts[1].isBlank()) {
            for (String kv : parts[1].split(",")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2) throw new IllegalArgumentException("bad --track option '" + kv + "' in '" + spec + "'; expected key=value");
                String key = p[0].trim(), value = p[1].trim();
                try {
                    switch (key) {
                        case "every" -> b.every(Long.parseLong(value));
                        case "at" -> {
                            for (String s : value.split(";")) b.atSteps(Long.parseLong(s.trim()));
                        }
                        case "iters" -> b.maxIterations(Integer.parseInt(value));
                        case "tol" -> b.tolerance(Double.parseDouble(value));
                        case "subset" -> b.on(train.subset(Long.parseLong(value)).fullBatch());
                        default -> throw new IllegalArgumentException("unknown --track option '" + key + "'; valid: every, at, iters, tol, subset");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad --track value " + key + "=" + value + ": not a number");
                }
            }
        }
        return b.build();
    }
}
