package org.tuneless.cli;

import java.nio.file.Path;
import java.util.Locale;

import org.tuneless.data.CharTextDataset;
import org.tuneless.data.Dataset;
import org.tuneless.data.FashionMnist;
import org.tuneless.data.TrainTestSplit;

/**
 * Parses a {@code --data} value: {@code fashion-mnist[:N]} (the Debian files when installed, else the embedded subset),
 * {@code fashion-mnist-embedded[:N]}, {@code fashion-mnist-debian[:N]} or {@code idx:DIR[:N]} (MNIST-format files);
 * N keeps the first N training examples. Text for language models: {@code text[:T[:N]]} (the Debian fortunes when
 * installed, else the embedded sample), {@code text-embedded[:T[:N]]}, {@code textfile:PATH[:T[:N]]} — blocks of T
 * characters (default 64), at most N training blocks (default 4096), the last 10% of the text held out.
 */
record DataSpec(String source, String description, TrainTestSplit split, boolean text) {

    static final String VALID = "fashion-mnist[:N], fashion-mnist-embedded[:N], fashion-mnist-debian[:N], idx:DIR[:N], text[:T[:N]], text-embedded[:T[:N]], textfile:PATH[:T[:N]]";

    static DataSpec parse(String spec) {
        String s = spec.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        TrainTestSplit split;
        String source;
        String rest;
        if (lower.startsWith("text") || lower.startsWith("fortunes")) return text(spec);
        if (lower.startsWith("idx:")) {
            String body = s.substring(4);
            int colon = body.lastIndexOf(':');
            String dir = body;
            rest = null;
            if (colon > 0 && body.substring(colon + 1).matches("\\d+")) {
                dir = body.substring(0, colon);
                rest = body.substring(colon + 1);
            }
            if (dir.isBlank()) throw new IllegalArgumentException("--data idx: needs a directory, e.g. idx:/usr/share/datasets/fashion-mnist");
            split = FashionMnist.load(Path.of(dir));
            source = "idx:" + Path.of(dir).toAbsolutePath();
        } else {
            String[] parts = s.split(":", 2);
            rest = parts.length > 1 ? parts[1] : null;
            switch (parts[0].toLowerCase(Locale.ROOT)) {
                case "fashion-mnist" -> {
                    if (FashionMnist.debianAvailable()) {
                        split = FashionMnist.debian();
                        source = "fashion-mnist (Debian, full)";
                    } else {
                        split = FashionMnist.embedded();
                        source = "fashion-mnist (embedded subset; apt-get install dataset-fashion-mnist for the full set)";
                    }
                }
                case "fashion-mnist-embedded" -> {
                    split = FashionMnist.embedded();
                    source = "fashion-mnist (embedded subset)";
                }
                case "fashion-mnist-debian" -> {
                    split = FashionMnist.debian();
                    source = "fashion-mnist (Debian, full)";
                }
                default -> throw new IllegalArgumentException("unknown data '" + spec + "'; valid: " + VALID);
            }
        }
        if (rest != null) {
            int n;
            try {
                n = Integer.parseInt(rest);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad sample count '" + rest + "' in --data " + spec + "; expected a positive integer, e.g. fashion-mnist:4096");
            }
            Dataset train = split.train().subset(n);
            split = new TrainTestSplit(train, split.test());
        }
        String description = source + ": " + split.train().size() + " train / " + split.test().size() + " test examples";
        return new DataSpec(spec, description, split, false);
    }

    private static DataSpec text(String spec) {
        String[] parts = spec.trim().split(":");
        String kind = parts[0].toLowerCase(Locale.ROOT);
        int next = 1;
        CharTextDataset corpus;
        switch (kind) {
            case "text", "fortunes" -> corpus = CharTextDataset.fortunesOrEmbedded();
            case "text-embedded" -> corpus = CharTextDataset.embeddedSample();
            case "textfile" -> {
                if (parts.length < 2 || parts[1].isBlank()) throw new IllegalArgumentException("--data textfile: needs a path, e.g. textfile:book.txt:64");
                corpus = CharTextDataset.fromFile(Path.of(parts[1]));
                next = 2;
            }
            default -> throw new IllegalArgumentException("unknown data '" + spec + "'; valid: " + VALID);
        }
        int context = parts.length > next ? positive(parts[next], "context T", spec) : 64;
        int blocks = parts.length > next + 1 ? positive(parts[next + 1], "block count N", spec) : 4096;
        TrainTestSplit split = corpus.trainTest(context, blocks, 0.1);
        String description = corpus.source() + " (" + corpus.length() + " characters, vocabulary " + corpus.vocabularySize() + "): "
                + split.train().size() + " train / " + split.test().size() + " test blocks of " + context;
        return new DataSpec(spec, description, split, true);
    }

    private static int positive(String value, String what, String spec) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new IllegalArgumentException("bad " + what + " '" + value + "' in --data " + spec + "; expected a positive integer, e.g. text:64:4096");
    }
}
