package io.jkeras.spark;

import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The job behind tools/spark-score.sh, on Parquet files Spark writes here. */
class ScoreJobTest {

    static int run(StringWriter err, String... args) {
        return ScoreJob.run(args, new PrintWriter(err, true), false);
    }

    @Test
    void scoresAParquetFileCarryingItsOtherColumnsThrough(@TempDir Path dir) {
        FixtureCase c = JKerasModelTest.fixture("stack_lstm_lstm_dense");
        Tensor x = c.x(0, 0);
        Dataset<Row> df = SparkTests.frame(new Tensor[]{x}, new String[]{"x"}, new boolean[]{false}, 1)
                .withColumn("label", functions.concat(functions.lit("s"), functions.col("id").cast("string")));
        String in = dir.resolve("in.parquet").toString(), out = dir.resolve("out.parquet").toString();
        df.write().parquet(in);
        StringWriter err = new StringWriter();
        assertThat(run(err, "--model", JKerasModelTest.path(c), "--input", in, "--output", out, "--master",
                "local[2]", "--batch-size", "1")).as(err.toString()).isZero();
        List<Row> rows = SparkTests.byId(SparkTests.spark().read().parquet(out));
        assertThat(rows.get(0).schema().fieldNames()).containsExactly("id", "x", "label", "y");
        assertThat(rows.get(0).schema().apply("y").dataType().simpleString()).isEqualTo("array<float>");
        Model m = c.load();
        for (int k = 0; k < x.dim(0); k++) {
            assertThat(rows.get(k).<String>getAs("label")).isEqualTo("s" + k);
            assertThat(SparkTests.flatten(rows.get(k).getAs("x"))).containsExactly(SparkTests.row(x, k));
            assertThat(SparkTests.flat(rows, "y").get(k)).containsExactly(
                    m.predict(JKerasModelTest.slice(x, k))[0].data());
        }
    }

    /** lstm_return_state has one input and three outputs (the sequence's last output, h, c). */
    @Test
    void severalOutputsGoToY0Y1Y2(@TempDir Path dir) {
        FixtureCase c = JKerasModelTest.fixture("lstm_return_state");
        Tensor x = c.x(0, 0);
        String in = dir.resolve("in.parquet").toString(), out = dir.resolve("out.parquet").toString();
        SparkTests.frame(new Tensor[]{x}, new String[]{"x"}, new boolean[]{false}, 1).write().parquet(in);
        StringWriter err = new StringWriter();
        assertThat(run(err, "--model", JKerasModelTest.path(c), "--input", in, "--output", out, "--batch-size",
                "1")).as(err.toString()).isZero();
        List<Row> rows = SparkTests.byId(SparkTests.spark().read().parquet(out));
        Model m = c.load();
        assertThat(m.outputCount()).isEqualTo(3);
        assertThat(rows.get(0).schema().fieldNames()).containsExactly("id", "x", "y0", "y1", "y2");
        for (int k = 0; k < x.dim(0); k++) {
            Tensor[] want = m.predict(JKerasModelTest.slice(x, k));
            for (int j = 0; j < 3; j++) {
                assertThat(SparkTests.flat(rows, "y" + j).get(k)).as("row " + k + " y" + j)
                        .containsExactly(want[j].data());
            }
        }
    }

    @Test
    void aModelWithTwoInputsIsRefusedInOneLine(@TempDir Path dir) {
        FixtureCase c = JKerasModelTest.fixture("graph_two_in_two_out");
        String in = dir.resolve("in.parquet").toString(), out = dir.resolve("out.parquet").toString();
        SparkTests.frame(new Tensor[]{c.x(0, 0)}, new String[]{"x"}, new boolean[]{false}, 1).write().parquet(in);
        StringWriter err = new StringWriter();
        assertThat(run(err, "--model", JKerasModelTest.path(c), "--input", in, "--output", out)).isEqualTo(2);
        assertThat(err.toString()).startsWith("spark-score: error: ").contains("has 2 inputs").hasLineCount(1);
    }

    @Test
    void aBadRowIsOneErrorLineAndExitTwo(@TempDir Path dir) {
        String in = dir.resolve("in.parquet").toString(), out = dir.resolve("out.parquet").toString();
        BadRowsTest.frame(BadRowsTest.good(0), BadRowsTest.bad("ragged")).write().parquet(in);
        StringWriter err = new StringWriter();
        assertThat(run(err, "--model", JKerasModelTest.path(BadRowsTest.LSTM), "--input", in, "--output", out))
                .isEqualTo(2);
        assertThat(err.toString()).isEqualTo("spark-score: error: column 'x' of row 1 in partition 0 is ragged: "
                + "3 features at [2], 4 before" + System.lineSeparator());
    }

    @Test
    void aMissingOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "--model", "m.keras", "--input", "in.parquet")).isEqualTo(2);
        assertThat(err.toString()).startsWith("spark-score: error: missing --output").contains("usage: spark-score");
    }
}
