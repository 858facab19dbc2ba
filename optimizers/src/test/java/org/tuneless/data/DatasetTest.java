package org.tuneless.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.objective.Batch;

class DatasetTest {

    private static final TrainTestSplit EMBEDDED = FashionMnist.embedded();

    @Test void embeddedSubsetHasTheDocumentedShapeAndRange() {
        Dataset train = EMBEDDED.train(), test = EMBEDDED.test();
        assertEquals(4096, train.size());
        assertEquals(1024, test.size());
        assertArrayEquals(new long[]{784}, train.inputShape());
        assertEquals(0.0, train.inputs().minNumber().doubleValue(), 0);
        assertEquals(1.0, train.inputs().maxNumber().doubleValue(), 0);
        Set<Integer> classes = new HashSet<>();
        for (int l : train.labels()) classes.add(l);
        assertEquals(10, classes.size());
        INDArray rowSums = train.targets().sum(1);
        assertEquals(4096.0, rowSums.sumNumber().doubleValue(), 0);
        assertEquals(1.0, rowSums.maxNumber().doubleValue(), 0);
    }

    @Test void embeddedSubsetIsTheFirstExamplesOfTheDebianFiles() {
        Assumptions.assumeTrue(FashionMnist.debianAvailable(), "dataset-fashion-mnist not installed");
        TrainTestSplit full = FashionMnist.debian();
        assertEquals(60000, full.train().size());
        assertEquals(10000, full.test().size());
        assertEquals(full.train().subset(4096).inputs(), EMBEDDED.train().inputs());
        assertArrayEquals(Arrays.copyOf(full.test().labels(), 1024), EMBEDDED.test().labels());
        assertEquals(full.test().subset(1024).inputs(), EMBEDDED.test().inputs());
    }

