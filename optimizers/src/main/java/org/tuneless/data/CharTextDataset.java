package org.tuneless.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.Snapshot;
import org.tuneless.tensor.Workspaces;

/**
 * Character-level language-model data from a text: the vocabulary is the text's distinct characters (Unicode code
 * points) sorted by code point, so it is deterministic; each character is encoded as its index in the vocabulary.
 *
 * <p>A <em>block</em> of context T starting at position s has inputs {@code ids[s .. s+T-1]} and next-character
 * targets {@code ids[s+1 .. s+T]}. {@link #dataset(int, int)} returns blocks as a {@link Dataset#sequences} dataset:
 * inputs (n, T) holding the token ids as float32 values (an Embedding layer reads ids from floats) and one-hot targets
 * (n, T, V) float32, so target position t is the input at position t+1.
 *
 * <p>Memory: the one-hot targets take n·T·V floats (64-character blocks, 100 symbols: 25.6 KB per block). In-memory
 * datasets are capped at {@link #MAX_DATASET_BYTES}; pass {@code maxBlocks} to take fewer blocks, or train from
 * {@link #stream}, which builds each minibatch's one-hot targets lazily, for large corpora.
 *
 * <p>Corpora: any UTF-8 file ({@link #fromFile}) or string ({@link #of}); the Debian {@code fortunes} package
 * ({@link #fortunes()}, all of {@code /usr/share/games/fortunes}, about 2.5 M characters); the embedded sample
 * ({@link #embeddedSample()}: the {@code fortunes-min} files fortunes, literature and riddles, about 97 K characters,
 * shipped in the jar); and {@link #fortunesOrEmbedded()}.
 */
public final class CharTextDataset {

    public static final Path FORTUNES_DIR = Path.of("/usr/share/games/fortunes");
    /** The fortune files shipped in the jar (those of Debian's {@code fortunes-min}), in this order. */
    public static final List<String> EMBEDDED_FILES = List.of("fortunes", "literature", "riddles");
    /** Largest in-memory dataset (float32 inputs + one-hot targets) that {@link #dataset} builds: 1 GiB. */
    public static final long MAX_DATASET_BYTES = 1L << 30;
    static final String RESOURCE_DIR = "/org/tuneless/data/fortunes-embedded/";

    private static final String INSTALL_HINT = "install it with `apt-get install fortunes` (or fortunes-min), or use the "
            + "embedded sample: CharTextDataset.embeddedSample() / fortunesOrEmbedded()";

    /** A text cut into a leading training part and a trailing test part that share one vocabulary. */
    public record TextSplit(CharTextDataset train, CharTextDataset test) {}

    private final String source;
    private final int[] vocab;   // sorted distinct code points
    private final int[] ids;     // the text, encoded

    private CharTextDataset(String source, int[] vocab, int[] ids) {
        this.source = source;
        this.vocab = vocab;
        this.ids = ids;
    }

    // ---------------------------------------------------------------------------------------------------- corpora

    /** The text of a string; {@code source} names it in messages. */
    public static CharTextDataset of(String text, String source) {
        if (text.isEmpty()) throw new IllegalArgumentException("the text of " + source + " is empty; give at least two characters");
        int[] cps = text.codePoints().toArray();
        int[] vocab = Arrays.stream(cps).distinct().sorted().toArray();
        int[] ids = new int[cps.length];
        for (int i = 0; i < cps.length; i++) ids[i] = Arrays.binarySearch(vocab, cps[i]);
        return new CharTextDataset(source, vocab, ids);
    }

    public static CharTextDataset of(String text) { return of(text, "the given string"); }

    /** The whole content of a UTF-8 text file, as it is (line ends and control characters included). */
    public static CharTextDataset fromFile(Path file) {
        String text = readUtf8(file);
        if (text.isEmpty()) {
            throw new DataFormatException(file.toAbsolutePath() + ": the file is empty; a character-level dataset needs a non-empty text");
        }
        return of(text, file.toAbsolutePath().toString());
    }

