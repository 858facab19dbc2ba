package org.tuneless.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.objective.Batch;

class CharTextDatasetTest {

    @TempDir Path tmp;

    @Test void vocabularyIsTheSortedDistinctCharactersAndEncodingRoundTrips() {
        CharTextDataset d = CharTextDataset.of("hello world");
        assertEquals(" dehlorw", d.vocabulary());
        assertEquals(8, d.vocabularySize());
        assertEquals(11, d.length());
        assertArrayEquals(new int[]{3, 2, 4, 4, 5}, d.encode("hello"));
        assertEquals("world hello", d.decode(d.encode("world hello")));
        assertEquals("hello world", d.text());
        assertEquals("w", d.symbol(7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.encode("help"));
        assertTrue(e.getMessage().contains("'p' (U+0070) at position 3"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.decode(new int[]{0, 8})).getMessage().contains("[0, 8)"));
        // characters outside the BMP are one symbol each
        CharTextDataset emoji = CharTextDataset.of("b\uD83D\uDE00a\uD83D\uDE00");
        assertEquals(3, emoji.vocabularySize());
        assertArrayEquals(new int[]{1, 2, 0, 2}, emoji.ids());
        assertEquals("b\uD83D\uDE00a\uD83D\uDE00", emoji.decode(emoji.ids()));
    }

    @Test void blockTargetsAreTheNextCharacters() {
        CharTextDataset text = CharTextDataset.of("abcdefghij");
        assertEquals(4, text.numBlocks(3, 2)); // starts 0, 2, 4, 6; the last block's target ends at 'j'
        Dataset d = text.dataset(3, 2);
        assertEquals(4, d.size());
        assertArrayEquals(new long[]{4, 3}, d.inputs().shape());
        assertArrayEquals(new long[]{4, 3, 10}, d.targets().shape());
        assertEquals(DataType.FLOAT, d.dataType());
        assertEquals(10, d.numClasses());
        assertFalse(d.isClassification());
        String[] inputs = {"abc", "cde", "efg", "ghi"}, targets = {"bcd", "def", "fgh", "hij"};
        INDArray next = Nd4j.argMax(d.targets(), 2);
        for (int i = 0; i < 4; i++) {
            assertEquals(inputs[i], text.decode(d.inputs().getRow(i).toIntVector()));
            assertEquals(targets[i], text.decode(next.getRow(i).toIntVector()));
            for (int t = 0; t + 1 < 3; t++) {
                assertEquals(d.inputs().getDouble(i, t + 1), next.getDouble(i, t), 0, "target at t = input at t+1");
            }
        }
        assertEquals(Nd4j.ones(DataType.FLOAT, 4, 3), d.targets().sum(2), "one-hot targets");
        assertEquals(12.0, d.targets().sumNumber().doubleValue(), 0);
        // non-overlapping default and the boundary context = length − 1
        assertEquals(3, text.dataset(3).size());
        Dataset whole = text.dataset(9);
        assertEquals(1, whole.size());
        assertEquals("bcdefghij", text.decode(Nd4j.argMax(whole.targets(), 2).getRow(0).toIntVector()));
    }

    @Test void sequenceDatasetsBatchAndSlice() {
        CharTextDataset text = CharTextDataset.of("the quick brown fox jumps over the lazy dog");
        Dataset d = text.dataset(5, 3);
        Batch b = d.batch(new int[]{4, 0, 7});
        assertArrayEquals(new long[]{3, 5, text.vocabularySize()}, b.targets().shape());
        assertEquals(d.targets().get(NDArrayIndex.point(4)), b.targets().get(NDArrayIndex.point(0)));
        assertEquals(d.targets().get(NDArrayIndex.point(7)), b.targets().get(NDArrayIndex.point(2)));
        assertEquals(d.inputs().getRow(0), b.inputs().getRow(1));
        Dataset s = d.slice(2, 5);
        assertArrayEquals(new long[]{3, 5, text.vocabularySize()}, s.targets().shape());
        // dup(): in ND4J 1.0.0-M2.1 a get() on a view that starts at a nonzero offset comes back empty
        assertEquals(d.targets().get(NDArrayIndex.point(3)), s.targets().dup().get(NDArrayIndex.point(1)));
        assertEquals(d.batch(new int[]{3, 4}).targets(), s.batch(new int[]{1, 2}).targets());
        MinibatchStream stream = new MinibatchStream(d, 4, 1);
        assertArrayEquals(new long[]{4, 5, text.vocabularySize()}, stream.next().targets().shape());
        assertThrows(IllegalStateException.class, d::labels);
    }

    @Test void maxBlocksTakesTheFirstOrASeededSampleAndLargeDatasetsAreRefused() {
        CharTextDataset text = CharTextDataset.embeddedSample();
        int total = text.numBlocks(64, 64);
        Dataset first = text.dataset(64, 64, 10);
        assertEquals(10, first.size());
        assertEquals(text.dataset(64, 64, 12).inputs().get(NDArrayIndex.interval(0, 10)), first.inputs());
        assertEquals(text.decode(text.slice(64, 128).ids()), text.decode(first.inputs().getRow(1).toIntVector()));
        Dataset a = text.dataset(64, 64, 50, 3), b = text.dataset(64, 64, 50, 3), c = text.dataset(64, 64, 50, 4);
        assertEquals(a.inputs(), b.inputs());
        assertNotEquals(a.inputs(), c.inputs());
        assertEquals(text.numBlocks(32, 64), text.dataset(32, 64, total * 3, 1).size(), "all blocks when maxBlocks exceeds them");
        // stride 1 over ~97k characters: ~97k × 64 × V floats ≫ 1 GiB
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> text.dataset(64, 1));
        assertTrue(e.getMessage().contains("maxBlocks") && e.getMessage().contains("stream("), e.getMessage());
    }