    @Test void aSubsetReadsOnlyTheFirstExamplesOfTheFilesWithUnsignedPixels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // 5 images of 2×2 with pixel values 0, 127, 128, 255 (signed bytes would turn 128 and 255 negative), labels 0..4
        byte[] images = new byte[16 + 5 * 4], labels = new byte[8 + 5];
        java.nio.ByteBuffer.wrap(images).putInt(IdxReader.IMAGES_MAGIC).putInt(5).putInt(2).putInt(2);
        java.nio.ByteBuffer.wrap(labels).putInt(IdxReader.LABELS_MAGIC).putInt(5);
        int[] values = {0, 127, 128, 255};
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 4; j++) images[16 + 4 * i + j] = (byte) values[(i + j) % 4];
            labels[8 + i] = (byte) i;
        }
        for (String split : new String[]{"train", "t10k"}) {
            java.nio.file.Files.write(dir.resolve(split + "-images-idx3-ubyte"), images);
            java.nio.file.Files.write(dir.resolve(split + "-labels-idx1-ubyte"), labels);
        }
        TrainTestSplit all = FashionMnist.load(dir), first3 = FashionMnist.load(dir, 3), more = FashionMnist.load(dir, 99);
        assertEquals(3, first3.train().size());
        assertEquals(5, first3.test().size(), "the test set stays whole");
        assertEquals(5, more.train().size(), "a limit above the file's count keeps all");
        assertEquals(all.train().subset(3).inputs(), first3.train().inputs());
        assertArrayEquals(new int[]{0, 1, 2}, first3.train().labels());
        // unsigned bytes / 255 in float32, exactly as (v & 0xff) / 255f
        float[] row1 = all.train().inputs().getRow(1).toFloatVector();
        for (int j = 0; j < 4; j++) assertEquals(values[(1 + j) % 4] / 255f, row1[j], 0f);
        assertEquals(3, IdxReader.readImages(dir.resolve("train-images-idx3-ubyte"), 3).count());
        // truncated data is still refused: announce 5 images, hold 2
        java.nio.file.Files.write(dir.resolve("short"), Arrays.copyOf(images, 16 + 2 * 4));
        assertEquals(2, IdxReader.readImages(dir.resolve("short"), 2).count());
        DataFormatException e = org.junit.jupiter.api.Assertions.assertThrows(DataFormatException.class, () -> IdxReader.readImages(dir.resolve("short"), 3));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("truncated file: expected 12 bytes of pixel data for 3 of 5 images"), e.getMessage());
    }

    @Test void debianSubsetEqualsTheFirstExamplesOfTheWholeFile() {
        Assumptions.assumeTrue(FashionMnist.debianAvailable(), "dataset-fashion-mnist not installed");
        TrainTestSplit part = FashionMnist.debian(1000);
        assertEquals(1000, part.train().size());
        assertEquals(10000, part.test().size());
        assertEquals(EMBEDDED.train().subset(1000).inputs(), part.train().inputs());
        assertArrayEquals(Arrays.copyOf(EMBEDDED.train().labels(), 1000), part.train().labels());
    }

    @Test void batchesGatherTheRequestedRows() {
        Dataset d = EMBEDDED.test();
        Batch b = d.batch(new int[]{5, 0, 1023});
        assertEquals(d.inputs().getRow(5), b.inputs().getRow(0));
        assertEquals(d.inputs().getRow(1023), b.inputs().getRow(2));
        assertEquals(d.targets().getRow(0), b.targets().getRow(1));
    }

    @Test void minibatchStreamIsDeterministicBySeedAndCoversEachEpochOnce() {
        Dataset d = EMBEDDED.test().subset(100);
        MinibatchStream a = new MinibatchStream(d, 32, 7), b = new MinibatchStream(d, 32, 7), c = new MinibatchStream(d, 32, 8);
        INDArray a0 = a.next().inputs(), b0 = b.next().inputs(), c0 = c.next().inputs();
        assertEquals(a0, b0);
        assertNotEquals(a0, c0);
        // 100 = 32 + 32 + 32 + 4: one epoch, then the next starts
        INDArray seen = a0;
        for (int i = 0; i < 3; i++) seen = Nd4j.concat(0, seen, a.next().inputs());
        assertEquals(100, seen.size(0));
        assertEquals(0, a.epoch());
        assertEquals(d.inputs().sum(0), seen.sum(0), "every example exactly once per epoch");
        assertEquals(32, a.next().size());
        assertEquals(1, a.epoch());
        MinibatchStream drop = new MinibatchStream(d, 32, 1, true);
        for (int i = 0; i < 3; i++) assertEquals(32, drop.next().size());
        assertEquals(32, drop.next().size());
        assertEquals(1, drop.epoch());
    }

    @Test void reusedBatchBuffersHoldTheSameRowsAsFreshBatches() {
        // images as (N, 1, 28, 28) and sequence targets (N, T): the gather goes through 2-D views of the buffers
        Dataset flat = EMBEDDED.test().subset(64);
        Dataset images = Dataset.classification(flat.inputs().reshape('c', 64, 1, 28, 28), labels(flat), 10);
        Dataset seq = Dataset.sequences(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 64, 6), Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 64, 6, 5));
        int[] idx = {63, 0, 17, 17, 5};
        for (Dataset d : new Dataset[]{flat, images, seq}) {
            Batch fresh = d.batch(idx), reused = d.batchInto(idx, d.batchBuffer(idx.length));
            assertArrayEquals(fresh.inputs().shape(), reused.inputs().shape());
            assertEquals(fresh.inputs(), reused.inputs());
            assertEquals(fresh.targets(), reused.targets());
        }
        // a stream's batch stays valid through the next call, and the stream yields what fresh gathers would
        MinibatchStream s = new MinibatchStream(images, 16, 3), ref = new MinibatchStream(images, 16, 3);
        Batch previous = null;
        INDArray previousCopy = null;
        for (int i = 0; i < 9; i++) {
            Batch b = s.next();
            assertEquals(ref.next().inputs().dup(), b.inputs());
            if (previous != null) assertEquals(previousCopy, previous.inputs(), "the previous batch is intact after next()");
            previous = b;
            previousCopy = b.inputs().dup();
        }
    }

    private static int[] labels(Dataset d) {
        return Nd4j.argMax(d.targets(), 1).toIntVector();
    }

    @Test void subsetAndBatchSizeErrorsExplainThemselves() {
        Dataset d = EMBEDDED.test();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.subset(5000)).getMessage().contains("1..1024"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.subset(0)).getMessage().contains("0 examples"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new MinibatchStream(d, 0, 0)).getMessage().contains("positive"));
    }

    @Test void teacherStudentIsDeterministicAndRegression() {
        Dataset a = TeacherStudent.generate(64, 5, 8, 2, 0.1, 3), b = TeacherStudent.generate(64, 5, 8, 2, 0.1, 3);
        Dataset c = TeacherStudent.generate(64, 5, 8, 2, 0.1, 4);
        assertEquals(a.targets(), b.targets());
        assertNotEquals(a.targets(), c.targets());
        assertEquals(0, a.numClasses());
        assertArrayEquals(new long[]{64, 2}, a.targets().shape());
        assertTrue(assertThrows(IllegalStateException.class, a::labels).getMessage().contains("regression"));
        // noise-free targets are a deterministic function of the inputs: the same inputs give the same targets
        Dataset clean = TeacherStudent.generate(64, 5, 8, 2, 0.0, 3);
        assertEquals(a.inputs(), clean.inputs());
        double noiseStd = a.targets().sub(clean.targets()).stdNumber().doubleValue();
        assertEquals(0.1, noiseStd, 0.03);
    }

    @Test void sliceSharesMemoryAndKeepsLabels() {
        Dataset d = EMBEDDED.test().slice(10, 20);
        assertEquals(10, d.size());
        assertEquals(EMBEDDED.test().labels()[10], d.labels()[0]);
        assertEquals(EMBEDDED.test().inputs().get(NDArrayIndex.interval(10, 20)), d.inputs());
    }
}