    /** True when the Debian {@code fortunes} (or {@code fortunes-min}) package is installed. */
    public static boolean fortunesAvailable() { return !fortuneFiles().isEmpty(); }

    /**
     * All fortune files of {@link #FORTUNES_DIR} (every file {@code X} with an index {@code X.dat}; not the {@code .u8}
     * links, not subdirectories such as {@code off/}), in name order, parsed by {@link #parseFortunes}.
     */
    public static CharTextDataset fortunes() {
        List<String> names = fortuneFiles();
        if (names.isEmpty()) throw new DataFormatException("no fortune files in " + FORTUNES_DIR + ": " + INSTALL_HINT);
        return fortunes(names.toArray(String[]::new));
    }

    /** The named fortune files of {@link #FORTUNES_DIR}, e.g. {@code fortunes("literature", "science")}. */
    public static CharTextDataset fortunes(String... names) {
        if (names.length == 0) throw new IllegalArgumentException("name at least one fortune file, e.g. \"literature\"; available: " + fortuneFiles());
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            Path file = FORTUNES_DIR.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new DataFormatException(file + ": fortune file not found; available: " + fortuneFiles()
                        + (Files.isDirectory(FORTUNES_DIR) ? "" : "; " + INSTALL_HINT));
            }
            appendFortunes(text, readUtf8(file));
        }
        return of(text.toString(), FORTUNES_DIR + "/{" + String.join(",", names) + "}");
    }

    /**
     * The sample shipped in the jar: byte-identical copies of the {@code fortunes-min} files fortunes, literature and
     * riddles (BSD licence; provenance and hashes in the README beside the resource), parsed like {@link #fortunes()}.
     */
    public static CharTextDataset embeddedSample() {
        StringBuilder text = new StringBuilder();
        for (String name : EMBEDDED_FILES) {
            String resource = RESOURCE_DIR + name + ".txt";
            try (InputStream in = CharTextDataset.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new DataFormatException("the embedded text resource " + resource + " is missing from the jar; rebuild tuneless-optimizers");
                }
                appendFortunes(text, decodeUtf8(in.readAllBytes(), "jar:" + resource));
            } catch (IOException e) {
                throw new DataFormatException("cannot read the embedded text resource " + resource + ": " + e.getMessage(), e);
            }
        }
        return of(text.toString(), "embedded fortunes sample " + EMBEDDED_FILES);
    }

    /** {@link #fortunes()} when the package is installed, else {@link #embeddedSample()}. */
    public static CharTextDataset fortunesOrEmbedded() { return fortunesAvailable() ? fortunes() : embeddedSample(); }

    /**
     * Plain text from a fortune file: separator lines (a single {@code %}) become blank lines, backspace overstrikes
     * ({@code _\bx}, {@code x\bx}) keep the last character written, and control characters other than tab and newline
     * (bell, carriage return, escape) are dropped.
     */
    static String parseFortunes(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        int lineStart = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\n') {
                if (out.length() - lineStart == 1 && out.charAt(lineStart) == '%') out.setLength(lineStart);
                out.append('\n');
                lineStart = out.length();
            } else if (c == '\b') {
                if (out.length() > lineStart) out.setLength(out.length() - 1);
            } else if (c == '\t' || (c >= 0x20 && c != 0x7f)) {
                out.append(c);
            }
        }
        if (out.length() - lineStart == 1 && out.charAt(lineStart) == '%') out.setLength(lineStart);
        return out.toString();
    }

    /** Appends one parsed fortune file without its leading/trailing newlines, followed by a blank line. */
    private static void appendFortunes(StringBuilder text, String raw) {
        String parsed = parseFortunes(raw);
        int from = 0, to = parsed.length();
        while (from < to && parsed.charAt(from) == '\n') from++;
        while (to > from && parsed.charAt(to - 1) == '\n') to--;
        if (from < to) text.append(parsed, from, to).append("\n\n");
    }

    private static List<String> fortuneFiles() {
        if (!Files.isDirectory(FORTUNES_DIR)) return List.of();
        try (Stream<Path> files = Files.list(FORTUNES_DIR)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".dat") && !n.endsWith(".u8") && Files.isRegularFile(FORTUNES_DIR.resolve(n + ".dat")))
                    .sorted().toList();
        } catch (IOException e) {
            throw new DataFormatException("cannot list " + FORTUNES_DIR + ": " + e.getMessage(), e);
        }
    }

    private static String readUtf8(Path file) {
        try {
            long size = Files.size(file);
            // a String of n bytes of text takes up to 2n bytes of heap, plus the n bytes read: refuse before reading
            long limit = Math.min(MAX_DATASET_BYTES, Runtime.getRuntime().maxMemory() / 4);
            if (size > limit) {
                throw new DataFormatException(file.toAbsolutePath() + ": the file has " + size + " bytes, more than the " + limit
                        + " bytes a text corpus may have here (the smaller of " + (MAX_DATASET_BYTES >> 20) + " MiB and a quarter of the "
                        + "Java heap, -Xmx); take a part of it (e.g. head -c 100M FILE > part.txt) or raise -Xmx");
            }
            return decodeUtf8(Files.readAllBytes(file), file.toAbsolutePath().toString());
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file.toAbsolutePath() + ": file not found; give the path of a UTF-8 text file", e);
        } catch (IOException e) {
            throw new DataFormatException(file.toAbsolutePath() + ": cannot read the file (" + e + ")", e);
        }
    }

    private static String decodeUtf8(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (MalformedInputException e) {
            throw new DataFormatException(source + ": not valid UTF-8 (" + e.getMessage() + "); convert it first, e.g. "
                    + "`iconv -f latin1 -t utf-8 in.txt > out.txt`", e);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(source + ": not valid UTF-8 (" + e + "); convert it to UTF-8 first", e);
        }
    }

    // ---------------------------------------------------------------------------------------------- vocabulary

    /** Where the text came from (a path, the embedded sample, a string). */
    public String source() { return source; }

    /** Number of characters (code points) of the text. */
    public int length() { return ids.length; }

    /** The text itself. */
    public String text() { return decode(ids); }

    /** The encoded text (a copy). */
    public int[] ids() { return ids.clone(); }

    /** The vocabulary in id order (sorted by code point): the character with id i is the i-th code point of this string. */
    public String vocabulary() { return new String(vocab, 0, vocab.length); }

    public int vocabularySize() { return vocab.length; }

    /** The character with the given id. */
    public String symbol(int id) {
        checkId(id, -1);
        return new String(vocab, id, 1);
    }

    /** Ids of the characters of {@code s}; every character must be in the vocabulary. */
    public int[] encode(String s) {
        int[] cps = s.codePoints().toArray();
        int[] out = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            int id = Arrays.binarySearch(vocab, cps[i]);
            if (id < 0) {
                throw new IllegalArgumentException(String.format("character '%s' (U+%04X) at position %d is not in the vocabulary of %d "
                        + "characters of %s; build the dataset from a text that contains it", new String(cps, i, 1), cps[i], i, vocab.length, source));
            }
            out[i] = id;
        }
        return out;
    }

    /** The text of the given ids. */
    public String decode(int[] tokens) {
        StringBuilder out = new StringBuilder(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            checkId(tokens[i], i);
            out.appendCodePoint(vocab[tokens[i]]);
        }
        return out.toString();
    }

    private void checkId(int id, int position) {
        if (id < 0 || id >= vocab.length) {
            throw new IllegalArgumentException("token id " + id + (position >= 0 ? " at position " + position : "")
                    + " is outside the vocabulary [0, " + vocab.length + ")");
        }
    }

    /** Characters [from, to) of the text, with this (whole text's) vocabulary, so ids mean the same in both. */
    public CharTextDataset slice(int from, int to) {
        if (from < 0 || to > ids.length || from >= to) {
            throw new IllegalArgumentException("bad character range [" + from + ", " + to + ") of a text of " + ids.length + " characters");
        }
        return new CharTextDataset(source + "[" + from + ", " + to + ")", vocab, Arrays.copyOfRange(ids, from, to));
    }

    /** The leading {@code 1 − testFraction} of the text for training and the rest for testing, sharing the vocabulary. */
    public TextSplit split(double testFraction) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction = " + testFraction + " must be in (0, 1), e.g. 0.1");
        }
        int cut = (int) Math.round(ids.length * (1 - testFraction));
        if (cut < 1 || cut >= ids.length) {
            throw new IllegalArgumentException("a text of " + ids.length + " characters is too short to split with test fraction " + testFraction);
        }
        return new TextSplit(slice(0, cut), slice(cut, ids.length));
    }

    // ---------------------------------------------------------------------------------------------------- blocks

    /** Number of blocks of {@code context} characters whose starts are {@code stride} apart (each needs context + 1 characters). */
    public int numBlocks(int context, int stride) {
        checkBlocks(context, stride);
        return (ids.length - context - 1) / stride + 1;
    }

    /**
     * Train/test data for a language model: the leading 1 − testFraction of the text gives at most {@code maxBlocks}
     * non-overlapping training blocks of {@code context} characters, the rest at most maxBlocks/8 test blocks.
     */
    public TrainTestSplit trainTest(int context, int maxBlocks, double testFraction) {
        TextSplit parts = split(testFraction);
        return new TrainTestSplit(parts.train().dataset(context, context, maxBlocks), parts.test().dataset(context, context, Math.max(1, maxBlocks / 8)));
    }

    /** Non-overlapping blocks (stride = context), all of them. */
    public Dataset dataset(int context) { return dataset(context, context); }

    /** All blocks with starts {@code stride} apart (throws if they exceed {@link #MAX_DATASET_BYTES}). */
    public Dataset dataset(int context, int stride) { return dataset(context, stride, Integer.MAX_VALUE); }

    /** The first {@code maxBlocks} blocks (fewer if the text has fewer). */
    public Dataset dataset(int context, int stride, int maxBlocks) {
        int n = Math.min(checkMaxBlocks(maxBlocks), numBlocks(context, stride));
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) starts[i] = i * stride;
        return toDataset(starts, context);
    }

    /** {@code maxBlocks} blocks drawn uniformly without replacement by a seeded generator, in text order (all if fewer). */
    public Dataset dataset(int context, int stride, int maxBlocks, long seed) {
        int total = numBlocks(context, stride);
        int n = Math.min(checkMaxBlocks(maxBlocks), total);
        int[] order = new int[total];
        for (int i = 0; i < total; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) { // partial Fisher–Yates
            int j = i + rng.nextInt(total - i);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        int[] starts = Arrays.copyOf(order, n);
        Arrays.sort(starts);
        for (int i = 0; i < n; i++) starts[i] *= stride;
        return toDataset(starts, context);
    }

    /**
     * Minibatches of blocks built lazily (one-hot targets only for the current batch), for corpora too large for
     * {@link #dataset}: each epoch visits every block once in a fresh seeded permutation, like {@link MinibatchStream};
     * the last batch of an epoch is smaller when the block count is not a multiple of {@code batchSize}.
     */
    public BatchStream stream(int context, int stride, int batchSize, long seed) {
        int total = numBlocks(context, stride);
        if (batchSize <= 0) throw new IllegalArgumentException("batch size = " + batchSize + " must be positive");
        int size = Math.min(batchSize, total);
        return new BatchStream() {
            private final SplittableRandom rng = new SplittableRandom(seed);
            private final int[] order = new int[total];
            private int position = total;
            private long epoch = -1;

            private void shuffle() {
                BatchStream.shuffle(order, rng);
                position = 0;
                epoch++;
            }

            @Override public Batch next() {
                if (position == total) shuffle();
                int n = Math.min(size, total - position);
                int[] starts = new int[n];
                for (int i = 0; i < n; i++) starts[i] = order[position + i] * stride;
                position += n;
                return blocks(starts, context);
            }

            @Override public long epoch() { return epoch; }

            /** Epoch and position; the generator's state is the number of permutations drawn (epoch + 1), redrawn on restore. */
            @Override public void saveState(Snapshot out) {
                out.put("kind", "text-blocks").put("epoch", epoch).put("position", position).put("size", total).put("batch", size);
                try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored = org.tuneless.tensor.Workspaces.detached()) {
                    out.putTensor("order", Nd4j.createFromArray(order.clone()));
                }
            }

            @Override public void restoreState(Snapshot in) {
                if (!in.getString("kind").equals("text-blocks")) throw in.mismatch("kind", "the checkpoint's stream is '" + in.getString("kind") + "', this run's is text blocks");
                if (in.getLong("size") != total || in.getLong("batch") != size) throw in.mismatch("size", "the checkpoint's blocks or batch size differ from this run's");
                if (epoch != -1) throw new IllegalStateException("restoreState needs a fresh stream");
                long target = in.getLong("epoch");
                for (long e = -1; e < target; e++) {
                    position = total;
                    shuffle();
                }
                if (target >= 0) {
                    int[] saved = in.tensor("order", total).toIntVector();
                    if (!Arrays.equals(saved, order)) throw in.mismatch("order", "the block order drawn from the seed differs from the checkpoint's");
                }
                position = (int) in.getLong("position");
            }
        };
    }

    private Dataset toDataset(int[] starts, int context) {
        long bytes = 4L * starts.length * context * (vocab.length + 1);
        if (bytes > MAX_DATASET_BYTES) {
            long fits = MAX_DATASET_BYTES / (4L * context * (vocab.length + 1));
            throw new IllegalArgumentException(String.format("%d blocks of %d characters with %d-symbol one-hot targets need %d MiB "
                            + "(limit %d MiB); pass maxBlocks ≤ %d, or train from stream(context, stride, batchSize, seed), which builds "
                            + "the one-hot targets batch by batch", starts.length, context, vocab.length, bytes >> 20,
                    MAX_DATASET_BYTES >> 20, fits));
        }
        Batch b = blocks(starts, context);
        return Dataset.sequences(b.inputs(), b.targets());
    }

    /** Inputs (n, T) = ids[s .. s+T-1] as floats and one-hot targets (n, T, V) of ids[s+1 .. s+T], for each start s. */
    private Batch blocks(int[] starts, int context) {
        int n = starts.length, v = vocab.length;
        float[] x = new float[n * context];
        int[] y = new int[n * context];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < context; t++) {
                x[i * context + t] = ids[starts[i] + t];
                y[i * context + t] = ids[starts[i] + t + 1];
            }
        }
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            INDArray inputs = Nd4j.createFromArray(x).reshape('c', n, context);
            INDArray targets = Nd4j.create(DataType.FLOAT, (long) n * context, v);
            Nd4j.exec(new OneHot(Nd4j.createFromArray(y), targets, v));
            return new Batch(inputs, targets.reshape('c', n, context, v));
        }
    }

    private void checkBlocks(int context, int stride) {
        if (context <= 0) throw new IllegalArgumentException("context = " + context + " must be positive, e.g. 64");
        if (stride <= 0) throw new IllegalArgumentException("stride = " + stride + " must be positive (stride = context gives non-overlapping blocks)");
        if (context >= ids.length) {
            throw new IllegalArgumentException("context " + context + " needs at least " + (context + 1) + " characters (inputs and the "
                    + "next-character targets) but " + source + " has " + ids.length + "; use a context below " + ids.length + " or a longer text");
        }
    }

    private static int checkMaxBlocks(int maxBlocks) {
        if (maxBlocks <= 0) throw new IllegalArgumentException("maxBlocks = " + maxBlocks + " must be positive");
        return maxBlocks;
    }

    @Override public String toString() {
        return "CharTextDataset(" + source + ": " + ids.length + " characters, vocabulary " + vocab.length + ")";
    }
}
