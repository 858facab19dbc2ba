package org.tuneless.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class CsvRegressionTest {

    @TempDir Path tmp;

    /** y = 100·a, so the raw targets tell which rows went to the training set. */
    private static final String TINY = """
            a,b,y
            1,10,100
            2,40,200
            3,10,300
            4,70,400
            5,10,500
            6,90,600
            """;

    @Test void featuresAreStandardizedWithTrainingStatisticsOnly() {
        CsvRegression.Data d = CsvRegression.fromText(TINY).testFraction(0.5).seed(3).dataType(DataType.DOUBLE).load();
        assertEquals(3, d.train().size());
        assertEquals(3, d.test().size());
        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals("y", d.targetName());
        assertEquals(0.0, d.targetMean(), 0);
        assertEquals(1.0, d.targetStd(), 0);
        double[] a = {1, 2, 3, 4, 5, 6}, b = {10, 40, 10, 70, 10, 90};
        int[] trainRows = rowsOf(d.train().targets()), testRows = rowsOf(d.test().targets());
        // hand-computed statistics of the training rows: mean and population std
        double[] mean = new double[2], std = new double[2];
        for (int j = 0; j < 2; j++) {
            double[] col = j == 0 ? a : b;
            for (int r : trainRows) mean[j] += col[r] / 3;
            for (int r : trainRows) std[j] += (col[r] - mean[j]) * (col[r] - mean[j]) / 3;
            std[j] = Math.sqrt(std[j]);
        }
        assertArrayEquals(mean, d.featureMeans(), 1e-12);
        assertArrayEquals(std, d.featureStds(), 1e-12);
        assertNotEquals(3.5, d.featureMeans()[0], 1e-9, "not the mean over all rows");
        for (int i = 0; i < 3; i++) {
            assertEquals((a[trainRows[i]] - mean[0]) / std[0], d.train().inputs().getDouble(i, 0), 1e-12);
            assertEquals((b[trainRows[i]] - mean[1]) / std[1], d.train().inputs().getDouble(i, 1), 1e-12);
            assertEquals((a[testRows[i]] - mean[0]) / std[0], d.test().inputs().getDouble(i, 0), 1e-12, "test rows use the training statistics");
            assertEquals((b[testRows[i]] - mean[1]) / std[1], d.test().inputs().getDouble(i, 1), 1e-12);
        }
        assertEquals(0.0, d.train().inputs().mean(0).norm2Number().doubleValue(), 1e-12);
        assertEquals(d.test().inputs(), d.standardizeFeatures(rawFeatures(testRows, a, b)));
    }

    @Test void targetStandardizationUsesTrainingStatistics() {
        // the training rows are recovered from the de-standardized targets (y = 100·row number)
        CsvRegression.Data d = CsvRegression.fromText(TINY).testFraction(0.5).seed(3).standardizeTarget(true).dataType(DataType.DOUBLE).load();
        int[] trainRows = rowsOf(d.train().targets().mul(d.targetStd()).add(d.targetMean()));
        double yMean = 0;
        for (int r : trainRows) yMean += 100.0 * (r + 1) / 3;
        double yVar = 0;
        for (int r : trainRows) yVar += Math.pow(100.0 * (r + 1) - yMean, 2) / 3;
        assertEquals(yMean, d.targetMean(), 1e-9);
        assertEquals(Math.sqrt(yVar), d.targetStd(), 1e-9);
        assertEquals(0.0, d.train().targets().meanNumber().doubleValue(), 1e-12);
        assertEquals(1.0, d.train().targets().std(false).getDouble(0), 1e-12);
        assertArrayEquals(new long[]{3, 1}, d.test().targets().shape());
        INDArray back = d.targetToOriginalUnits(d.test().targets());
        for (int i = 0; i < 3; i++) assertEquals(0.0, back.getDouble(i, 0) % 100, 1e-9, "back in the file's units");
    }

    @Test void splitSizesFollowTheFractionAndTheSeed() {
        StringBuilder csv = new StringBuilder("x1,x2,target\n");
        for (int i = 0; i < 10; i++) csv.append(i).append(',').append(i * i).append(',').append(i + 0.5).append('\n');
        CsvRegression.Data d = CsvRegression.fromText(csv.toString()).testFraction(0.3).seed(7).load();
        assertEquals(7, d.train().size());
        assertEquals(3, d.test().size());
        assertEquals(DataType.FLOAT, d.train().dataType());
        assertArrayEquals(new long[]{7, 2}, d.train().inputs().shape());
        assertArrayEquals(new long[]{7, 1}, d.train().targets().shape());
        assertEquals(0, d.train().numClasses());
        CsvRegression.Data again = CsvRegression.fromText(csv.toString()).testFraction(0.3).seed(7).load();
        assertEquals(d.test().targets(), again.test().targets());
        boolean differs = false;
        for (long seed = 8; seed < 12; seed++) {
            differs |= !CsvRegression.fromText(csv.toString()).testFraction(0.3).seed(seed).load().test().targets().equals(d.test().targets());
        }
        assertTrue(differs, "another seed, another split");
        assertEquals(d.split().train(), d.train());
    }

    @Test void targetByNameFeatureSelectionAndConstantColumns() throws Exception {
        Path file = Files.writeString(tmp.resolve("data.csv"), "y, a ,id,c\n1, 2,7,5\n\n2,\"4\",8,5\n3,6,9,5\n4,8,10,5\n");
        CsvRegression.Data d = CsvRegression.from(file).target("y").features("a", "c").testFraction(0.25).seed(1).dataType(DataType.DOUBLE).load();
        assertEquals(List.of("a", "c"), d.featureNames());
        assertEquals(3, d.train().size());
        assertEquals(1.0, d.featureStds()[1], 0, "a constant column gets std 1");
        assertEquals(5.0, d.featureMeans()[1], 0);
        assertEquals(0.0, d.train().inputs().getColumn(1).norm1Number().doubleValue(), 0);
        // target y = a / 2 stays raw
        INDArray a = d.train().inputs().getColumn(0).mul(d.featureStds()[0]).add(d.featureMeans()[0]);
        assertEquals(a.div(2), d.train().targets().reshape(3));
        CsvRegression.Data defaults = CsvRegression.from(file).load();
        assertEquals("c", defaults.targetName(), "the last column by default");
        assertEquals(List.of("y", "a", "id"), defaults.featureNames());
    }

    @Test void corruptFilesExplainThemselves() throws Exception {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CsvRegression.fromText("a,b,y\n1,2,3\n4,5,6\n7,oops,9\n").load());
        assertTrue(e.getMessage().contains("data row 3") && e.getMessage().contains("line 4") && e.getMessage().contains("column 'b'")
                && e.getMessage().contains("'oops' is not a number"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> CsvRegression.fromText("a,b,y\n1,,3\n").load());
        assertTrue(e.getMessage().contains("column 'b'") && e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> CsvRegression.fromText("a,b,y\n1,2,3\n4,5,6\n").target("price").load());
        assertTrue(e.getMessage().contains("'price'") && e.getMessage().contains("[a, b, y]"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> CsvRegression.fromText("a,b,y\n1,2,3\n4,5\n").load());
        assertTrue(e.getMessage().contains("data row 2") && e.getMessage().contains("2 values") && e.getMessage().contains("3 columns"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> CsvRegression.fromText("a,b,y\n").load());
        assertTrue(e.getMessage().contains("no data rows"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> CsvRegression.fromText("a,a,y\n1,2,3\n").load());
        assertTrue(e.getMessage().contains("header") && e.getMessage().contains("distinct"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> CsvRegression.fromText("y\n1\n2\n").load());
        assertTrue(e.getMessage().contains("at least one feature"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> CsvRegression.fromText("a,y\n1,2\n").load());
        assertTrue(e.getMessage().contains("too few"), e.getMessage());

        Path empty = Files.writeString(tmp.resolve("empty.csv"), "");
        e = assertThrows(DataFormatException.class, () -> CsvRegression.load(empty));
        assertTrue(e.getMessage().contains("empty.csv") && e.getMessage().contains("empty"), e.getMessage());
        Path missing = tmp.resolve("missing.csv");
        e = assertThrows(DataFormatException.class, () -> CsvRegression.load(missing));
        assertTrue(e.getMessage().contains("missing.csv") && e.getMessage().contains("not found"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CsvRegression.fromText(TINY).testFraction(1.0).load());
    }

    /** Row index (0-based) of each raw target 100·(row + 1). */
    private static int[] rowsOf(INDArray rawTargets) {
        int[] rows = new int[(int) rawTargets.size(0)];
        for (int i = 0; i < rows.length; i++) rows[i] = (int) Math.round(rawTargets.getDouble(i, 0) / 100) - 1;
        return rows;
    }

    private static INDArray rawFeatures(int[] rows, double[] a, double[] b) {
        double[][] m = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) m[i] = new double[]{a[rows[i]], b[rows[i]]};
        return org.nd4j.linalg.factory.Nd4j.createFromArray(m);
    }
}