    @Test void lazyStreamVisitsEveryBlockOncePerEpochDeterministically() {
        CharTextDataset text = CharTextDataset.of("It was the best of times, it was the worst of times.");
        Dataset all = text.dataset(8, 4);
        int n = (int) all.size(); // (52 − 9) / 4 + 1 = 11
        assertEquals(11, n);
        BatchStream s = text.stream(8, 4, 4, 9), same = text.stream(8, 4, 4, 9);
        INDArray seenX = null, seenT = null;
        for (int k = 0; k < 3; k++) { // 4 + 4 + 3
            Batch batch = s.next();
            assertEquals(same.next().inputs(), batch.inputs());
            assertEquals(k < 2 ? 4 : 3, batch.size());
            assertArrayEquals(new long[]{batch.size(), 8, text.vocabularySize()}, batch.targets().shape());
            seenX = seenX == null ? batch.inputs() : Nd4j.concat(0, seenX, batch.inputs());
            seenT = seenT == null ? batch.targets() : Nd4j.concat(0, seenT, batch.targets());
            assertEquals(0, s.epoch());
        }
        assertEquals(all.inputs().sum(0), seenX.sum(0), "every block exactly once per epoch");
        assertEquals(all.targets().sum(0), seenT.sum(0));
        s.next();
        assertEquals(1, s.epoch());
    }

    @Test void splitSharesTheVocabulary() {
        CharTextDataset text = CharTextDataset.of("aaaaaaaaab");
        CharTextDataset.TextSplit split = text.split(0.2);
        assertEquals(8, split.train().length());
        assertEquals(2, split.test().length());
        assertEquals("ab", split.train().vocabulary());
        assertEquals("ab", split.test().text());
        assertEquals(2, split.train().dataset(3).numClasses());
    }

