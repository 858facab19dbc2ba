package org.tuneless.data;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;

/**
 * Fashion-MNIST (Xiao et al. 2017): 28×28 grey images of 10 clothing classes, 60,000 train and 10,000 test.
 * Inputs are flattened to 784 values in [0, 1] (pixel / 255), float32.
 *
 * <ul>
 *   <li>{@link #debian()}: the full set from Debian's {@code dataset-fashion-mnist} package;</li>
 *   <li>{@link #load(Path)}: any directory of MNIST-format files (also MNIST itself);</li>
 *   <li>{@link #embedded()}: the subset shipped inside the jar — the <b>first 4,096 training and first 1,024 test
 *       images</b> of the official files (made by {@code EmbeddedSubsetTool} in the test sources) — so demos and tests
 *       run without the package.</li>
 * </ul>
 */
public final class FashionMnist {

    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int EMBEDDED_TRAIN = 4096;
    public static final int EMBEDDED_TEST = 1024;
    static final String RESOURCE_DIR = "/org/tuneless/data/fashion-mnist-embedded/";

    private static final String INSTALL_HINT = "install the full set with `apt-get install dataset-fashion-mnist`, pass a directory "
            + "of MNIST-format files, or use the embedded subset (FashionMnist.embedded(), --data fashion-mnist-embedded)";

    private FashionMnist() {}

    public static boolean debianAvailable() {
        return Files.isDirectory(DEBIAN_DIR) && findFile(DEBIAN_DIR, "train-images-idx3-ubyte") != null;
    }

    /** The full dataset from the Debian package. */
    public static TrainTestSplit debian() {
        return debian(null);
    }

    /** The Debian package's files, only the first {@code trainLimit} training examples read (null = all). */
    public static TrainTestSplit debian(Integer trainLimit) {
        if (!Files.isDirectory(DEBIAN_DIR)) {
            throw new DataFormatException("Fashion-MNIST not found at " + DEBIAN_DIR + ": " + INSTALL_HINT);
        }
        return load(DEBIAN_DIR, trainLimit);
    }

    /** MNIST-format files {@code {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]} from {@code dir}. */
    public static TrainTestSplit load(Path dir) {
        return load(dir, null);
    }

    /**
     * As {@link #load(Path)}, reading only the first {@code trainLimit} training examples (null = all; the test set
     * stays whole): a subset of the 60,000 training images costs the subset's memory and time, not the file's.
     */
    public static TrainTestSplit load(Path dir, Integer trainLimit) {
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException(dir.toAbsolutePath() + ": not a directory; expected a directory with "
                    + "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]");
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            throw new DataFormatException(dir.toAbsolutePath() + ": permission denied (the directory cannot be read); check its permissions (ls -ld)");
        }
        Path ti = require(dir, "train-images-idx3-ubyte"), tl = require(dir, "train-labels-idx1-ubyte");
        Dataset train = trainLimit == null ? fromFiles(ti, tl)
                : build(IdxReader.readImages(ti, trainLimit), IdxReader.readLabels(tl, trainLimit), ti.toAbsolutePath().toString(), tl.toAbsolutePath().toString());
        Dataset test = fromFiles(require(dir, "t10k-images-idx3-ubyte"), require(dir, "t10k-labels-idx1-ubyte"));
        return new TrainTestSplit(train, test);
    }

    /** The subset shipped in the jar: the first 4,096 training and first 1,024 test examples. */
    public static TrainTestSplit embedded() {
        return new TrainTestSplit(fromResources("train"), fromResources("t10k"));
    }

    private static Dataset fromResources(String prefix) {
        String images = RESOURCE_DIR + prefix + "-images-idx3-ubyte.gz";
        String labels = RESOURCE_DIR + prefix + "-labels-idx1-ubyte.gz";
        try (InputStream ii = open(images); InputStream li = open(labels)) {
            return build(IdxReader.readImages(ii, "jar:" + images), IdxReader.readLabels(li, "jar:" + labels), "jar:" + images, "jar:" + labels);
        } catch (java.io.IOException e) {
            throw new DataFormatException("cannot read the embedded Fashion-MNIST subset: " + e.getMessage(), e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = FashionMnist.class.getResourceAsStream(resource);
        if (in == null) throw new DataFormatException("the embedded Fashion-MNIST resource " + resource + " is missing from the jar; rebuild tuneless-optimizers");
        return in;
    }

    private static Path findFile(Path dir, String base) {
        for (String name : new String[]{base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static Path require(Path dir, String base) {
        Path p = findFile(dir, base);
        if (p == null) {
            throw new DataFormatException(dir.toAbsolutePath().resolve(base) + "[.gz]: file not found; " + INSTALL_HINT);
        }
        return p;
    }

    /** Builds a dataset from an images file and a labels file, checking that they agree. */
    public static Dataset fromFiles(Path imagesFile, Path labelsFile) {
        return build(IdxReader.readImages(imagesFile), IdxReader.readLabels(labelsFile),
                imagesFile.toAbsolutePath().toString(), labelsFile.toAbsolutePath().toString());
    }

    private static Dataset build(IdxReader.Images images, byte[] labelBytes, String imagesSource, String labelsSource) {
        if (images.count() != labelBytes.length) {
            throw new DataFormatException("mismatched files: " + imagesSource + " has " + images.count() + " images but "
                    + labelsSource + " has " + labelBytes.length + " labels");
        }
        int[] labels = new int[labelBytes.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = labelBytes[i] & 0xff;
            if (labels[i] >= CLASS_NAMES.size()) {
                throw new DataFormatException(labelsSource + ": label " + labels[i] + " of example " + i + " is outside 0..9");
            }
        }
        byte[] px = images.pixels();
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            // bytes are unsigned: as signed int8 they are v − 256 for v ≥ 128; add 256 where negative, then scale (whole-tensor ops)
            INDArray signed = Nd4j.createFromArray(px).castTo(DataType.FLOAT);
            INDArray x = signed.addi(signed.lt(0).castTo(DataType.FLOAT).muli(256)).divi(255f)
                    .reshape(images.count(), (long) images.rows() * images.cols());
            return Dataset.classification(x, labels, CLASS_NAMES.size());
        }
    }
}