    @Test void badInputsExplainThemselves() throws Exception {
        CharTextDataset text = CharTextDataset.of("abcde");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> text.dataset(5));
        assertTrue(e.getMessage().contains("needs at least 6 characters") && e.getMessage().contains("has 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> text.dataset(0));
        assertThrows(IllegalArgumentException.class, () -> text.dataset(2, 0));
        assertThrows(IllegalArgumentException.class, () -> text.dataset(2, 1, 0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CharTextDataset.of("")).getMessage().contains("empty"));

        Path missing = tmp.resolve("nope.txt");
        DataFormatException m = assertThrows(DataFormatException.class, () -> CharTextDataset.fromFile(missing));
        assertTrue(m.getMessage().contains("nope.txt") && m.getMessage().contains("not found"), m.getMessage());
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
        DataFormatException em = assertThrows(DataFormatException.class, () -> CharTextDataset.fromFile(empty));
        assertTrue(em.getMessage().contains("empty.txt") && em.getMessage().contains("empty"), em.getMessage());
        Path latin1 = Files.write(tmp.resolve("latin1.txt"), new byte[]{'c', 'a', 'f', (byte) 0xe9});
        DataFormatException l = assertThrows(DataFormatException.class, () -> CharTextDataset.fromFile(latin1));
        assertTrue(l.getMessage().contains("latin1.txt") && l.getMessage().contains("UTF-8") && l.getMessage().contains("iconv"), l.getMessage());

        Path ok = Files.writeString(tmp.resolve("ok.txt"), "caf\u00e9\r\n");
        CharTextDataset f = CharTextDataset.fromFile(ok);
        assertEquals("\n\racf\u00e9", f.vocabulary(), "file text kept as is, UTF-8 decoded");
        assertTrue(f.source().endsWith("ok.txt"));
    }

    @Test void fortuneFilesAreParsedIntoPlainText() {
        assertEquals("ab\n\ncd\n\n", CharTextDataset.parseFortunes("a_\bb\n%\nc\u0007d\r\n%\n"));
        assertEquals("BODY!\n\n*and*", CharTextDataset.parseFortunes("____\b\b\b\bBODY!\n%\n*___\b\b\band*"));
        assertEquals("100%\n", CharTextDataset.parseFortunes("100%\n"), "only whole-line % separates");
    }

    @Test void embeddedSampleAlwaysLoads() {
        CharTextDataset d = CharTextDataset.embeddedSample();
        String t = d.text();
        assertTrue(d.length() > 90_000 && d.length() < 100_000, "length " + d.length());
        assertTrue(d.vocabularySize() > 60 && d.vocabularySize() < 100, "vocabulary " + d.vocabularySize());
        assertTrue(t.contains("-- Mark Twain"));
        assertFalse(t.contains("\n%\n"));
        assertTrue(t.codePoints().allMatch(c -> c == '\n' || c == '\t' || c >= 0x20), "no control characters");
        Dataset blocks = d.dataset(64, 32, 2048); // the paper's full-batch size: 2048 blocks of 64 characters
        assertArrayEquals(new long[]{2048, 64, d.vocabularySize()}, blocks.targets().shape());
        assertTrue(CharTextDataset.fortunesOrEmbedded().length() >= d.length());
    }

    @Test void fortunesPackageLoadsAndTheEmbeddedSampleIsItsMinSubset() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(CharTextDataset.FORTUNES_DIR) && CharTextDataset.fortunesAvailable(),
                "fortunes package not installed");
        for (String name : CharTextDataset.EMBEDDED_FILES) {
            try (InputStream in = CharTextDataset.class.getResourceAsStream(CharTextDataset.RESOURCE_DIR + name + ".txt")) {
                assertArrayEquals(sha256(Files.readAllBytes(CharTextDataset.FORTUNES_DIR.resolve(name))), sha256(in.readAllBytes()), name);
            }
        }
        assertEquals(CharTextDataset.embeddedSample().text(),
                CharTextDataset.fortunes(CharTextDataset.EMBEDDED_FILES.toArray(String[]::new)).text());
        CharTextDataset all = CharTextDataset.fortunes();
        assertTrue(all.length() > CharTextDataset.embeddedSample().length());
        assertFalse(all.text().contains("\b"));
        assertEquals(all.length(), CharTextDataset.fortunesOrEmbedded().length());
        DataFormatException e = assertThrows(DataFormatException.class, () -> CharTextDataset.fortunes("no-such-file"));
        assertTrue(e.getMessage().contains("no-such-file") && e.getMessage().contains("literature"), e.getMessage());
    }

    private static byte[] sha256(byte[] bytes) throws Exception { return MessageDigest.getInstance("SHA-256").digest(bytes); }
}
